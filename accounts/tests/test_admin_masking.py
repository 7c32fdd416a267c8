"""Personal data in admin: masked everywhere, revealed one field at a time with a reason, found by keyed hash."""

import pytest
from django.urls import reverse

from accounts.identity.providers import SandboxProvider
from accounts.identity.services import identity_profile_update
from accounts.models import AccountKind, IdentityProfile, SandboxIdentity
from accounts.roles import StaffRole
from accounts.staff.services import PERSONAL_DATA_REVEALED
from audit.admin import PERSONAL_DATA_REVEALED as AUDIT_ADMIN_REVEALED
from audit.models import AuditEvent
from core import encryption
from core.encryption import blind_index
from core.masking import mask_bank_card, mask_email, mask_id_number, mask_name, mask_phone
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "440106199003071231"
OTHER_ID_NUMBER = "440106198511205676"
PHONE = "13812345678"
BANK_CARD = "6222021234567890128"
LEGAL_NAME = "王小明"
EMAIL = "wang.xiaoming@example.cn"
REASON = "Hotline call 2026-0412: caller asks to confirm the number on file"


# -- The masks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        (mask_id_number, "440106199003071231", "4401**********1231"),
        (mask_id_number, "11010519491231002X", "1101**********002X"),
        (mask_id_number, "1234", "****"),
        (mask_id_number, "", ""),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "138", "***"),
        (mask_phone, "", ""),
        (mask_bank_card, "6222021234567890128", "6222 **** 0128"),
        (mask_bank_card, "6222 0212 3456 7890 128", "6222 **** 0128"),
        (mask_bank_card, "", ""),
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_name, "张", "*"),
        (mask_name, "", ""),
        (mask_email, "wang.xiaoming@example.cn", "w***@example.cn"),
    ],
)
def test_masks(mask, value, expected):
    assert mask(value) == expected


# -- Fixtures ------------------------------------------------------------------


def make_citizen(*, id_number=ID_NUMBER, phone=PHONE, email=EMAIL, legal_name=LEGAL_NAME, business=False):
    user = UserFactory(email=email, kind=AccountKind.BUSINESS if business else AccountKind.INDIVIDUAL)
    data = {"legal_name": legal_name, "id_number": id_number, "phone": phone, "bank_card": BANK_CARD}
    if business:
        data["legal_representative"] = "李大山"
    identity_profile_update(user=user, data=data)
    user.refresh_from_db()
    return user


@pytest.fixture
def citizen_on_file(db):
    """Identity, phone and bank card on file, for the masking and reveal tests."""
    return make_citizen()


def _plaintext_absent(content: bytes, *values: str) -> None:
    for value in values:
        assert value.encode() not in content, f"{value!r} appears in the page"


def _reveal_url(model: str, object_id: int, field: str) -> str:
    return reverse(f"admin:accounts_{model}_reveal", kwargs={"object_id": object_id, "field": field})


# -- Masked pages ------------------------------------------------------------


@pytest.mark.parametrize("role", [StaffRole.CUSTOMER_SERVICE, StaffRole.PRIVACY_OFFICER, StaffRole.AUDITOR])
def test_user_pages_show_contact_details_masked(citizen_on_file, verified_client, role):
    client = verified_client(StaffFactory(role=role))
    listing = client.get(reverse("admin:accounts_user_changelist"))
    page = client.get(reverse("admin:accounts_user_change", args=[citizen_on_file.pk]))
    for response in (listing, page):
        assert response.status_code == 200
        _plaintext_absent(response.content, PHONE, EMAIL, "wang.xiaoming")
        assert "138****5678" in response.content.decode()
        assert "w***@example.cn" in response.content.decode()


