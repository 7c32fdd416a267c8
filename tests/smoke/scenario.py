"""What the smoke test does to the running stack, step by step, and what each step must show.

Everything a citizen does goes over HTTP through nginx. Three things are done
the way an operator would, with ``manage.py`` against the run's database:
registering the sandbox identity the real-name check will accept, registering the
platform service (an OAuth2 client) that asks the consent check, and a staff member
completing the export request (the portal requires staff to complete one).
"""

import io
import json
import os
import random
import re
import signal
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date

from stdnum.cn import ric

from .browser import Browser, MailSink
from .stack import DATABASE, SmokeFailure, Stack, children_of, wait_for

PASSWORD = "Smoke-Test-Passw0rd-2026"
LEGAL_NAME = "冒烟测试"
PURPOSE = "service_optimisation"
# The build is held inside this category's read, after the categories before it are written.
HELD_TABLE = "consents_interesttag"
# The sign-up code (allauth's), and the one-time code of a second-factor or step-up check (django-otp's).
SIGNUP_CODE = re.compile(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", re.MULTILINE)
OTP_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
MAIL_TIMEOUT = 30
# export_build's default_retry_delay: a task whose pool process died is retried after it.
RETRY_DELAY = 120


@dataclass
class Findings:
    """What the summary line reports."""

    killed: str = ""
    filed_via: str = ""
    downloaded_via: str = ""
    readyz_seen: list[int] = field(default_factory=list)
    outage_pages: list[int] = field(default_factory=list)  # statuses of the citizen's pages with the database down
    steps: list[str] = field(default_factory=list)


def resident_id_number() -> str:
    """A valid mainland resident ID number (GB 11643 check digit) for someone born in 1990."""
    born = date(1990, random.randint(1, 12), random.randint(1, 28))
    body = f"110101{born:%Y%m%d}{random.randint(100, 999)}"
    number = body + ric.calc_check_digit(body + "0")
    ric.validate(number)
    return number


OPERATOR_SETUP = """
import json, sys
from django.contrib.auth import get_user_model
from accounts.identity.services import sandbox_identity_ensure
from accounts.service_clients.models import ServiceClient
from accounts.service_clients.scopes import CONSENT_CHECK
from accounts.service_clients.services import service_client_register, service_client_secret_rotate

given = json.loads(sys.stdin.readline())
sandbox_identity_ensure(legal_name=given["legal_name"], id_number=given["id_number"], note="make smoke")
officer, _ = get_user_model().objects.get_or_create(
    username="officer-smoke",
    defaults={"email": "officer-smoke@smoke.example.cn", "is_staff": True, "is_superuser": True},
)
client = ServiceClient.objects.filter(name="svc-smoke").first()
if client is None:
    client, secret = service_client_register(actor=officer, name="svc-smoke", scopes=[CONSENT_CHECK])
else:
    secret = service_client_secret_rotate(actor=officer, client=client)
print(json.dumps({"client_id": client.client_id, "client_secret": secret}))
"""

STAFF_COMPLETE = """
import json, sys
from django.contrib.auth import get_user_model
from privacy_requests import services
from privacy_requests.models import PrivacyRequest

given = json.loads(sys.stdin.readline())
staff, _ = get_user_model().objects.get_or_create(
    username="staff-smoke", defaults={"email": "staff-smoke@smoke.example.cn", "is_staff": True}
)
request = PrivacyRequest.objects.get(reference=given["reference"])
services.privacy_request_start_review(request=request, actor=staff)
services.privacy_request_complete(request=request, actor=staff, answer="Your data is attached.")
print(json.dumps({"subject": request.requester_id}))
"""


def _shell(stack: Stack, program: str, given: dict) -> dict:
    # The program on stdin of `manage.py shell`, its input on the line after it: nothing on a command line.
    output = stack.manage("shell", "--no-imports", "-c", program, stdin=json.dumps(given) + "\n")
    return json.loads(output.strip().splitlines()[-1])


class Citizen:
    def __init__(self, stack: Stack):
        self.stack = stack
        self.browser = Browser(stack.base_url)
        self.mail = MailSink(stack.mail_dir)
        self.email = f"smoke-{os.getpid()}-{random.randint(1000, 9999)}@smoke.example.cn"
        self.id_number = resident_id_number()

    def emailed_code(self, *, after: int, pattern: re.Pattern) -> str:
        """The code in the first email with one to this citizen, beyond the ``after`` already seen.

        Other mail (the notice that the identity was verified, say) may arrive in between.
        """

        def arrived() -> str | None:
            for message in self.mail.messages_to(self.email)[after:]:
                found = pattern.search(MailSink.text_of(message))
                if found:
                    return found.group(1)
            return None

        return wait_for(
            arrived, timeout=MAIL_TIMEOUT, message=f"no email with a code reached the sink for {self.email}"
        )

    def mail_count(self) -> int:
        return len(self.mail.messages_to(self.email))

    # -- 1. sign up --------------------------------------------------------------------------

    def sign_up(self) -> None:
        b = self.browser
        page = b.get("/accounts/signup/")
        seen = self.mail_count()
        page = b.submit(
            page,
            b.form(page, testid="signup-form"),
            {"email": self.email, "password1": PASSWORD, "password2": PASSWORD},
        )
        if not page.url.endswith("/accounts/confirm-email/"):
            raise SmokeFailure(f"sign-up did not ask for the emailed code: at {page.url}")
        page = b.submit(page, b.form(page, has="code"), {"code": self.emailed_code(after=seen, pattern=SIGNUP_CODE)})
        # Signed in: the account pages open instead of sending the person to sign in.
        page = b.get("/account/identity/")
        if "/accounts/login/" in page.url:
            raise SmokeFailure("after confirming the emailed code the citizen is not signed in")

    # -- 2. real-name verification -----------------------------------------------------------

    def verify_identity(self) -> None:
        b = self.browser
        page = b.get("/account/identity/verify/")
        b.submit(page, b.form(page, has="id_number"), {"legal_name": LEGAL_NAME, "id_number": self.id_number})
        page = b.get("/account/identity/")
        level = re.search(r'data-testid="verification-level"[^>]*>(.*?)<', page.text, re.DOTALL)
        if not level or "2" not in level.group(1):
            raise SmokeFailure(f"identity not verified to level 2: {page.url}\n{page.text[:1500]}")

    # -- 3. an export request, behind a step-up check ------------------------------------------

    def step_up_if_asked(self, page):
        """Pass the step-up check with an emailed code if ``page`` is the step-up page; the page after."""
        b = self.browser
        if "/account/two-factor/step-up/" not in page.url:
            return page
        seen = self.mail_count()
        page = b.submit(page, b.form(page, has="action"), {"action": "send_email"})
        code = self.emailed_code(after=seen, pattern=OTP_CODE)
        return b.submit(page, b.form(page, testid="code-form-email"), {"email-code": code})

    def file_export(self) -> tuple[str, str]:
        """File the request; its reference, and the instance that took the POST."""
        b = self.browser
        page = self.step_up_if_asked(b.get("/requests/new/export/"))
        if "/requests/new/export/" not in page.url:
            raise SmokeFailure(f"after the step-up check the citizen is at {page.url}, not the request form")
        form = b.form(page, testid="request-form")
        posted_at = len(b.hops)
        page = b.submit(page, form)
        post = b.hops[posted_at]
        if not re.search(r"/requests/\d+/$", page.url):
            raise SmokeFailure(f"filing the export request ended at {page.url}:\n{page.text[:1500]}")
        reference = re.search(r"PR-\d{4}-\d{6}", page.text)
        if not reference:
            raise SmokeFailure("the request page shows no reference")
        return reference.group(0), self.stack.web_for_upstream(post.upstream)


def _export_status(browser: Browser, export_id: int) -> dict:
    return browser.get(f"/api/v1/requests/exports/{export_id}/").json()


def run(stack: Stack, say) -> Findings:
    findings = Findings()
    citizen = Citizen(stack)
    b = citizen.browser

    credentials = _shell(stack, OPERATOR_SETUP, {"legal_name": LEGAL_NAME, "id_number": citizen.id_number})

    say("1. sign-up with the emailed code")
    citizen.sign_up()
    findings.steps.append("signup")

    say("2. real-name verification (sandbox provider)")
    citizen.verify_identity()
    findings.steps.append("identity")

    say("3. export request (step-up code by email)")
    reference, findings.filed_via = citizen.file_export()

    say("4. staff complete it; the build is held mid-way and its pool process killed with SIGKILL")
    locker = stack.postgres.connect(DATABASE, autocommit=False)
    try:
        # Held from before the build starts: the worker writes the categories before this table's,
        # reports its progress, then waits here, mid-build, with nothing stored yet.
        locker.execute(f"LOCK TABLE {HELD_TABLE} IN ACCESS EXCLUSIVE MODE")
        subject = _shell(stack, STAFF_COMPLETE, {"reference": reference})["subject"]
        export_id = _export_id(b, reference)
        status = wait_for(
            lambda: (s := _export_status(b, export_id))["state"] == "building" and s["progress"] > 0 and s,
            timeout=60,
            message="the export never showed as building with progress",
        )
        builder = wait_for(
            lambda: _waiting_worker(stack), timeout=30, message="no worker waited on the held table mid-build"
        )
        parent = stack.services[builder].process.pid
        pool = children_of(parent)
        if len(pool) != 1:
            raise SmokeFailure(f"{builder} has {len(pool)} pool processes, expected 1")
        os.kill(pool[0], signal.SIGKILL)
        findings.killed = builder
        say(f"   {builder}'s pool process {pool[0]} killed at {status['progress']}% of the build")
    finally:
        locker.rollback()
        locker.close()
    wait_for(
        lambda: "WorkerLostError" in stack.services[builder].log_tail(200),
        timeout=30,
        message=f"{builder} did not notice its pool process died",
    )
    if stack.s3_keys():
        raise SmokeFailure(f"the killed build left objects in the bucket: {stack.s3_keys()}")
    killed_at = time.monotonic()

    # While the retry waits out its delay, the rest of the run goes on.
    say("5. consent granted, then withdrawn; the consent check answers no")
    consent_withdraw_checked(stack, b, credentials, subject)
    findings.steps.append("withdrawal")

    say("6. PostgreSQL restarted: /readyz 503 then 200, no traceback for the citizen")
    database_restart(stack, b, findings)

    say(f"7. waiting for the retried build (the task is retried {RETRY_DELAY} s after its process died)")
    wait_for(
        lambda: _export_status(b, export_id)["state"] == "ready",
        timeout=RETRY_DELAY - (time.monotonic() - killed_at) + 90,
        message="the export was not rebuilt after the kill",
        interval=1.0,
    )
    keys = stack.s3_keys()
    if len(keys) != 1:
        raise SmokeFailure(f"expected exactly one export file in the bucket, found {keys}")
    ready_mails = wait_for(
        lambda: _ready_notices(citizen, export_id), timeout=MAIL_TIMEOUT, message="no export-ready email"
    )
    time.sleep(2)  # a second notice, were there one, would be on its way by now
    ready_mails = _ready_notices(citizen, export_id)
    if len(ready_mails) != 1:
        raise SmokeFailure(f"expected one export-ready email, the sink holds {len(ready_mails)}")

    say("   built once; download through the other web instance")
    findings.downloaded_via = download_via_other(stack, b, export_id, citizen, not_via=findings.filed_via)
    findings.steps.append("export")
    stack.check_running()
    if "holding the beat lock" not in stack.services["beat"].log_tail(400):
        raise SmokeFailure("the beat never took the beat lock, so it scheduled nothing")
    return findings


def _export_id(browser: Browser, reference: str) -> int:
    page = browser.get("/requests/")
    found = re.search(r'href="/requests/(\d+)/"[^>]*>\s*' + re.escape(reference), page.text)
    detail = browser.get(f"/requests/{found.group(1)}/") if found else None
    text = detail.text if detail is not None else page.text
    link = re.search(r'/requests/exports/(\d+)/"', text)
    if not link:
        raise SmokeFailure(f"no export progress link for {reference}")
    return int(link.group(1))


def _waiting_worker(stack: Stack) -> str | None:
    """The worker whose database session waits for the held table, by its connection's application name."""
    with stack.postgres.connect(DATABASE, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND application_name LIKE 'smoke-worker-%%'"
        ).fetchall()
    return rows[0][0].removeprefix("smoke-") if rows else None


def _ready_notices(citizen: Citizen, export_id: int) -> list:
    marker = f"/requests/exports/{export_id}/"
    return [m for m in citizen.mail.messages_to(citizen.email) if marker in MailSink.text_of(m)]


def consent_withdraw_checked(stack: Stack, b: Browser, credentials: dict, subject: int) -> None:
    # The platform service asking: its own HTTP client, none of the citizen's cookies. It trades its
    # client id and secret for a bearer token (OAuth2 client credentials) through nginx, as it would.
    service = Browser(stack.base_url)
    issued = service.request(
        "POST",
        "/o/token/",
        data={"grant_type": "client_credentials"},
        auth=(credentials["client_id"], credentials["client_secret"]),
    ).json()
    if issued.get("token_type") != "Bearer" or not 0 < issued.get("expires_in", 0) <= 3600:
        raise SmokeFailure(f"the token endpoint answered {sorted(issued)} with expires_in={issued.get('expires_in')}")
    service.session.headers["Authorization"] = f"Bearer {issued['access_token']}"

    def check() -> dict:
        return service.get("/api/v1/consent-check/", params={"subject": subject, "purpose": PURPOSE}).json()

    page = b.get("/privacy/")
    page = b.submit(page, b.form(page, action=f"/privacy/consent/{PURPOSE}/grant/"))
    answer = check()
    if answer.get("allowed") is not True:
        raise SmokeFailure(f"after granting, the consent check answered {answer}")
    page = b.submit(page, b.form(page, action=f"/privacy/consent/{PURPOSE}/withdraw/"))
    answer = check()
    if answer.get("allowed") is not False or answer.get("reason") != "withdrawn":
        raise SmokeFailure(f"after withdrawing, the consent check answered {answer}")


CITIZEN_PAGES = ("/", "/privacy/", "/requests/")


def database_restart(stack: Stack, b: Browser, findings: Findings) -> None:
    seen = findings.readyz_seen
    # Asked as a load balancer asks: no cookies.
    probe = Browser(stack.base_url)

    def readyz() -> int:
        status = probe.get("/readyz", expect=(200, 503)).status_code
        if not seen or seen[-1] != status:
            seen.append(status)
        return status

    readyz()
    stack.postgres.stop()
    wait_for(lambda: readyz() == 503, timeout=30, message="/readyz did not answer 503 with the database down")
    # Asked with the citizen's session cookie too: the probe never reads the session.
    b.get("/readyz", expect=(503,))
    for path in CITIZEN_PAGES:
        # The portal's own "temporarily unavailable" page (no traceback: checked on every answer), or the
        # page itself if it needs no database.
        findings.outage_pages.append(b.get(path, expect=(200, 503)).status_code)
    stack.postgres.start()
    wait_for(lambda: readyz() == 200, timeout=60, message="/readyz did not come back to 200")
    for path in CITIZEN_PAGES:
        b.get(path, expect=200)


def download_via_other(stack: Stack, b: Browser, export_id: int, citizen: Citizen, *, not_via: str) -> str:
    progress = f"/requests/exports/{export_id}/"
    for _attempt in range(6):
        # nginx takes the upstreams in turn: after a page from the filing instance, the next goes to the other.
        page = b.get(progress)
        if stack.web_for_upstream(b.hops[-1].upstream) != not_via:
            continue
        if 'data-testid="export-download"' not in page.text:
            raise SmokeFailure("the progress page of a ready export offers no download")
        response = b.get(f"{progress}download/")
        served_by = stack.web_for_upstream(b.hops[-1].upstream)
        if served_by == not_via:
            continue
        break
    else:
        raise SmokeFailure(f"six tries never reached the instance that did not file the request ({not_via})")
    request_id = response.headers.get("X-Request-ID", "")
    if request_id:
        # gunicorn writes the access line after the last byte went out: it may land a moment later.
        wait_for(
            lambda: request_id in stack.services[served_by].log_tail(400),
            timeout=10,
            message=f"{served_by}'s access log does not show the download {request_id}",
        )
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        profile = json.loads(archive.read("profile.json"))
    if not profile or profile[0].get("id_number") != citizen.id_number:
        raise SmokeFailure("the downloaded ZIP does not hold the citizen's verified profile")
    return served_by
