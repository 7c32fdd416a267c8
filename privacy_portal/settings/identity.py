"""Real-name identity verification."""

from .environment import env

IDENTITY_PROVIDER = env.str("IDENTITY_PROVIDER", default="accounts.identity.providers.SandboxProvider")
# Each real-name check costs a lookup at the provider and lets someone probe
# name/ID pairs, so a person gets this many answered checks a day.
IDENTITY_VERIFICATION_DAILY_LIMIT = env.int("IDENTITY_VERIFICATION_DAILY_LIMIT", default=10)
# A guardian-link code: how long it is valid and how many tries it allows.
GUARDIAN_CODE_VALID_MINUTES = 10
GUARDIAN_CODE_MAX_ATTEMPTS = 5
