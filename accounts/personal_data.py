"""What the accounts app holds about a person, for export and erasure (personal_data.registry).

Exporters yield dict rows from a server-side cursor (``iterator``) with a
fixed number of queries however many rows there are; the profile shows the
sensitive fields in full, because the export goes to the person themselves.
Secrets (password hashes, two-factor keys, recovery codes, API token keys,
guardian confirmation codes, social login tokens) are never exported.
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.activity.devices import device_name
from accounts.activity.network import truncate_ip
from accounts.activity.selectors import linked_service_names
from accounts.activity.services import LoginMethod
from accounts.delivery.services import delivery_addresses_erase
from accounts.identity.forms import FIELD_LABELS
from accounts.identity.providers import provider_labels
from accounts.models import (
    Delivery,
    GuardianLink,
    IdentityProfile,
    IdentityVerificationAttempt,
    LoginActivity,
    StaffEnrolment,
    StepUpCheck,
    User,
)
from accounts.models.delivery import DeliveryStatus
from accounts.models.identity import VerificationLevel
from accounts.models.user import AccountKind
from personal_data.fields import day, flag, moment, number, records, text, texts
from personal_data.holds import is_held
from personal_data.registry import LegalBasis, register_personal_data

CHUNK = 2000

LANGUAGE_NAMES = {"zh-hans": _("Simplified Chinese"), "en": _("English")}
TWO_FACTOR_KINDS = {
    "authenticator_app": _("Authenticator app"),
    "email_codes": _("Code by email"),
    "recovery_codes": _("Recovery code"),
    "staff_enrolment_link": _("Staff enrolment link"),
}
GUARDIAN_ROLES = {"guardian": _("Guardian"), "minor": _("Minor")}
OTHER_ACCOUNT_PREFIX = "user #"


def _other_account(value: str) -> str:
    """ "user #12" (as the JSON keeps it) in the reader's language."""
    number = value.removeprefix(OTHER_ACCOUNT_PREFIX)
    return gettext("Account no. %(number)s") % {"number": number} if number != value else value


def _held(user, code: str) -> bool:
    return is_held(user=user, category=code)


# -- profile -----------------------------------------------------------------


def export_profile(user):
    account = User.objects.select_related("identity").get(pk=user.pk)
    identity = getattr(account, "identity", None)
    emails = [
        {"email": address.email, "primary": address.primary, "verified": address.verified}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]
    yield {
        "username": account.username,
        "email": account.email,
        "email_addresses": emails,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "phone": account.phone,
        "phone_verified": account.phone_verified,
        "account_kind": account.kind,
        "language": account.language,
        "is_minor": account.is_minor,
        "date_joined": account.date_joined,
        "last_login": account.last_login,
        "legal_name": identity.legal_name if identity else "",
        "id_number": identity.id_number if identity else "",
        "birth_date": identity.birth_date if identity else None,
        "bank_card": identity.bank_card if identity else "",
        "organisation_name": identity.organisation_name if identity else "",
        "uscc": identity.uscc if identity else "",
        "legal_representative": identity.legal_representative if identity else "",
        "verification_level": identity.verification_level if identity else 0,
        "verified_fields": identity.verified_fields if identity else [],
        "identity_verified_at": identity.identity_verified_at if identity else None,
    }


def erase_profile(user) -> str:
    """Forget who the account belonged to; the row stays so that records pointing at it stay whole."""
    if _held(user, "profile"):
        return "kept"
    with transaction.atomic():
        IdentityProfile.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(
            username=f"erased-{user.pk}",
            first_name="",
            last_name="",
            email="",
            phone="",
            phone_hash="",
            phone_verified=False,
            is_active=False,
            # An unusable password: nobody can sign in to an erased account.
            password=make_password(None),
        )
    return "anonymised"


# -- simple per-user lists -----------------------------------------------------


