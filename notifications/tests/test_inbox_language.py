"""Issue #14: inbox messages read in the reader's current language, whatever they were sent in."""

import pytest
from django.conf import settings
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import User
from consents.models import SurveyInvitation
from incidents.models import Incident
from notifications.models import InboxMessage
from notifications.services import notification_send, notify_personal, notify_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://privacy.test.example.cn"
WELCOME = {"en": "Welcome to the citizens&#x27; privacy portal", "zh-hans": "欢迎使用公民隐私服务门户"}


def page(client, path, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(path).content.decode()


@pytest.fixture
def sent_in_chinese():
    person = UserFactory(language="zh-hans")
    with transaction.atomic():
        context = {"reference": "R-7", "request_url": f"{SITE}/requests/7/"}
        notification_send(recipient=person, kind="request_received", context=context)
        notification_send(recipient=person, kind="welcome")
    return person


def test_a_message_sent_in_chinese_reads_in_english_after_switching(client, sent_in_chinese):
    client.force_login(sent_in_chinese)
    assert WELCOME["zh-hans"] in page(client, "/inbox/", "zh-hans")
    english = page(client, "/inbox/", "en")
    assert WELCOME["en"] in english and WELCOME["zh-hans"] not in english
    assert "We received your request R-7" in english


def test_the_message_page_follows_the_language_and_its_link_is_clickable(client, sent_in_chinese):
    message = sent_in_chinese.inbox_messages.get(kind="request_received")
    client.force_login(sent_in_chinese)
    link = f'<a href="{SITE}/requests/7/">{SITE}/requests/7/</a>'
    english = page(client, f"/inbox/{message.pk}/", "en")
    assert "Follow it and answer our questions here:" in english and link in english
    chinese = page(client, f"/inbox/{message.pk}/", "zh-hans")
    assert "Follow it and answer" not in chinese and link in chinese


def test_the_api_answers_in_the_request_language(sent_in_chinese):
    api = APIClient()
    api.force_authenticate(sent_in_chinese)

    def subjects(language):
        answer = api.get("/api/v1/inbox/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        return {message["kind"]: message["subject"] for message in answer}

    assert subjects("en")["welcome"] == "Welcome to the citizens' privacy portal"
    assert subjects("zh-hans")["welcome"] == "欢迎使用公民隐私服务门户"


def test_fanned_out_messages_carry_both_languages(client):
    # notify_set writes the rows with one INSERT … SELECT on PostgreSQL, the texts among them.
    people = [UserFactory(language="zh-hans"), UserFactory(language="en")]
    incident = Incident(title_zh="数据泄露", title_en="Data leak")  # only its title is rendered
    with transaction.atomic():
        notify_set(
            kind="security_incident",
            people=User.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"),
            context={"incident": incident},
        )
    for person in people:
        message = InboxMessage.objects.get(recipient=person)
        assert set(message.texts) == {"zh-hans", "en"}
        client.force_login(person)
        assert "Security notice: Data leak" in page(client, "/inbox/", "en")
        assert "安全提示：数据泄露" in page(client, "/inbox/", "zh-hans")


def test_a_message_from_before_shows_as_it_was_sent(client):
    person = UserFactory(language="zh-hans")
    InboxMessage.objects.create(recipient=person, kind="welcome", subject="旧的消息", body="正文")
    client.force_login(person)
    assert "旧的消息" in page(client, "/inbox/", "en")


def test_each_persons_own_link_is_in_every_language_of_their_message(client):
    # A survey invitation carries each reader's signed withdrawal link; the inbox shows the text in the
    # reader's current language, so the link must be in each language's copy, not only in the one sent.
    people = [UserFactory(language="zh-hans"), UserFactory(language="en")]
    links = {person.pk: f"https://portal.example.cn/privacy/surveys/stop/token-{person.pk}/" for person in people}
    invitation = SurveyInvitation(title_zh="满意度调查", title_en="Satisfaction survey", text_zh="请", text_en="Please")
    with transaction.atomic():
        notify_personal(
            kind="survey_invitation",
            people=User.objects.filter(pk__in=links).order_by("pk"),
            context={"invitation": invitation},
            personal=lambda ids: {pk: {"withdraw_url": links[pk]} for pk in ids},
        )
    for person in people:
        message = InboxMessage.objects.get(recipient=person)
        for language in ("zh-hans", "en"):
            body = message.text_in(language)[1]
            assert links[person.pk] in body, language
            assert "\ue000" not in body and "withdraw_url" not in body
        client.force_login(person)
        assert f"token-{person.pk}/" in page(client, f"/inbox/{message.pk}/", "en")