def test_superuser_edit_form_has_no_personal_field_either(citizen_on_file, verified_client):
    client = verified_client(StaffFactory(is_superuser=True))
    response = client.get(reverse("admin:accounts_user_change", args=[citizen_on_file.pk]))
    assert response.status_code == 200
    assert b'name="_save"' in response.content  # editable for a superuser
    _plaintext_absent(response.content, PHONE, EMAIL, "wang.xiaoming", "张三")
    assert b'name="phone"' not in response.content
    assert b'name="email"' not in response.content
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200

    # Saving the form (staff flags, groups) leaves the personal fields alone.
    response = client.post(
        reverse("admin:accounts_user_change", args=[citizen_on_file.pk]),
        {"username": citizen_on_file.username, "is_active": "on", "language": "en"},
    )
    assert response.status_code == 302
    citizen_on_file.refresh_from_db()
    assert (citizen_on_file.phone, citizen_on_file.email, citizen_on_file.language) == (PHONE, EMAIL, "en")


@pytest.mark.parametrize("role", [StaffRole.CUSTOMER_SERVICE, StaffRole.PRIVACY_OFFICER, StaffRole.AUDITOR])
def test_identity_profile_pages_show_identity_masked(verified_client, role):
    citizen_on_file = make_citizen(business=True)
    client = verified_client(StaffFactory(role=role))
    listing = client.get(reverse("admin:accounts_identityprofile_changelist"))
    page = client.get(reverse("admin:accounts_identityprofile_change", args=[citizen_on_file.identity.pk]))
    for response in (listing, page):
        assert response.status_code == 200
        _plaintext_absent(response.content, ID_NUMBER, BANK_CARD, LEGAL_NAME, "李大山", PHONE, "1990-03-07")
        assert "4401**********1231" in response.content.decode()
        assert "王**" in response.content.decode()
    body = page.content.decode()
    assert "6222 **** 0128" in body
    assert "李**" in body


def test_reveal_buttons_only_for_those_who_may_reveal(citizen_on_file, verified_client):
    url = reverse("admin:accounts_identityprofile_change", args=[citizen_on_file.identity.pk])
    reveal = _reveal_url("identityprofile", citizen_on_file.identity.pk, "id_number")

    officer_page = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER)).get(url).content.decode()
    assert f'href="{reveal}"' in officer_page
    for field in ("legal_name", "bank_card"):
        assert _reveal_url("identityprofile", citizen_on_file.identity.pk, field) in officer_page

    agent = verified_client(StaffFactory(role=StaffRole.CUSTOMER_SERVICE))
    user_page = agent.get(reverse("admin:accounts_user_change", args=[citizen_on_file.pk])).content.decode()
    assert _reveal_url("user", citizen_on_file.pk, "phone") in user_page

    auditor = verified_client(StaffFactory(role=StaffRole.AUDITOR))
    assert "/reveal/" not in auditor.get(url).content.decode()
    assert (
        "/reveal/" not in auditor.get(reverse("admin:accounts_user_change", args=[citizen_on_file.pk])).content.decode()
    )


def test_other_read_only_records_open_without_personal_data(citizen_on_file, verified_client):
    client = verified_client(StaffFactory(role=StaffRole.AUDITOR))
    for name in ("identityverificationattempt", "loginactivity", "guardianlink", "stepupcheck"):
        response = client.get(reverse(f"admin:accounts_{name}_changelist"))
        assert response.status_code == 200
        assert b"addlink" not in response.content
        _plaintext_absent(response.content, PHONE, ID_NUMBER, EMAIL)


def test_identity_list_query_count_does_not_grow_with_rows(verified_client, django_assert_max_num_queries):
    for index in range(5):
        make_citizen(id_number=_valid_id(index), phone=f"1391234{index:04d}", email=f"p{index}@example.cn")
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    client.get(reverse("admin:index"))  # the first request records the session (allauth usersessions)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("admin:accounts_identityprofile_changelist"))
    assert len(response.context["cl"].result_list) == 5


def _valid_id(index: int) -> str:
    from stdnum.cn import ric

    base = f"440106199003{10 + index:02d}123"
    return next(base + check for check in "0123456789X" if ric.is_valid(base + check))


# -- The audited reveal --------------------------------------------------------


