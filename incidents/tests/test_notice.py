"""The notice says what happened, when, to which information, what we did, what to do, how to reach us."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from incidents import services
from notifications.models import InboxMessage, OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What each language's reader must find, element by element.
ELEMENTS = {
    "en": {
        "title": "Data leak",
        "what happened": "An export folder was readable from outside by mistake.",
        "when": "When: it began on",
        "categories": "Contact details (email, mobile number)",
        "consequences": "You may receive scam messages pretending to come from us.",
        "measures": "We closed the folder and replaced its access keys.",
        "advice": "Please change your password.",
        "contact": "12345",
    },
    "zh-hans": {
        "title": "数据泄露",
        "what happened": "一个导出文件夹被错误地设为公开可读。",
        "when": "发生于",
        "categories": "联系方式",
        "consequences": "您可能会收到冒充我们的诈骗短信。",
        "measures": "我们已关闭该文件夹并更换了访问密钥。",
        "advice": "请修改密码。",
        "contact": "12345",
    },
}


def test_a_sent_notice_says_every_element_in_each_readers_language(make_incident, officer):
    readers = {"en": UserFactory(language="en"), "zh-hans": UserFactory(language="zh-hans")}
    occurred = timezone.now() - timedelta(days=2)
    incident = make_incident(audience="ids", audience_user_ids=[u.pk for u in readers.values()], occurred_at=occurred)

    services.incident_notify(incident=incident, actor=officer)
    incident.refresh_from_db()
    assert services.incident_fan_out_run(incident=incident) == 2

    for language, reader in readers.items():
        email = OutboxEmail.objects.get(recipient=reader)
        inbox = InboxMessage.objects.get(recipient=reader)
        assert email.language == language
        assert (inbox.subject, inbox.body) == (email.subject, email.body)
        assert ELEMENTS[language]["title"] in email.subject
        for element, text in ELEMENTS[language].items():
            assert text in email.body, f"{language} notice lacks {element}"
        other = "zh-hans" if language == "en" else "en"
        assert ELEMENTS[other]["what happened"] not in email.body
        assert str(timezone.localtime(occurred).year) in email.body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description_en": ""}, "description_en"),
        ({"consequences_zh": "  "}, "consequences_zh"),
        ({"measures_en": ""}, "measures_en"),
        ({"advice_zh": ""}, "advice_zh"),
        ({"occurred_at": None}, "occurred_at"),
        ({"categories": ()}, "categories"),
    ],
)
def test_notifying_is_refused_while_an_element_is_missing(make_incident, officer, change, field):
    incident = make_incident(**change)

    with pytest.raises(ValidationError) as refused:
        services.incident_notify(incident=incident, actor=officer)

    assert field in refused.value.message_dict
    incident.refresh_from_db()
    assert incident.fan_out_id is None
    assert not AuditEvent.objects.filter(action="incident.notified").exists()


def test_a_notice_cannot_say_it_happened_after_it_was_discovered(make_incident):
    now = timezone.now()
    incident = make_incident(discovered_at=now - timedelta(hours=1), occurred_at=now)

    assert "occurred_at" in services.incident_notice_problems(incident=incident)


def test_the_preview_shows_the_exact_email_and_inbox_message_in_both_languages(make_incident, officer, verified_client):
    incident = make_incident()

    response = verified_client(officer).get(reverse("admin:incidents_incident_preview", args=[incident.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for language in ("en", "zh-hans"):
        subject, body = services.incident_notice_preview(incident=incident)[0 if language == "zh-hans" else 1][
            "subject_body"
        ]
        assert subject in page
        for element, text in ELEMENTS[language].items():
            assert text in page, f"{language} preview lacks {element}"
    assert 'data-testid="notice-problems"' not in page


def test_the_preview_and_the_notify_page_list_what_is_missing_and_sending_is_refused(
    make_incident, officer, verified_client
):
    incident = make_incident(consequences_en="", occurred_at=None)
    client = verified_client(officer)

    preview = client.get(reverse("admin:incidents_incident_preview", args=[incident.pk]), HTTP_ACCEPT_LANGUAGE="en")
    notify_url = reverse("admin:incidents_incident_notify", args=[incident.pk])
    page = client.get(notify_url, HTTP_ACCEPT_LANGUAGE="en")
    posted = client.post(notify_url, {"banner_until": ""}, HTTP_ACCEPT_LANGUAGE="en")

    for response in (preview, page):
        assert "When the incident happened is missing." in response.content.decode()
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert posted.status_code == 400
    assert "The likely consequences for people is missing in English." in posted.content.decode()
    incident.refresh_from_db()
    assert incident.fan_out_id is None


def test_only_staff_who_may_see_incidents_open_the_preview(make_incident, verified_client):
    incident = make_incident()
    citizen = UserFactory()

    response = verified_client(citizen).get(reverse("admin:incidents_incident_preview", args=[incident.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]
