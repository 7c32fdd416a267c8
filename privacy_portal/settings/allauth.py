"""django-allauth: accounts, email verification, social accounts, sessions."""

from .environment import env

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
}

# -- Who signs in with what. A citizen signs in with their email address or
# their mainland mobile number (11 digits). The number is optional at sign-up
# ("phone" without a star); allauth needs it listed to offer the phone pages
# (verify, change). The email address is required: it is verified before
# anything personal opens.
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Sign-in messages and pages name the person by their verified name or masked
# email, never by the internal username (accounts.display).
ACCOUNT_USER_DISPLAY = "accounts.display.user_display"

# -- Verification. Mandatory, by a code typed into the open page. Every code
# and link we send lives at most ten minutes (allauth's defaults run to 15
# minutes for codes and Django's to three days for reset links).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_CHANGE = True
PASSWORD_RESET_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
# Also the lifetime of re-authentication codes.
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 3 * 60
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Only before the first sign-in, so a typo at sign-up can be put right.
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True
# Text messages carry six digits: easy to type from one screen to another.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}

# -- Enumeration. No page or message says whether an account exists: sign-up
# with a known address, sign-in and password reset answer alike, and the mail
# goes to the address's owner instead.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True

# -- Rate limits (allauth's, on the cache). Failed sign-ins count per client,
# and per account *from that client* (accounts.adapter), so nobody can lock an
# owner out from elsewhere; codes have few attempts each.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    # Sending a verification code: once a minute per address. Each new code
    # replaces the last, so a longer wait would leave people with none.
    "confirm_email": "1/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "verify_phone": "1/30s/key,3/m/ip",
    "change_phone": "1/m/user",
    "change_password": "5/m/user",
}

# -- Sessions. A password change keeps the session it was made in and ends
# every other one (accounts.activity.receivers); a reset ends them all.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Security notices (password changed or reset, email changed, account linked
# or unlinked) go to the person by email, through the outbox.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
USERSESSIONS_TRACK_ACTIVITY = True

# -- Text messages (accounts.sms). The default keeps messages in memory and
# logs them masked; a real gateway plugs in here.
SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.MemoryBackend")

# -- Linked accounts. WeChat is configured, but switched on only when its
# credentials are in the environment: without them there is no WeChat button
# and no error.
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")
SOCIALACCOUNT_FORMS = {"disconnect": "accounts.forms.DisconnectForm"}
SOCIALACCOUNT_PROVIDERS: dict = {"weixin": {"SCOPE": ["snsapi_login"]}}
if WECHAT_APP_ID and WECHAT_APP_SECRET:
    SOCIALACCOUNT_PROVIDERS["weixin"]["APPS"] = [
        {"client_id": WECHAT_APP_ID, "secret": WECHAT_APP_SECRET, "key": ""},
    ]