def export_identity_verifications(user):
    rows = IdentityVerificationAttempt.objects.filter(user=user).order_by("created_at", "id")
    for attempt in rows.iterator(chunk_size=CHUNK):
        yield {
            "time": attempt.created_at,
            "provider": attempt.provider,
            "outcome": attempt.outcome,
            "provider_reference": attempt.reference,
        }


def erase_identity_verifications(user) -> str:
    if _held(user, "identity_verifications"):
        return "kept"
    IdentityVerificationAttempt.objects.filter(user=user).delete()
    return "deleted"


def export_sign_in_activity(user):
    rows = LoginActivity.objects.filter(user=user).order_by("created_at", "id")
    for row in rows.iterator(chunk_size=CHUNK):
        yield {"time": row.created_at, "network": row.ip_prefix, "device": row.user_agent, "method": row.method}


def erase_sign_in_activity(user) -> str:
    if _held(user, "sign_in_activity"):
        return "kept"
    LoginActivity.objects.filter(user=user).delete()
    return "deleted"


def export_sessions(user):
    rows = UserSession.objects.filter(user=user).order_by("created_at", "id")
    for row in rows.iterator(chunk_size=CHUNK):
        yield {
            "started": row.created_at,
            "last_seen": row.last_seen_at,
            # The same truncation as the sign-in list: the network, not the device.
            "network": truncate_ip(row.ip),
            "device": row.user_agent,
        }


def erase_sessions(user) -> str:
    """End every session of the person and forget them."""
    if _held(user, "sessions"):
        return "kept"
    from django.conf import settings

    store: type[SessionBase] = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    for session_key in UserSession.objects.filter(user=user).values_list("session_key", flat=True):
        store(session_key).delete()
    UserSession.objects.filter(user=user).delete()
    return "deleted"


def export_two_factor(user):
    # Only that a device exists and when it was used: never its key or codes.
    for model, kind in (
        (TOTPDevice, "authenticator_app"),
        (EmailDevice, "email_codes"),
        (StaticDevice, "recovery_codes"),
    ):
        for device in model.objects.filter(user=user).order_by("id").iterator(chunk_size=CHUNK):
            yield {
                "kind": kind,
                "name": device.name,
                "confirmed": device.confirmed,
                "created": device.created_at,
                "last_used": device.last_used_at,
            }
    # Staff only: the enrolment links issued for them (never the secret).
    for link in StaffEnrolment.objects.filter(user=user).order_by("id").iterator(chunk_size=CHUNK):
        yield {
            "kind": "staff_enrolment_link",
            "name": "",
            "confirmed": link.used_at is not None,
            "created": link.issued_at,
            "last_used": link.used_at,
        }


def erase_two_factor(user) -> str:
    if _held(user, "two_factor"):
        return "kept"
    for model in (TOTPDevice, EmailDevice, StaticDevice, StaffEnrolment):
        model.objects.filter(user=user).delete()
    return "deleted"


def export_guardian_links(user):
    rows = GuardianLink.objects.filter(Q(guardian=user) | Q(minor=user)).order_by("created_at", "id")
    for link in rows.iterator(chunk_size=CHUNK):
        other = link.minor_id if link.guardian_id == user.pk else link.guardian_id
        yield {
            # The other person is named by account number only: their data is theirs.
            "your_role": "guardian" if link.guardian_id == user.pk else "minor",
            "other_account": f"{OTHER_ACCOUNT_PREFIX}{other}",
            "state": link.state,
            "created": link.created_at,
            "confirmed": link.confirmed_at,
            "ended": link.ended_at,
        }


def erase_guardian_links(user) -> str:
    if _held(user, "guardian_links"):
        return "kept"
    GuardianLink.objects.filter(Q(guardian=user) | Q(minor=user)).delete()
    return "deleted"


def export_step_up_checks(user):
    rows = StepUpCheck.objects.filter(user=user).order_by("verified_at", "id")
    for check in rows.iterator(chunk_size=CHUNK):
        yield {"time": check.verified_at, "method": check.method}


