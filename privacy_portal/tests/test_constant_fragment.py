"""``{% constant_fragment %}``: the navigation and footer rendered once per language, never across languages."""

from django.template import Context, Template
from django.utils import translation

FRAGMENT = Template(
    '{% load i18n portal %}{% constant_fragment "test_fragment" hotline %}'
    '{% translate "Privacy policy" %} {% url "policy" %} {{ hotline }}{% endconstant_fragment %}'
)


def _render(language: str, hotline: str) -> str:
    with translation.override(language):
        return FRAGMENT.render(Context({"hotline": hotline}))


def test_each_language_gets_its_own_fragment():
    english = _render("en", "12345")
    chinese = _render("zh-hans", "12345")

    assert english.startswith("Privacy policy /policy/")
    assert chinese.startswith("隐私政策") and chinese != english
    assert _render("en", "12345") == english


def test_a_value_named_after_the_fragment_renders_it_again():
    assert _render("en", "12345").endswith("12345")
    assert _render("en", "67890").endswith("67890")
