"""The permission matrix: which staff role may do what, written down once.

Each role is a ``Group`` named after its ``StaffRole`` value. The groups get
exactly the permissions listed here, every time ``migrate`` runs (see
``accounts.staff.receivers``) and whenever ``staff_groups_ensure()`` is
called: a permission removed from this file is taken away, and one added by
hand in admin is overwritten. Change access here, in review, not in admin.

Entries are ``"app_label.codename"``, as ``user.has_perm()`` spells them.
Entries for models that later issues add (rights requests, legal holds,
disclosures, incidents) are skipped until those models exist, and picked up
by the first ``migrate`` after they do. When such an issue names its models
differently, it corrects its lines here.
"""

from accounts.roles import StaffRole


def _model(label: str, *actions: str) -> tuple[str, ...]:
    """``_model("accounts.user", "view")`` -> ``("accounts.view_user",)``."""
    app_label, model_name = label.split(".")
    return tuple(f"{app_label}.{action}_{model_name}" for action in actions)


REVEAL_PERMISSION = "accounts.reveal_identityprofile"

# Read-only views of a citizen's account, always masked in admin.
_CITIZEN_VIEWS = (
    *_model("accounts.user", "view"),
    *_model("accounts.identityprofile", "view"),
    *_model("accounts.loginactivity", "view"),
    # Handling a request means checking that the person proved who they are:
    # the verification outcome, the step-up checks and any guardian link.
    *_model("accounts.identityverificationattempt", "view"),
    *_model("accounts.stepupcheck", "view"),
    *_model("accounts.guardianlink", "view"),
)

CUSTOMER_SERVICE = (
    *_CITIZEN_VIEWS,
    # Who may reveal a masked field: customer service and privacy officers,
    # never auditors. Customer service checks a caller's identity on the
    # hotline against the full ID number; every reveal asks for a reason and
    # lands in the audit log, where auditors and privacy officers read it.
    # An auditor who could reveal would be auditing their own look-ups.
    REVEAL_PERMISSION,
    # Rights requests (issue #5): staff take requests by phone or at the
    # counter, work the queue and message the citizen.
    *_model("privacy_requests.privacyrequest", "view", "add", "change"),
    *_model("privacy_requests.requestmessage", "view", "add"),
    # Which services confirmed a deletion's erasure (issue #13).
    *_model("privacy_requests.erasureinstruction", "view"),
    # "What has this person agreed to?" is a common hotline question.
    *_model("consents.consentstate", "view"),
    # A citizen verified in person at a service counter reaches level 3.
    *_model("consents.strongverification", "view", "add"),
    # Offline deliveries (clause 2.4): customer service follows them up with
    # the courier and marks them dispatched and delivered.
    *_model("accounts.delivery", "view", "change"),
)

PRIVACY_OFFICER = (
    *CUSTOMER_SERVICE,
    # The sandbox provider's registry of test identities.
    *_model("accounts.sandboxidentity", "view", "add", "change"),
    *_model("audit.auditevent", "view"),
    # Platform services as OAuth2 clients (issue #13): register, choose scopes, deactivate, rotate
    # secrets; every change audited. Nobody deletes one.
    *_model("accounts.serviceclient", "view", "add", "change"),
    # Staff second factors (issue #11): enrolment links and resets, never for oneself.
    "accounts.manage_staff_second_factor",
    *_model("accounts.staffenrolment", "view"),
    # Legal holds (issue #6), disclosures and sharing (issue #4), security
    # incidents: the officer decides and records; nobody deletes.
    *_model("personal_data.legalhold", "view", "add", "change"),
    *_model("retention.retentionrule", "view", "add", "change"),
    *_model("retention.sweepreport", "view"),
    *_model("retention.sweepreportline", "view"),
    # The register of processing (clause 7.2): page and CSV download.
    *_model("retention.processingregister", "view"),
    *_model("consents.disclosure", "view", "add", "change"),
    # The catalogue the policy describes: purposes, partners, data
    # categories, policy versions and optional services.
    *_model("consents.purpose", "view", "add", "change"),
    *_model("consents.partner", "view", "add", "change"),
    *_model("consents.datacategory", "view", "add", "change"),
    *_model("consents.policyversion", "view", "add", "change"),
    *_model("consents.optionalservice", "view", "add", "change"),
    *_model("consents.policydisplay", "view"),
    *_model("consents.serviceenrolment", "view"),
    *_model("consents.consentevent", "view"),
    # Mainland holidays and make-up working days: deadlines count on them.
    *_model("privacy_requests.calendarday", "view", "add", "change", "delete"),
    *_model("privacy_requests.exportfile", "view"),
    *_model("incidents.incident", "view", "add", "change"),
    # A service that never confirms an erasure: the officer records why the
    # request is fully done without it (issue #13).
    "privacy_requests.close_erasure_propagation",
    # The consent report (issue #15): figures per purpose and partner, and the CSV of states by
    # subject id (ids and codes only; each download audited).
    "consents.view_consentreport",
    "consents.export_consentreport",
    # Webhooks to service clients (issue #13): endpoints and their secrets, the delivery log, replays.
    *_model("webhooks.webhookendpoint", "view", "add", "change"),
    "webhooks.rotate_secret_webhookendpoint",
    *_model("webhooks.webhookdelivery", "view"),
    "webhooks.replay_webhookdelivery",
    *_model("webhooks.webhookattempt", "view"),
)

# Read-only on purpose: no add, change, delete or reveal, so what an auditor
# sees is exactly what the log and the (masked) records say.
AUDITOR = (
    *_model("accounts.user", "view"),
    *_model("accounts.identityprofile", "view"),
    *_model("accounts.identityverificationattempt", "view"),
    *_model("accounts.sandboxidentity", "view"),
    *_model("accounts.loginactivity", "view"),
    *_model("accounts.guardianlink", "view"),
    *_model("accounts.stepupcheck", "view"),
    *_model("accounts.delivery", "view"),
    *_model("audit.auditevent", "view"),
    # The consent ledger is the other append-only log (clause 7.2).
    # The consent report's figures, not the CSV by subject id.
    "consents.view_consentreport",
    *_model("consents.consentevent", "view"),
    *_model("consents.strongverification", "view"),
    *_model("privacy_requests.privacyrequest", "view"),
    *_model("privacy_requests.exportfile", "view"),
    *_model("privacy_requests.erasureinstruction", "view"),
    *_model("personal_data.legalhold", "view"),
    *_model("retention.retentionrule", "view"),
    *_model("retention.sweepreport", "view"),
    *_model("retention.sweepreportline", "view"),
    *_model("retention.processingregister", "view"),
    *_model("consents.disclosure", "view"),
    *_model("incidents.incident", "view"),
    *_model("webhooks.webhookendpoint", "view"),
    *_model("webhooks.webhookdelivery", "view"),
    *_model("webhooks.webhookattempt", "view"),
)

STAFF_PERMISSIONS: dict[str, tuple[str, ...]] = {
    StaffRole.CUSTOMER_SERVICE.value: CUSTOMER_SERVICE,
    StaffRole.PRIVACY_OFFICER.value: PRIVACY_OFFICER,
    StaffRole.AUDITOR.value: AUDITOR,
}
