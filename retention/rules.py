"""The default retention rules, as plain data, and what a rule may say.

The data migration ``0002_seed_rules`` loads ``DEFAULT_RULES`` once;
afterwards the rules live in the database and privacy officers edit them in
admin. Keep this list in step with the migration only by adding to it: a
changed default here does not change a rule already in a database.

Not rules, because something else already does the job:

- One-time email codes (django_otp ``EmailDevice``) are a token and an
  expiry *on the device row* (``token``, ``valid_until``), not rows of their
  own: django-otp overwrites the token with the next code and refuses it after
  ``OTP_EMAIL_TOKEN_VALIDITY`` seconds, and the device row itself lives as
  long as the person keeps email codes switched on.
- Cancelled accounts are anonymised by the cancellation handler
  (``privacy_requests.cancellation``) the moment cancellation completes.
- Celery keeps no task results (``CELERY_RESULT_BACKEND = None``), so there
  is nothing to expire there; log files rotate at the host (see the
  deployment notes), and log lines are masked before they are written.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from personal_data.retention_conditions import register_retention_condition, retention_condition_names

DATABASE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "accounts.session_store",
)


def _usersession_gone():
    from django.conf import settings
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        # Sessions live elsewhere (cache, signed cookies): an empty table says nothing about them.
        return Q(pk__in=[])
    return ~Exists(Session.objects.filter(session_key=OuterRef("session_key")))


# Named conditions a rule may add to its filter, for what a lookup cannot say, live in the
# personal_data registry (personal_data.retention_conditions): "step_up_unused" comes from
# privacy_requests/personal_data.py; the one about sessions is the retention app's own.
register_retention_condition("session_gone", _usersession_gone)

DEFAULT_RULES = [
    {
        "code": "step_up_checks",
        "category": "step_up_checks",
        "description": "Identity checks before sensitive actions: one day, unless a rights request relied on it.",
        "model": "accounts.stepupcheck",
        "event": "created",
        "date_field": "verified_at",
        "condition": "step_up_unused",
        "person_field": "user",
        "period_days": 1,
        "action": "delete",
    },
    {
        "code": "export_files",
        "category": "export_files",
        "description": "Copies of a person's data: seven days after the download link is issued; the file goes too.",
        "model": "privacy_requests.exportfile",
        "event": "export link issued",
        "date_field": "ready_at",
        "person_field": "request__requester",
        "period_days": 7,
        "action": "delete",
    },
    {
        "code": "export_files_failed",
        "category": "export_files",
        "description": "Exports that failed to build: seven days after they were asked for.",
        "model": "privacy_requests.exportfile",
        "event": "created",
        "date_field": "created_at",
        "filters": {"state": "failed"},
        "person_field": "request__requester",
        "period_days": 7,
        "action": "delete",
    },
    {
        "code": "locations",
        "category": "locations",
        "description": "Shared locations: thirty days.",
        "model": "consents.locationrecord",
        "event": "created",
        "date_field": "created_at",
        "person_field": "user",
        "period_days": 30,
        "action": "delete",
    },
    {
        "code": "sign_in_activity",
        "category": "sign_in_activity",
        "description": "Sign-in records: six months, the minimum network logs are kept for.",
        "model": "accounts.loginactivity",
        "event": "created",
        "date_field": "created_at",
        "person_field": "user",
        "period_days": 183,
        "action": "delete",
    },
    {
        "code": "optional_services_left",
        "category": "optional_services",
        "description": "Data given to an optional service the person left: blanked when its deletion date passes.",
        "model": "consents.serviceenrolment",
        "event": "purpose withdrawn",
        "date_field": "data_delete_after",
        "filters": {"state": "left"},
        "person_field": "user",
        "period_days": 0,
        "action": "anonymise",
        "anonymise_fields": ["data"],
    },
    {
        "code": "service_checks",
        "category": "service_checks",
        "description": "Counts of the consent checks services made about a person: six months, as sign-in records.",
        "model": "consents.servicecheckday",
        "event": "day counted",
        "date_field": "day",
        "person_field": "subject",
        "period_days": 183,
        "action": "delete",
    },
    {
        "code": "emails_sent",
        "category": "emails",
        "description": "Emails sent: ninety days after sending.",
        "model": "notifications.outboxemail",
        "event": "delivery completed",
        "date_field": "sent_at",
        "filters": {"state": "sent"},
        "person_field": "recipient",
        "period_days": 90,
        "action": "delete",
    },
    {
        "code": "inbox_messages_read",
        "category": "inbox_messages",
        "description": "Inbox messages: one year after they were read.",
        "model": "notifications.inboxmessage",
        "event": "read",
        "date_field": "read_at",
        "person_field": "recipient",
        "period_days": 365,
        "action": "delete",
    },
    {
        "code": "django_sessions_expired",
        "category": "django_sessions",
        "description": "Expired sign-in sessions (the session store).",
        "model": "sessions.session",
        "event": "session expired",
        "date_field": "expire_date",
        "person_field": "",
        "period_days": 0,
        "action": "delete",
    },
    {
        "code": "sessions_ended",
        "category": "sessions",
        "description": "The list of a person's sessions and devices: an entry whose session is gone.",
        "model": "usersessions.usersession",
        "event": "last seen",
        "date_field": "last_seen_at",
        "condition": "session_gone",
        "person_field": "user",
        "period_days": 0,
        "action": "delete",
    },
    # Clause 2.4: a delivery address is kept until the delivery is done plus
    # ninety days. Anonymised, not deleted: what was delivered and when stays
    # for statistics (seeded by migration 0004_seed_delivery_rules).
    {
        "code": "delivery_addresses",
        "category": "delivery_addresses",
        "description": "Delivery recipients' names, mobiles and addresses: blanked ninety days after delivery.",
        "model": "accounts.delivery",
        "event": "delivery completed",
        "date_field": "delivered_at",
        "filters": {"status": "delivered"},
        "person_field": "user",
        "period_days": 90,
        "action": "anonymise",
        "anonymise_fields": ["recipient_name", "mobile", "region", "street"],
    },
    {
        "code": "delivery_addresses_cancelled",
        "category": "delivery_addresses",
        "description": "Recipients' details of a cancelled delivery: blanked ninety days after the cancellation.",
        "model": "accounts.delivery",
        "event": "delivery cancelled",
        "date_field": "cancelled_at",
        "filters": {"status": "cancelled"},
        "person_field": "user",
        "period_days": 90,
        "action": "anonymise",
        "anonymise_fields": ["recipient_name", "mobile", "region", "street"],
    },
]

# Models holding personal data that no rule expires, and why. A model in the
# personal-data registry must be covered by a rule or named here
# (retention/tests/test_coverage.py).
KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT = "lives as long as the account; erased or anonymised by deletion and cancellation"
NOT_EXPIRED_BY_RULE = {
    "accounts.user": "anonymised by the cancellation handler when cancellation completes",
    "accounts.identityprofile": KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "account.emailaddress": KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "accounts.identityverificationattempt": "evidence of the verification level; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "accounts.guardianlink": "a minor's guardian consent must stay provable; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "otp_totp.totpdevice": "a sign-in method the person keeps; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "otp_email.emaildevice": "one-time codes are fields of the device and expire in django-otp (see module doc)",
    "otp_static.staticdevice": "recovery codes the person keeps; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "accounts.staffenrolment": (
        "a staff member's enrolment links: a hash, never the link, and who issued them (also in the audit log); "
        + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT
    ),
    "socialaccount.socialaccount": "a linked account the person keeps; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "consents.consentstate": "what the person agrees to now; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "consents.consentsubject": "the ledger chain's subject; unlinked from the account when it is erased",
    "consents.consentevent": "the consent ledger is evidence: kept, and anonymised with the account",
    "consents.policydisplay": "proof of what the person was shown before consenting; kept with the ledger",
    "consents.interesttag": "the person sees and deletes them; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "consents.strongverification": "evidence of the verification level; " + KEPT_FOR_THE_LIFE_OF_THE_ACCOUNT,
    "privacy_requests.privacyrequest": "the portal must show it met its deadlines; anonymised at erasure",
    "privacy_requests.requestevent": "the timeline of a request; kept with the request",
    "privacy_requests.requestmessage": "kept with the request; deleted at erasure",
    "privacy_requests.requestoutcome": "category codes and legal reasons only; kept with the request",
    # Issue #6's other ledgers (owned by their apps; a rule may replace these entries once periods are decided).
    "consents.disclosure": "the disclosure ledger shows the person who received their data (clause 5.3); evidence",
    "consents.disclosuresubject": "the subjects of a disclosure; kept with the disclosure ledger",
    "notifications.fanoutrecipient": "proof each person was told of an incident or a policy change, and what stops "
    "a resumed fan-out writing to anyone twice; kept with the incident or policy version",
}


def rule_model(rule) -> type[models.Model]:
    return apps.get_model(rule.model)


def _resolve(model, path: str):
    """The field at the end of a lookup path like ``request__requester``."""
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model if field.is_relation else model
    return field


def reverse_relations(model):
    """The foreign keys and one-to-ones of other models that point at ``model`` (hidden ones included)."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
    ]


