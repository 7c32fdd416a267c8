"""Settings this package reads, with their defaults (see privacy_portal/settings/consents.py)."""

from django.conf import settings

FACE_PROVIDER = "consents.strong_verification.providers.SandboxFaceProvider"
BANK_CARD_PROVIDER = "consents.strong_verification.providers.SandboxBankCardProvider"
DAILY_LIMIT = 5


def face_provider_path() -> str:
    return getattr(settings, "FACE_PROVIDER", FACE_PROVIDER)


def bank_card_provider_path() -> str:
    return getattr(settings, "BANK_CARD_PROVIDER", BANK_CARD_PROVIDER)


def face_sandbox_answer() -> str:
    return getattr(settings, "FACE_SANDBOX_ANSWER", "")


def bank_card_sandbox_answer() -> str:
    return getattr(settings, "BANK_CARD_SANDBOX_ANSWER", "")


def daily_limit() -> int:
    return getattr(settings, "STRONG_VERIFICATION_DAILY_LIMIT", DAILY_LIMIT)
