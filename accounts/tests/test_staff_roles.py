"""The permission matrix: the three staff groups, what each opens in admin, who reveals."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.identity.services import identity_profile_update
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from accounts.staff import roles as matrix
from accounts.staff import services as staff_services
from accounts.staff.roles import REVEAL_PERMISSION, STAFF_PERMISSIONS
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CS = StaffRole.CUSTOMER_SERVICE.value
PO = StaffRole.PRIVACY_OFFICER.value
AUDITOR = StaffRole.AUDITOR.value
NO_GROUP = "no_group"


def staff_in(role: str):
    return StaffFactory(role=None if role == NO_GROUP else role)


ID_NUMBER = "440106199003071231"


@pytest.fixture
def citizen_on_file(db):
    """Identity, phone and bank card on file: what each role may see of it is the point."""
    user = UserFactory()
    identity_profile_update(
        user=user,
        data={
            "legal_name": "王小明",
            "id_number": ID_NUMBER,
            "phone": "13812345678",
            "bank_card": "6222021234567890128",
        },
    )
    return user


def _codenames(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


# -- The matrix itself ------------------------------------------------------


def test_migrate_created_the_groups_with_their_permissions():
    # No explicit sync here: the post_migrate receiver ran when the test
    # database was migrated.
    names = set(Group.objects.filter(name__in=[r.value for r in StaffRole]).values_list("name", flat=True))
    assert names == {CS, PO, AUDITOR}
    assert "accounts.view_user" in _codenames(Group.objects.get(name=CS))
    assert "audit.view_auditevent" in _codenames(Group.objects.get(name=AUDITOR))


def test_every_entry_for_an_installed_model_exists():
    # Placeholders for later issues' models are skipped; a typo for a model
    # that exists is not.
    assert staff_services.staff_permissions_unresolved() == []


def test_groups_hold_exactly_the_matrix(groups):
    for role, group in groups.items():
        existing = {name for name in STAFF_PERMISSIONS[role] if not _is_placeholder(name)}
        assert _codenames(group) == existing


def _is_placeholder(name: str) -> bool:
    app_label, codename = name.split(".")
    return not Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


def test_privacy_officer_has_everything_customer_service_has(groups):
    assert _codenames(groups[CS]) <= _codenames(groups[PO])
    assert {"accounts.add_sandboxidentity", "accounts.change_sandboxidentity", "audit.view_auditevent"} <= (
        _codenames(groups[PO])
    )
    assert "audit.view_auditevent" not in _codenames(groups[CS])


def test_auditor_is_read_only_and_cannot_reveal(groups):
    codenames = _codenames(groups[AUDITOR])
    assert codenames, "the auditor group must grant something"
    assert all(name.split(".")[1].startswith("view_") for name in codenames)
    assert REVEAL_PERMISSION not in codenames


@pytest.mark.parametrize(("role", "can_reveal"), [(CS, True), (PO, True), (AUDITOR, False), (NO_GROUP, False)])
def test_who_may_reveal(role, can_reveal):
    assert staff_in(role).has_perm(REVEAL_PERMISSION) is can_reveal


def test_sync_takes_away_permissions_granted_by_hand(groups):
    delete_user = Permission.objects.get(content_type__app_label="accounts", codename="delete_user")
    groups[AUDITOR].permissions.add(delete_user)
    staff_groups_ensure()
    assert "accounts.delete_user" not in _codenames(Group.objects.get(name=AUDITOR))


def test_entries_for_apps_not_built_yet_are_skipped_then_picked_up(groups, monkeypatch):
    monkeypatch.setitem(STAFF_PERMISSIONS, PO, (*matrix.PRIVACY_OFFICER, "futureapp.view_incident"))
    staff_groups_ensure()  # no error while the permission does not exist
    assert "futureapp.view_incident" not in _codenames(Group.objects.get(name=PO))

    content_type = ContentType.objects.create(app_label="futureapp", model="incident")
    Permission.objects.create(content_type=content_type, codename="view_incident", name="Can view incident")
    staff_groups_ensure()
    assert "futureapp.view_incident" in _codenames(Group.objects.get(name=PO))


# -- What each role opens in admin ----------------------------------------

PAGES = [
    "index",
    "user_list",
    "user_view",
    "identity_list",
    "identity_view",
    "login_activity_list",
    "sandbox_list",
    "sandbox_add",
    "audit_list",
    "group_list",
    "reveal_id_number",
    "reveal_phone",
]

EXPECTED = {
    CS: {
        "index": 200,
        "user_list": 200,
        "user_view": 200,
        "identity_list": 200,
        "identity_view": 200,
        "login_activity_list": 200,
        "sandbox_list": 403,
        "sandbox_add": 403,
        "audit_list": 403,
        "group_list": 403,
        "reveal_id_number": 200,
        "reveal_phone": 200,
    },
    PO: {
        "index": 200,
        "user_list": 200,
        "user_view": 200,
        "identity_list": 200,
        "identity_view": 200,
        "login_activity_list": 200,
        "sandbox_list": 200,
        "sandbox_add": 200,
        "audit_list": 200,
        "group_list": 403,
        "reveal_id_number": 200,
        "reveal_phone": 200,
    },
    AUDITOR: {
        "index": 200,
        "user_list": 200,
        "user_view": 200,
        "identity_list": 200,
        "identity_view": 200,
        "login_activity_list": 200,
        "sandbox_list": 200,
        "sandbox_add": 403,
        "audit_list": 200,
        "group_list": 403,
        "reveal_id_number": 403,
        "reveal_phone": 403,
    },
    NO_GROUP: dict.fromkeys(PAGES, 403) | {"index": 200},
}


def _url(page: str, citizen_on_file) -> str:
    profile = citizen_on_file.identity
    return {
        "index": reverse("admin:index"),
        "user_list": reverse("admin:accounts_user_changelist"),
        "user_view": reverse("admin:accounts_user_change", args=[citizen_on_file.pk]),
        "identity_list": reverse("admin:accounts_identityprofile_changelist"),
        "identity_view": reverse("admin:accounts_identityprofile_change", args=[profile.pk]),
        "login_activity_list": reverse("admin:accounts_loginactivity_changelist"),
        "sandbox_list": reverse("admin:accounts_sandboxidentity_changelist"),
        "sandbox_add": reverse("admin:accounts_sandboxidentity_add"),
        "audit_list": reverse("admin:audit_auditevent_changelist"),
        "group_list": reverse("admin:auth_group_changelist"),
        "reveal_id_number": reverse(
            "admin:accounts_identityprofile_reveal", kwargs={"object_id": profile.pk, "field": "id_number"}
        ),
        "reveal_phone": reverse(
            "admin:accounts_user_reveal", kwargs={"object_id": citizen_on_file.pk, "field": "phone"}
        ),
    }[page]


@pytest.mark.parametrize("role", [CS, PO, AUDITOR, NO_GROUP])
def test_admin_pages_each_role_opens(citizen_on_file, verified_client, role):
    client = verified_client(staff_in(role))
    got = {page: client.get(_url(page, citizen_on_file)).status_code for page in PAGES}
    assert got == EXPECTED[role]


def test_staff_without_a_group_sees_no_app_and_nothing_personal(citizen_on_file, verified_client):
    client = verified_client(StaffFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["app_list"] == []
    body = response.content.decode()
    assert "4401" not in body
    assert citizen_on_file.email not in body


@pytest.mark.parametrize("role", [CS, PO, AUDITOR])
def test_staff_who_skipped_the_second_factor_are_sent_to_sign_in(citizen_on_file, client, role):
    client.force_login(staff_in(role))
    response = client.get(_url("identity_view", citizen_on_file))
    assert response.status_code == 302
    response = client.get(_url("reveal_id_number", citizen_on_file))
    assert response.status_code == 302


def test_auditor_cannot_change_or_delete_anything(citizen_on_file, verified_client):
    client = verified_client(StaffFactory(role=AUDITOR))
    profile = citizen_on_file.identity
    attempts = [
        client.post(reverse("admin:accounts_user_change", args=[citizen_on_file.pk]), {"username": "renamed"}),
        client.post(reverse("admin:accounts_user_delete", args=[citizen_on_file.pk]), {"post": "yes"}),
        client.post(reverse("admin:accounts_identityprofile_delete", args=[profile.pk]), {"post": "yes"}),
        client.post(reverse("admin:accounts_sandboxidentity_add"), {"legal_name": "测试", "id_number": ID_NUMBER}),
        client.post(
            reverse("admin:accounts_identityprofile_reveal", kwargs={"object_id": profile.pk, "field": "id_number"}),
            {"reason": "Checking a complaint ticket 2026-17"},
        ),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403, 403, 403]
    citizen_on_file.refresh_from_db()
    assert citizen_on_file.username != "renamed"
    assert type(citizen_on_file).objects.filter(pk=citizen_on_file.pk).exists()


@pytest.mark.parametrize("role", [CS, PO])
def test_customer_service_and_officers_cannot_edit_identity_or_users(citizen_on_file, verified_client, role):
    client = verified_client(staff_in(role))
    response = client.post(reverse("admin:accounts_user_change", args=[citizen_on_file.pk]), {"username": "renamed"})
    assert response.status_code == 403
    response = client.post(
        reverse("admin:accounts_identityprofile_delete", args=[citizen_on_file.identity.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    # The profile page offers no save button to anyone.
    response = client.get(_url("identity_view", citizen_on_file))
    assert b'name="_save"' not in response.content
