"""The consent check API at two population sizes, and the batch check.

A platform service asks "may we?" for one person at a time, so the check's
cost must not grow with the number of people in the current-state table.
Services that ask about many people at once use the batch check; its figure
is subjects answered per second in batches of 1,000, by the selector alone
and through the API (in process, without HTTP: ``bench.http`` measures that).
The population is written with set-based SQL (generate_series): a million
ORM saves would measure the seeding, not the check.
"""

import base64
import random
import time

from django.db import connection
from django.test import Client

from accounts.service_clients.scopes import CONSENT_CHECK
from bench.registry import BenchmarkFailed, benchmark
from bench.report import figure, progress
from consents.models import PolicyVersion, Purpose
from consents.selectors import consent_check_many
from consents.table_caches import catalogue_cached

SMALL = 1_000
LARGE = 1_000_000
CHECKS = 3_000
WARMUP = 300
SEED_BATCH = 200_000
PURPOSE = "recommendations"
BATCH = 1_000
BATCHES = 50


@benchmark("consent_check")
def consent_check(session) -> None:
    """Consent checks per second through the API for 1,000 and 1,000,000 people."""
    small, large = session.scaled(SMALL), session.scaled(LARGE)
    client = _service_client()
    purpose = Purpose.objects.get(code=PURPOSE)
    policy = PolicyVersion.objects.order_by("-effective_at").first()

    _seed(first=1, last=small, purpose=purpose, policy=policy)
    small_rate = _measure(client, small)
    figure("consent_check_rate_small", small_rate, "checks/s")

    _seed(first=small + 1, last=large, purpose=purpose, policy=policy)
    large_rate = _measure(client, large)
    figure("consent_check_rate_large", large_rate, "checks/s")
    figure("consent_check_scale_ratio", large_rate / small_rate, "")

    selector_rate, api_rate = _measure_batches(client, large)
    figure("consent_check_batch_selector_subjects_per_s", selector_rate, "subjects/s")
    figure("consent_check_batch_api_subjects_per_s", api_rate, "subjects/s")


def _service_client() -> Client:
    """A test client carrying a service client's bearer token, from the client-credentials grant."""
    from bench.serving import service_clients_register

    [(client_id, secret)] = service_clients_register(count=1, scopes=[CONSENT_CHECK], prefix="consent-check")
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    answer = Client(SERVER_NAME="localhost").post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}", secure=True
    )
    if answer.status_code != 200:
        raise BenchmarkFailed(f"/o/token/ answered {answer.status_code}: {answer.content[:300]!r}")
    return Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}")


