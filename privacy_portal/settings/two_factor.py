"""django-otp: the one second factor for citizens and staff."""

from .environment import env  # noqa: F401

# Email codes live ten minutes at most, like every code the portal sends
# (django-otp's default is five; allauth's codes are capped at ten too).
OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
# One new email code a minute: enough for "I did not get it", too slow to
# flood a mailbox.
OTP_EMAIL_COOLDOWN_DURATION = 60
# Failed codes lock the device for 1, 2, 4, 8 ... seconds (factor × 2^(n-1)),
# so guessing six digits takes years while a typo costs a second.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_EMAIL_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = "Citizens' privacy portal"