def test_reveal_asks_for_a_reason_first(citizen_on_file, verified_client):
    client = verified_client(StaffFactory(role=StaffRole.CUSTOMER_SERVICE))
    response = client.get(_reveal_url("identityprofile", citizen_on_file.identity.pk, "id_number"))
    assert response.status_code == 200
    assert b'name="reason"' in response.content
    assert "4401**********1231" in response.content.decode()
    _plaintext_absent(response.content, ID_NUMBER)
    assert not AuditEvent.objects.filter(action=PERSONAL_DATA_REVEALED).exists()


def test_reveal_shows_the_value_once_and_records_who_whose_which_why(citizen_on_file, verified_client):
    officer = StaffFactory(role=StaffRole.PRIVACY_OFFICER)
    client = verified_client(officer)
    url = _reveal_url("identityprofile", citizen_on_file.identity.pk, "id_number")
    response = client.post(url, {"reason": REASON})

    assert response.status_code == 200
    assert response.content.count(ID_NUMBER.encode()) == 1
    assert "no-store" in response["Cache-Control"]
    assert ID_NUMBER not in url

    event = AuditEvent.objects.get(action=PERSONAL_DATA_REVEALED)
    assert event.actor_id == officer.pk
    assert (event.target_type, event.target_id) == ("accounts.identityprofile", str(citizen_on_file.identity.pk))
    assert event.details == {"field": "id_number", "reason": REASON, "subject_user_id": citizen_on_file.pk}

    # Back on the record, the number is masked again.
    page = client.get(reverse("admin:accounts_identityprofile_change", args=[citizen_on_file.identity.pk]))
    _plaintext_absent(page.content, ID_NUMBER)


def test_customer_service_reveals_a_phone_number(citizen_on_file, verified_client):
    agent = StaffFactory(role=StaffRole.CUSTOMER_SERVICE)
    response = verified_client(agent).post(_reveal_url("user", citizen_on_file.pk, "phone"), {"reason": REASON})
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    event = AuditEvent.objects.get(action=PERSONAL_DATA_REVEALED)
    assert (event.actor_id, event.target_type, event.target_id) == (agent.pk, "accounts.user", str(citizen_on_file.pk))
    assert event.details["field"] == "phone"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "This field is required."),
        ("because", "Ensure this value has at least 10 characters"),
        ("Caller gave 13812345678 to confirm", "must not contain personal data"),
        ("Compare with 440106198511205676 from ticket", "must not contain personal data"),
    ],
)
def test_a_missing_short_or_personal_reason_reveals_nothing(citizen_on_file, verified_client, reason, message):
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    response = client.post(_reveal_url("identityprofile", citizen_on_file.identity.pk, "bank_card"), {"reason": reason})
    assert response.status_code == 200
    assert message in response.content.decode()
    _plaintext_absent(response.content, BANK_CARD)
    assert not AuditEvent.objects.filter(action=PERSONAL_DATA_REVEALED).exists()


def test_reveal_of_unknown_field_or_object_is_404(citizen_on_file, verified_client):
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    profile = citizen_on_file.identity
    assert client.get(_reveal_url("identityprofile", profile.pk, "id_number_hash")).status_code == 404
    assert client.get(_reveal_url("user", citizen_on_file.pk, "password")).status_code == 404
    assert client.get(_reveal_url("identityprofile", profile.pk + 1000, "id_number")).status_code == 404
    assert client.get(_reveal_url("identityprofile", "not-a-number", "id_number")).status_code == 404


@pytest.mark.parametrize("role", [StaffRole.AUDITOR, None])
def test_those_who_may_not_reveal_get_403_and_no_record(citizen_on_file, verified_client, role):
    client = verified_client(StaffFactory(role=role))
    response = client.post(_reveal_url("identityprofile", citizen_on_file.identity.pk, "id_number"), {"reason": REASON})
    assert response.status_code == 403
    _plaintext_absent(response.content, ID_NUMBER)
    assert not AuditEvent.objects.filter(action=PERSONAL_DATA_REVEALED).exists()


