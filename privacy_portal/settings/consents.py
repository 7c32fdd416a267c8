"""Consents: optional services, strong verification (identity level 3), policy changes.

The code reads each of these with a default (a ``conf.py`` in each package), so it also
works before ``base.py`` imports this module.
"""

from .environment import env

# The face-recognition partner and the bank-card check, as dotted paths to a
# provider class. The sandboxes stand in until a real partner is contracted.
FACE_PROVIDER = env.str("FACE_PROVIDER", default="consents.strong_verification.providers.SandboxFaceProvider")
BANK_CARD_PROVIDER = env.str(
    "BANK_CARD_PROVIDER", default="consents.strong_verification.providers.SandboxBankCardProvider"
)
# Force the sandboxes' answer for demos and tests: "pass", "fail" or
# "unavailable". Empty: the face sandbox answers by the last character of the
# person's ID number (1 fails, 2 is unavailable, anything else passes); the
# bank-card sandbox passes whenever a card number is on the profile.
FACE_SANDBOX_ANSWER = env.str("FACE_SANDBOX_ANSWER", default="")
BANK_CARD_SANDBOX_ANSWER = env.str("BANK_CARD_SANDBOX_ANSWER", default="")
# Each face or bank-card check costs the partner a lookup and lets someone
# probe; outages do not count.
STRONG_VERIFICATION_DAILY_LIMIT = env.int("STRONG_VERIFICATION_DAILY_LIMIT", default=5)
# After a person leaves an optional service, its data is kept this long
# (for a late complaint or a mistaken click), then the retention sweep deletes it.
OPTIONAL_SERVICE_DATA_KEEP_DAYS = 30
# Policy-change announcements are written this many people to a transaction
# (rows are written by the database server, so a batch is one short statement).
POLICY_ANNOUNCE_BATCH_SIZE = 5000
