"""Re-encrypt every encrypted field under the newest key in ``FIELD_ENCRYPTION_KEYS``.

Rotation: put the new key first, keep the old ones after it (old rows still
decrypt), run this command, then drop the old keys. It walks every model
with an ``EncryptedTextField``, in primary-key batches, each batch in its own
transaction with its rows locked, so a crash loses at most one batch's work
(and running again picks up where it stopped: rows already under the newest
key are skipped) and a concurrent edit is never overwritten.

Ciphertext is read and written raw: reading through the field would decrypt
every value into memory and saving through it would encrypt again row by
row. ``MultiFernet.rotate`` turns an old token into a new one directly.
"""

from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from core.encryption import EncryptedTextField, encrypted_with_current_key, rotate

RAW_PREFIX = "_raw_"


@dataclass
class Counts:
    rotated: int = 0
    current: int = 0
    unreadable: int = 0


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete model with encrypted columns, and those columns."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.model is model]
        if fields:
            found.append((model, fields))
    return found


def rotate_model(model, fields, *, batch_size: int) -> dict[str, Counts]:
    counts = {field.name: Counts() for field in fields}
    # Cast to a plain TextField: the column's value as stored, without the
    # field's decrypting from_db_value.
    raw = {f"{RAW_PREFIX}{field.name}": Cast(field.name, output_field=models.TextField()) for field in fields}
    manager = model._base_manager
    last_pk = None
    while True:
        with transaction.atomic():
            batch = manager.select_for_update().order_by("pk").annotate(**raw)
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(batch.values_list("pk", *raw)[:batch_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            updates: dict[str, list[models.When]] = {field.name: [] for field in fields}
            pks = set()
            for pk, *tokens in rows:
                for field, token in zip(fields, tokens, strict=True):
                    if not token:
                        continue
                    if encrypted_with_current_key(token):
                        counts[field.name].current += 1
                        continue
                    try:
                        new_token = rotate(token)
                    except InvalidToken:
                        # Under a key no longer configured: leave it for an
                        # operator, never overwrite it.
                        counts[field.name].unreadable += 1
                        continue
                    updates[field.name].append(
                        models.When(pk=pk, then=models.Value(new_token, output_field=models.TextField()))
                    )
                    counts[field.name].rotated += 1
                    pks.add(pk)
            if pks:
                # The tokens go in as plain text values: through the field's
                # get_prep_value they would be encrypted a second time.
                manager.filter(pk__in=pks).update(
                    **{
                        name: models.Case(*whens, default=models.F(name), output_field=models.TextField())
                        for name, whens in updates.items()
                        if whens
                    }
                )
        if len(rows) < batch_size:
            break
    return counts


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        totals = Counts()
        for model, fields in encrypted_fields():
            for name, counts in rotate_model(model, fields, batch_size=batch_size).items():
                self.stdout.write(
                    f"{model._meta.label}.{name}: rotated {counts.rotated}, already current {counts.current}, "
                    f"unreadable {counts.unreadable}"
                )
                totals.rotated += counts.rotated
                totals.current += counts.current
                totals.unreadable += counts.unreadable
        self.stdout.write(
            f"Total: rotated {totals.rotated}, already current {totals.current}, unreadable {totals.unreadable}"
        )
        if totals.unreadable:
            self.stderr.write("Some values could not be decrypted with any configured key; they were left unchanged.")