def test_auditors_see_the_reveals_in_the_audit_log(citizen_on_file, verified_client):
    officer = StaffFactory(role=StaffRole.PRIVACY_OFFICER)
    verified_client(officer).post(
        _reveal_url("identityprofile", citizen_on_file.identity.pk, "id_number"), {"reason": REASON}
    )

    client = verified_client(StaffFactory(role=StaffRole.AUDITOR))
    response = client.get(reverse("admin:audit_auditevent_changelist"), {"reveals": "only"})
    assert response.status_code == 200
    events = list(response.context["cl"].result_list)
    assert [event.action for event in events] == [PERSONAL_DATA_REVEALED]
    body = response.content.decode()
    assert "field=id_number" in body
    assert REASON in body
    assert f"subject_user_id={citizen_on_file.pk}" in body
    _plaintext_absent(response.content, ID_NUMBER)

    by_action = client.get(reverse("admin:audit_auditevent_changelist"), {"action": PERSONAL_DATA_REVEALED})
    assert len(by_action.context["cl"].result_list) == 1
    by_actor = client.get(reverse("admin:audit_auditevent_changelist"), {"q": str(officer.pk)})
    assert PERSONAL_DATA_REVEALED in by_actor.content.decode()
    by_text = client.get(reverse("admin:audit_auditevent_changelist"), {"q": "personal_data"})
    assert len(by_text.context["cl"].result_list) == 1


def test_the_audit_admin_filters_on_the_action_the_service_writes():
    assert AUDIT_ADMIN_REVEALED == PERSONAL_DATA_REVEALED


# -- Search by keyed hash ------------------------------------------------------


@pytest.fixture
def crowd():
    return [
        make_citizen(id_number=OTHER_ID_NUMBER, phone="13900001111", email="other@example.cn"),
        make_citizen(id_number="11010519491231002X", phone="13700002222", email="third@example.cn"),
    ]


def _found(client, admin_name: str, term: str) -> list[int]:
    response = client.get(reverse(f"admin:accounts_{admin_name}_changelist"), {"q": term})
    assert response.status_code == 200
    return [obj.pk for obj in response.context["cl"].result_list]


@pytest.mark.parametrize("term", [ID_NUMBER, f" {ID_NUMBER} ", PHONE, "+86 138 1234 5678", "138-1234-5678"])
def test_search_finds_a_person_by_whole_id_or_phone_number(citizen_on_file, crowd, verified_client, term):
    client = verified_client(StaffFactory(role=StaffRole.CUSTOMER_SERVICE))
    assert _found(client, "identityprofile", term) == [citizen_on_file.identity.pk]
    assert _found(client, "user", term) == [citizen_on_file.pk]


def test_search_takes_a_lower_case_check_character(crowd, verified_client):
    client = verified_client(StaffFactory(role=StaffRole.CUSTOMER_SERVICE))
    person = crowd[1]
    assert _found(client, "identityprofile", "11010519491231002x") == [person.identity.pk]


@pytest.mark.parametrize("term", ["4401061990", "1990030712", "1381234", "5678", "138****5678", "4401**********1231"])
def test_search_does_not_find_by_a_partial_number(citizen_on_file, crowd, verified_client, term):
    client = verified_client(StaffFactory(role=StaffRole.CUSTOMER_SERVICE))
    assert _found(client, "identityprofile", term) == []
    assert _found(client, "user", term) == []


def test_search_decrypts_only_the_rows_it_shows(citizen_on_file, crowd, verified_client, monkeypatch):
    client = verified_client(StaffFactory(role=StaffRole.CUSTOMER_SERVICE))
    profile_id = citizen_on_file.identity.pk
    decrypted = []
    real_decrypt = encryption.decrypt
    monkeypatch.setattr(encryption, "decrypt", lambda token: decrypted.append(token) or real_decrypt(token))

    assert _found(client, "identityprofile", ID_NUMBER) == [profile_id]
    # One row: its legal name, ID number, bank card and the user's phone.
    assert len(decrypted) <= 4


# -- The sandbox registry ----------------------------------------------------------