def erase_step_up_checks(user) -> str:
    if _held(user, "step_up_checks"):
        return "kept"
    StepUpCheck.objects.filter(user=user).delete()
    return "deleted"


def export_social_accounts(user):
    rows = SocialAccount.objects.filter(user=user).order_by("id")
    for account in rows.iterator(chunk_size=CHUNK):
        # Provider and the id it gave us; never its tokens or profile blob.
        yield {"provider": account.provider, "uid": account.uid, "linked": account.date_joined}


def erase_social_accounts(user) -> str:
    if _held(user, "social_accounts"):
        return "kept"
    SocialAccount.objects.filter(user=user).delete()
    return "deleted"


def export_delivery_addresses(user):
    rows = Delivery.objects.filter(user=user).order_by("created_at", "id")
    for delivery in rows.iterator(chunk_size=CHUNK):
        # In full: the export goes to the person themselves.
        yield {
            "requested": delivery.created_at,
            "item": delivery.item,
            "recipient_name": delivery.recipient_name,
            "mobile": delivery.mobile,
            "region": delivery.region,
            "street": delivery.street,
            "status": delivery.status,
            "dispatched": delivery.dispatched_at,
            "delivered": delivery.delivered_at,
            "cancelled": delivery.cancelled_at,
        }


def erase_delivery_addresses(user) -> str:
    """Blank the recipient details (what was delivered and when stays, as after retention)."""
    if _held(user, "delivery_addresses"):
        return "kept"
    delivery_addresses_erase(user=user)
    return "anonymised"


