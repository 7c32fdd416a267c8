"""django-otp: the one second factor for citizens and staff."""

from .environment import env  # noqa: F401

OTP_EMAIL_TOKEN_VALIDITY = 10 * 60
OTP_TOTP_ISSUER = "Citizens' privacy portal"
