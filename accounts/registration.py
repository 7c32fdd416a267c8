"""What a new account is: an individual's, or a legal person's with its registration data."""

from django.db import transaction

from audit.services import audit_record

from .models import AccountKind, IdentityProfile, User
from .validators import clean_uscc


def account_register(
    *,
    user: User,
    kind: str,
    organisation_name: str = "",
    uscc: str = "",
    legal_representative: str = "",
) -> None:
    """Record the account kind chosen at sign-up and, for a business, its registration data.

    The business data goes into the identity profile, where it is shown and
    later verified like the rest of the person's identity. An individual's
    sign-up stores none of it, even if the form carried some.
    """
    kind = AccountKind(kind)
    with transaction.atomic():
        user.kind = kind
        user.save(update_fields=["kind"])
        details: dict = {"kind": kind.value}
        if kind == AccountKind.BUSINESS:
            profile, _ = IdentityProfile.objects.get_or_create(user=user)
            profile.organisation_name = " ".join(organisation_name.split())
            profile.uscc = clean_uscc(uscc)
            profile.legal_representative = " ".join(legal_representative.split())
            profile.save(update_fields=["organisation_name", "uscc", "legal_representative", "updated_at"])
            details["fields"] = ["organisation_name", "uscc", "legal_representative"]
        audit_record(actor=user, action="account.registered", target=user, details=details)