register_personal_data(
    "profile",
    label=_("Account and identity profile"),
    fields=(
        text("username", _("Account name")),
        text("email", _("Email address")),
        records(
            "email_addresses",
            _("All email addresses"),
            text("email", _("Email address")),
            flag("primary", _("Main address")),
            flag("verified", _("Confirmed")),
        ),
        text("first_name", _("Given name")),
        text("last_name", _("Family name")),
        text("phone", _("Mobile number")),
        flag("phone_verified", _("Mobile number confirmed")),
        text("account_kind", _("Kind of account"), choices=AccountKind.choices),
        text("language", _("Language"), choices=LANGUAGE_NAMES),
        flag("is_minor", _("Under 14")),
        moment("date_joined", _("Account opened")),
        moment("last_login", _("Last signed in")),
        text("legal_name", _("Legal name")),
        text("id_number", _("Resident ID number")),
        day("birth_date", _("Date of birth")),
        text("bank_card", _("Bank card number")),
        text("organisation_name", _("Organisation name")),
        text("uscc", _("Unified social credit code")),
        text("legal_representative", _("Legal representative")),
        number("verification_level", _("Verification level"), choices=VerificationLevel.choices),
        texts("verified_fields", _("Details confirmed by a verification provider"), choices=FIELD_LABELS),
        moment("identity_verified_at", _("Identity verified")),
    ),
    purpose=_("To run your account and to know it is you when you use government services online."),
    legal_basis=LegalBasis.CONTRACT,
    models=[User, IdentityProfile, EmailAddress],
    exporter=export_profile,
    eraser=erase_profile,
)
register_personal_data(
    "identity_verifications",
    label=_("Real-name verification attempts"),
    fields=(
        moment("time", _("Time")),
        text("provider", _("Verification provider"), choices=provider_labels),
        text("outcome", pgettext_lazy("export column", "Outcome"), choices=IdentityVerificationAttempt.Outcome.choices),
        text("provider_reference", _("Provider's reference")),
    ),
    purpose=_("Real-name registration is required by law for online government services."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[IdentityVerificationAttempt],
    exporter=export_identity_verifications,
    eraser=erase_identity_verifications,
)
register_personal_data(
    "sign_in_activity",
    label=_("Sign-in activity"),
    fields=(
        moment("time", _("Time")),
        text("network", _("Network (address shortened)")),
        text("device", _("Device and browser"), display=device_name),
        text("method", _("Sign-in method"), choices=LoginMethod.choices),
    ),
    purpose=_("To keep your account safe and to keep the network logs the law asks for."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[LoginActivity],
    exporter=export_sign_in_activity,
    eraser=erase_sign_in_activity,
)
register_personal_data(
    "sessions",
    label=_("Sessions and devices"),
    fields=(
        moment("started", pgettext_lazy("export column", "Started")),
        moment("last_seen", _("Last used")),
        text("network", _("Network (address shortened)")),
        text("device", _("Device and browser"), display=device_name),
    ),
    purpose=_("So that you stay signed in and can see and end your sessions."),
    legal_basis=LegalBasis.CONTRACT,
    models=[UserSession],
    exporter=export_sessions,
    eraser=erase_sessions,
)
register_personal_data(
    "two_factor",
    label=_("Two-factor sign-in methods"),
    fields=(
        text("kind", pgettext_lazy("export column", "Method"), choices=TWO_FACTOR_KINDS),
        # The portal names each device after its kind ("authenticator"), which the column before says in words.
        text("name", pgettext_lazy("export column", "Name"), in_summary=False),
        flag("confirmed", pgettext_lazy("export column", "Set up")),
        moment("created", pgettext_lazy("export column", "Added")),
        moment("last_used", _("Last used")),
    ),
    purpose=_("To ask for a second proof that it is you when you sign in."),
    legal_basis=LegalBasis.CONTRACT,
    models=[TOTPDevice, EmailDevice, StaticDevice, StaffEnrolment],
    exporter=export_two_factor,
    eraser=erase_two_factor,
)
register_personal_data(
    "guardian_links",
    label=_("Guardian links"),
    fields=(
        text("your_role", _("Your role"), choices=GUARDIAN_ROLES),
        text("other_account", _("Other account"), display=_other_account),
        text("state", _("State"), choices=GuardianLink.State.choices),
        moment("created", pgettext_lazy("export column", "Created")),
        moment("confirmed", _("Confirmed")),
        moment("ended", _("Ended")),
    ),
    purpose=_("The law requires a guardian's consent for the personal information of children under 14."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[GuardianLink],
    exporter=export_guardian_links,
    eraser=erase_guardian_links,
)
register_personal_data(
    "step_up_checks",
    label=_("Identity checks before sensitive actions"),
    fields=(
        moment("time", _("Time")),
        text("method", pgettext_lazy("export column", "Method"), choices=StepUpCheck.Method.choices),
    ),
    purpose=_("To make sure it is you before a rights request or another sensitive change."),
    legal_basis=LegalBasis.STATUTORY_DUTY,
    models=[StepUpCheck],
    exporter=export_step_up_checks,
    eraser=erase_step_up_checks,
)
register_personal_data(
    "social_accounts",
    label=_("Linked accounts"),
    fields=(
        text("provider", pgettext_lazy("export column", "Provider"), choices=linked_service_names),
        text("uid", _("Your number with the provider")),
        moment("linked", pgettext_lazy("export column", "Linked")),
    ),
    purpose=_("So that you can sign in with an account you linked."),
    legal_basis=LegalBasis.CONSENT,
    models=[SocialAccount],
    exporter=export_social_accounts,
    eraser=erase_social_accounts,
)
register_personal_data(
    "delivery_addresses",
    label=_("Delivery addresses"),
    fields=(
        moment("requested", _("Requested")),
        text("item", pgettext_lazy("export column", "Item")),
        text("recipient_name", _("Recipient")),
        text("mobile", _("Mobile number")),
        text("region", pgettext_lazy("export column", "Region")),
        text("street", _("Street address")),
        text("status", _("Status"), choices=DeliveryStatus.choices),
        moment("dispatched", _("Dispatched")),
        moment("delivered", _("Delivered")),
        moment("cancelled", _("Cancelled")),
    ),
    purpose=_("To post you the documents and items you asked for."),
    legal_basis=LegalBasis.CONTRACT,
    models=[Delivery],
    exporter=export_delivery_addresses,
    eraser=erase_delivery_addresses,
)