def _seed(*, first: int, last: int, purpose, policy) -> None:
    """Citizens ``bench-<n>`` with one granted consent each: user, ledger event, current state."""
    progress(f"seeding people {first}..{last}")
    started = time.perf_counter()
    for low in range(first, last + 1, SEED_BATCH):
        high = min(last, low + SEED_BATCH - 1)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                    is_staff, is_active, date_joined, kind, language, phone, phone_hash, phone_verified, is_minor,
                    reminders_enabled)
                SELECT '!', false, 'bench-' || n, '', '', 'bench-' || n || '@bench.example.cn',
                    false, true, now(), 'individual', 'zh-hans', '', '', false, false, true
                FROM generate_series(%(low)s, %(high)s) AS n
                """,
                {"low": low, "high": high},
            )
            # Each person's chain head: the check finds the state's event in this person's chain.
            cursor.execute(
                """
                INSERT INTO consents_consentsubject (user_id, ref, last_seq, last_hash)
                SELECT u.id, gen_random_uuid(), 1, md5(u.id::text) || md5(u.username)
                FROM accounts_user u
                WHERE u.username LIKE 'bench-%%' AND substring(u.username from 7)::int BETWEEN %(low)s AND %(high)s
                """,
                {"low": low, "high": high},
            )
            cursor.execute(
                """
                INSERT INTO consents_consentevent (subject_ref, seq, subject_id, purpose_id, purpose_version,
                    partner_id, action, policy_version_id, channel, actor_id, created_at, prev_hash, hash, key_id)
                SELECT s.ref, 1, u.id, %(purpose)s, %(version)s, NULL, 'granted', %(policy)s, 'web',
                    u.id, now(), repeat('0', 64), s.last_hash, ''
                FROM accounts_user u
                JOIN consents_consentsubject s ON s.user_id = u.id
                WHERE u.username LIKE 'bench-%%' AND substring(u.username from 7)::int BETWEEN %(low)s AND %(high)s
                """,
                {"purpose": purpose.pk, "version": purpose.version, "policy": policy.pk, "low": low, "high": high},
            )
            cursor.execute(
                """
                INSERT INTO consents_consentstate (subject_id, purpose_id, partner_id, granted, purpose_version,
                    policy_version_id, channel, by_guardian, event_id, updated_at)
                SELECT e.subject_id, e.purpose_id, NULL, true, e.purpose_version, e.policy_version_id, 'web', false,
                    e.id, e.created_at
                FROM consents_consentevent e
                JOIN accounts_user u ON u.id = e.subject_id
                WHERE u.username LIKE 'bench-%%' AND substring(u.username from 7)::int BETWEEN %(low)s AND %(high)s
                """,
                {"low": low, "high": high},
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE accounts_user; ANALYZE consents_consentsubject; "
            "ANALYZE consents_consentevent; ANALYZE consents_consentstate"
        )
    progress(f"  seeded in {time.perf_counter() - started:.1f} s")


def _subject_ids(population: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM accounts_user WHERE username LIKE 'bench-%%'")
        (lowest,) = cursor.fetchone()
    rng = random.Random(population)
    return [lowest + rng.randrange(population) for _ in range(CHECKS + WARMUP)]


def _measure(client: Client, population: int) -> float:
    ids = _subject_ids(population)
    for subject in ids[:WARMUP]:
        _check(client, subject)
    started = time.perf_counter()
    for subject in ids[WARMUP:]:
        _check(client, subject)
    return CHECKS / (time.perf_counter() - started)


def _check(client: Client, subject: int) -> None:
    response = client.get("/api/v1/consent-check/", {"subject": subject, "purpose": PURPOSE})
    if response.status_code != 200 or not response.json()["allowed"]:
        raise BenchmarkFailed(
            f"check for subject {subject} answered {response.status_code}: {response.content[:200]!r}"
        )


def _batches(population: int) -> list[list[int]]:
    """``BATCHES`` batches of distinct people (all of them when fewer than ``BATCH``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM accounts_user WHERE username LIKE 'bench-%%'")
        (lowest,) = cursor.fetchone()
    rng = random.Random(population + 1)
    size = min(BATCH, population)
    return [[lowest + n for n in rng.sample(range(population), size)] for _ in range(BATCHES)]


def _measure_batches(client: Client, population: int) -> tuple[float, float]:
    """Subjects per second: ``consent_check_many`` on its own, then ``POST /api/v1/consent-check/batch/``."""
    batches = _batches(population)
    catalogue = catalogue_cached()
    purpose = catalogue.purposes[PURPOSE]
    consent_check_many(subject_ids=batches[0], purpose=purpose)  # warm
    started = time.perf_counter()
    for batch in batches:
        answers = consent_check_many(subject_ids=batch, purpose=purpose)
        if not all(answer.allowed for answer in answers.values()):
            raise BenchmarkFailed(f"the batch selector refused someone: {next(iter(answers.values()))}")
    selector_rate = len(batches) * len(batches[0]) / (time.perf_counter() - started)

    _batch(client, batches[0])  # warm
    started = time.perf_counter()
    for batch in batches:
        _batch(client, batch)
    api_rate = len(batches) * len(batches[0]) / (time.perf_counter() - started)
    return selector_rate, api_rate


def _batch(client: Client, subjects: list[int]) -> None:
    response = client.post(
        "/api/v1/consent-check/batch/",
        {"purpose": PURPOSE, "subjects": subjects},
        content_type="application/json",
    )
    if response.status_code != 200 or not all(result["allowed"] for result in response.json()["results"]):
        raise BenchmarkFailed(f"the batch check answered {response.status_code}: {response.content[:200]!r}")