def blank_value(field):
    """What anonymising ``field`` writes: NULL where allowed, else an empty string."""
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return models.NOT_PROVIDED


def rule_problems(rule) -> list[str]:
    """What is wrong with a rule, as messages for the admin form; empty when it can run."""
    try:
        model = rule_model(rule)
    except (LookupError, ValueError):
        return [_("Unknown model %(model)s.") % {"model": rule.model}]
    problems = []
    try:
        field = model._meta.get_field(rule.date_field)
        if not isinstance(field, models.DateTimeField | models.DateField):
            problems.append(_("%(field)s is not a date field.") % {"field": rule.date_field})
    except FieldDoesNotExist:
        problems.append(_("The model has no field %(field)s.") % {"field": rule.date_field})
    if rule.person_field:
        try:
            _resolve(model, rule.person_field)
        except (FieldDoesNotExist, AttributeError):
            problems.append(_("The model has no field %(field)s.") % {"field": rule.person_field})
    if not isinstance(rule.filters, dict):
        problems.append(_("The filter must be a JSON object of field lookups."))
    if rule.condition and rule.condition not in retention_condition_names():
        problems.append(_("Unknown named condition %(name)s.") % {"name": rule.condition})
    if rule.action == "delete":
        # The sweep deletes CASCADE children set-based, one level deep; deeper trees need their own rules.
        for relation in reverse_relations(model):
            if relation.on_delete is models.CASCADE and reverse_relations(relation.related_model):
                problems.append(
                    _("Deleting these rows would cascade through %(model)s: give that model its own rule first.")
                    % {"model": relation.related_model._meta.label_lower}
                )
    if rule.action == "anonymise":
        if not rule.anonymise_fields or not isinstance(rule.anonymise_fields, list):
            problems.append(_("Anonymising needs the list of fields to blank."))
        for name in rule.anonymise_fields or []:
            try:
                target = model._meta.get_field(name)
            except FieldDoesNotExist:
                problems.append(_("The model has no field %(field)s.") % {"field": name})
                continue
            if target.primary_key or blank_value(target) is models.NOT_PROVIDED:
                problems.append(_("%(field)s cannot be blanked.") % {"field": name})
    return problems