def test_privacy_officer_adds_a_sandbox_identity_the_provider_then_knows(verified_client):
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    response = client.post(
        reverse("admin:accounts_sandboxidentity_add"),
        {"legal_name": "赵测试", "id_number": "11010519491231002x", "behaviour": "normal", "note": "hotline rehearsal"},
    )
    assert response.status_code == 302
    identity = SandboxIdentity.objects.get()
    assert identity.id_number == "11010519491231002X"
    assert identity.id_number_hash == blind_index("11010519491231002X")
    assert SandboxProvider().verify_identity("赵测试", "11010519491231002X").outcome == "match"
    assert AuditEvent.objects.filter(action="sandbox_identity.created", target_id=str(identity.pk)).exists()

    # The list and the edit form show the number masked; the form starts empty.
    listing = client.get(reverse("admin:accounts_sandboxidentity_changelist"))
    form = client.get(reverse("admin:accounts_sandboxidentity_change", args=[identity.pk]))
    for page in (listing, form):
        _plaintext_absent(page.content, "11010519491231002X")
        assert "1101**********002X" in page.content.decode()


def test_a_bad_sandbox_id_number_is_refused_and_nothing_saved(verified_client):
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    response = client.post(
        reverse("admin:accounts_sandboxidentity_add"),
        {"legal_name": "赵测试", "id_number": "440106199003071234", "behaviour": "normal"},
    )
    assert response.status_code == 200
    assert "The resident ID number is not valid" in response.content.decode()
    assert not SandboxIdentity.objects.exists()


def test_a_duplicate_sandbox_id_number_is_refused(verified_client):
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    data = {"legal_name": "赵测试", "id_number": ID_NUMBER, "behaviour": "normal"}
    assert client.post(reverse("admin:accounts_sandboxidentity_add"), data).status_code == 302
    response = client.post(reverse("admin:accounts_sandboxidentity_add"), {**data, "legal_name": "钱测试"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert SandboxIdentity.objects.count() == 1


def test_changing_a_sandbox_identity_keeps_its_number_unless_a_new_one_is_given(verified_client):
    client = verified_client(StaffFactory(role=StaffRole.PRIVACY_OFFICER))
    client.post(
        reverse("admin:accounts_sandboxidentity_add"),
        {"legal_name": "赵测试", "id_number": ID_NUMBER, "behaviour": "normal"},
    )
    identity = SandboxIdentity.objects.get()
    url = reverse("admin:accounts_sandboxidentity_change", args=[identity.pk])

    assert client.post(url, {"legal_name": "赵测试", "id_number": "", "behaviour": "unavailable"}).status_code == 302
    identity.refresh_from_db()
    assert (identity.id_number, identity.behaviour) == (ID_NUMBER, "unavailable")

    assert (
        client.post(url, {"legal_name": "赵测试", "id_number": OTHER_ID_NUMBER, "behaviour": "normal"}).status_code
        == 302
    )
    identity.refresh_from_db()
    assert identity.id_number_hash == blind_index(OTHER_ID_NUMBER)


@pytest.mark.parametrize("role", [StaffRole.CUSTOMER_SERVICE, StaffRole.AUDITOR])
def test_only_privacy_officers_add_sandbox_identities(verified_client, role):
    client = verified_client(StaffFactory(role=role))
    response = client.post(
        reverse("admin:accounts_sandboxidentity_add"),
        {"legal_name": "赵测试", "id_number": ID_NUMBER, "behaviour": "normal"},
    )
    assert response.status_code == 403
    assert not SandboxIdentity.objects.exists()


def test_identity_profile_is_never_editable_in_admin_even_for_superusers(citizen_on_file, verified_client):
    client = verified_client(StaffFactory(is_superuser=True))
    url = reverse("admin:accounts_identityprofile_change", args=[citizen_on_file.identity.pk])
    response = client.get(url)
    assert b'name="_save"' not in response.content
    assert client.post(url, {"id_number": OTHER_ID_NUMBER}).status_code == 403
    assert IdentityProfile.objects.get(pk=citizen_on_file.identity.pk).id_number == ID_NUMBER
