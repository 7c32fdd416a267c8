"""What the apps contribute to notifications: the kinds they send and the fan-out topics they start."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import get_template
from django.utils import translation

from notifications import kinds
from notifications.topics import fan_out_topics, topic_for_key


def test_each_app_declares_its_kinds_and_each_kind_has_its_templates():
    codes = {kind.code for kind in kinds.all_kinds()}

    # One from each contributing app: discovered without anyone importing them by name.
    assert {"welcome", "policy_changed", "security_incident", "request_received"} <= codes
    for kind in kinds.all_kinds():
        get_template(kind.subject_template)
        get_template(kind.body_template)


def test_a_code_cannot_name_two_different_kinds():
    with pytest.raises(ImproperlyConfigured):
        kinds.kind_register("welcome", inbox=False)
    # Declaring the same kind again (a module imported twice) changes nothing.
    assert kinds.kind_register("welcome", label=kinds.get("welcome").label) == "welcome"


def test_every_kind_says_what_it_is_in_both_languages():
    """The export shows a person the kind of each message they were sent in these words, not by its code."""
    for kind in kinds.all_kinds():
        with translation.override("en"):
            english = str(kind.label)
        with translation.override("zh-hans"):
            chinese = str(kind.label)
        assert english, f"{kind.code} has no label"
        assert chinese != english, f"{kind.code} has no Chinese label"
    with translation.override("en"):
        assert str(kinds.kind_labels()["welcome"]) == "Welcome message"


def test_a_fan_out_key_finds_the_topic_of_the_app_that_started_it():
    assert set(fan_out_topics.keys()) >= {"incident", "policy"}
    assert topic_for_key("incident:12").kind == "security_incident"
    assert topic_for_key("policy:3").kind == "policy_changed"
    assert topic_for_key("test:cancelled") is None
    assert topic_for_key("no-separator") is None
