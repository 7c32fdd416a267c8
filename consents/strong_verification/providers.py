"""Providers for identity level 3: the face-recognition partner and the bank-card check.

The portal asks a provider one question and keeps only the answer: the
outcome and the provider's reference for the check. It never receives,
sends or stores a face image, a face template or a score. With a real
face-recognition partner the person is handed over to the partner's own
capture page (app or H5) with a one-time ticket; the partner compares the
live face with the photo in the national register and tells the portal the
outcome. The sandbox below stands in for that hand-off.

``FACE_PROVIDER`` and ``BANK_CARD_PROVIDER`` name the classes (dotted
paths), read on each call so tests and demos may switch them. A provider
that cannot answer raises ``ProviderUnavailable`` (or lets a timeout or
connection error escape): the person is told to try later and loses nothing.
"""

import secrets
from dataclasses import dataclass

from django.utils.module_loading import import_string

from consents.models import StrongVerification

from . import conf

Outcome = StrongVerification.Outcome

# How testers and demos choose the sandboxes' answer (settings
# FACE_SANDBOX_ANSWER / BANK_CARD_SANDBOX_ANSWER).
SANDBOX_ANSWERS = {"pass": Outcome.PASSED, "fail": Outcome.FAILED, "unavailable": Outcome.UNAVAILABLE}
# Without a forced answer, the face sandbox answers by the last character of
# the person's resident ID number: these fail or are "unavailable", any other passes.
FACE_SANDBOX_FAIL_ENDING = "1"
FACE_SANDBOX_UNAVAILABLE_ENDING = "2"


class ProviderUnavailable(Exception):
    """The provider could not answer now; asking again later may work."""


@dataclass(frozen=True)
class CheckResult:
    """A provider's answer. ``reference`` is the provider's id for the check, never personal data."""

    outcome: str
    reference: str = ""


class FaceProvider:
    """The interface of a face-recognition partner."""

    #: Short name, for logs.
    name = "face"
    #: ``Partner.code`` of the partner; the person must have consented to sharing with it.
    partner_code = "face_provider"

    def check_face(self, *, legal_name: str, id_number: str) -> CheckResult:
        """Hand the person to the partner's live capture and return its outcome (passed or failed)."""
        raise NotImplementedError


class BankCardProvider:
    """The interface of a bank-card check: do this card and this identity belong together?"""

    name = "bank_card"

    def check_bank_card(self, *, legal_name: str, id_number: str, bank_card: str) -> CheckResult:
        raise NotImplementedError


def _forced(answer: str) -> str | None:
    return SANDBOX_ANSWERS.get((answer or "").strip().lower())


class SandboxFaceProvider(FaceProvider):
    """Answers without any camera: by setting, else by the ID number's last character."""

    name = "face-sandbox"

    def check_face(self, *, legal_name: str, id_number: str) -> CheckResult:
        reference = f"face-sandbox-{secrets.token_hex(8)}"
        outcome = _forced(conf.face_sandbox_answer())
        if outcome is None:
            ending = (id_number or "")[-1:].upper()
            if ending == FACE_SANDBOX_UNAVAILABLE_ENDING:
                outcome = Outcome.UNAVAILABLE
            elif ending == FACE_SANDBOX_FAIL_ENDING:
                outcome = Outcome.FAILED
            else:
                outcome = Outcome.PASSED
        if outcome == Outcome.UNAVAILABLE:
            raise ProviderUnavailable("sandbox: simulated outage")
        return CheckResult(outcome, reference)


class SandboxBankCardProvider(BankCardProvider):
    """Passes whenever a card number is given, unless a setting asks for another answer."""

    name = "bank-card-sandbox"

    def check_bank_card(self, *, legal_name: str, id_number: str, bank_card: str) -> CheckResult:
        reference = f"card-sandbox-{secrets.token_hex(8)}"
        outcome = _forced(conf.bank_card_sandbox_answer())
        if outcome is None:
            outcome = Outcome.PASSED if bank_card else Outcome.FAILED
        if outcome == Outcome.UNAVAILABLE:
            raise ProviderUnavailable("sandbox: simulated outage")
        return CheckResult(outcome, reference)


def get_face_provider() -> FaceProvider:
    return import_string(conf.face_provider_path())()


def get_bank_card_provider() -> BankCardProvider:
    return import_string(conf.bank_card_provider_path())()
