"""What each fan-out is about, told by the apps that start them.

The fan-out engine sends whatever it is given and keeps one record per
person told. What a fan-out *means* (an incident notice, a policy
announcement), who it is for, and what a person's record says about them in
an export belong to the app that starts it. Each such app registers a
:class:`FanOutTopic` in its ``fanout_topics.py``; ``NotificationsConfig.ready()``
discovers them. A fan-out's key is ``<topic prefix>:<id>``, so the topic of
any fan-out, and of any person's record, is found from its key alone.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.registry import Registry

from .models import FanOut

KEY_SEPARATOR = ":"


@dataclass(frozen=True)
class Notice:
    """What one fan-out told people, as a person's export shows it."""

    about: str
    advice: str = ""


@dataclass(frozen=True)
class FanOutTopic:
    """How an app describes the fan-outs it starts.

    ``prefix`` is the first part of their keys; ``kind`` the notification
    kind they send; ``label`` what a notice of this topic is called in a
    person's export; ``audience`` who is told, in words, for staff.
    ``describe`` reads the topic's own records in one go: given fan-outs of
    this topic, it answers ``{fan-out id: Notice}`` for those it still knows
    about (a fan-out whose subject is gone is left out). ``view_permission``,
    if set, lets staff who hold it see these fan-outs' progress in admin.
    """

    prefix: str
    kind: str
    label: str
    audience: str
    describe: Callable[[list[FanOut]], dict[int, Notice]]
    view_permission: str = ""

    @property
    def key_prefix(self) -> str:
        return f"{self.prefix}{KEY_SEPARATOR}"

    def key(self, subject_id: int) -> str:
        """The key of the fan-out about ``subject_id`` (an incident's or a policy version's pk)."""
        return f"{self.key_prefix}{subject_id}"


fan_out_topics: Registry[FanOutTopic] = Registry(name="fan-out topics", module="fanout_topics")


def topic_register(topic: FanOutTopic) -> FanOutTopic:
    return fan_out_topics.register(topic.prefix, topic)


def topic_for_key(key: str) -> FanOutTopic | None:
    """The topic a fan-out key belongs to, or None for a key no app describes (tests, benchmarks)."""
    prefix, separator, _rest = key.partition(KEY_SEPARATOR)
    if not separator or prefix not in fan_out_topics:
        return None
    return fan_out_topics.get(prefix)


def notices_for(fan_outs: Iterable[FanOut]) -> dict[int, tuple[FanOutTopic, Notice]]:
    """Each fan-out's topic and notice, one ``describe`` call per topic; unknown ones are left out."""
    by_topic: dict[str, list[FanOut]] = {}
    for fan_out in fan_outs:
        topic = topic_for_key(fan_out.key)
        if topic is not None:
            by_topic.setdefault(topic.prefix, []).append(fan_out)
    described: dict[int, tuple[FanOutTopic, Notice]] = {}
    for prefix, members in by_topic.items():
        topic = fan_out_topics.get(prefix)
        for fan_out_id, notice in topic.describe(members).items():
            described[fan_out_id] = (topic, notice)
    return described
