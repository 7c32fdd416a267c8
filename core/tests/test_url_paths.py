"""Remembered reversals: the same paths as reverse(), per script prefix and URL configuration."""

from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from core.url_paths import url_paths


def test_paths_are_what_reverse_gives_and_none_for_an_unknown_name():
    assert url_paths("home", "no-such-route", "healthz") == (reverse("home"), None, reverse("healthz"))


def test_a_script_prefix_gives_its_own_paths():
    bare = url_paths("healthz")
    set_script_prefix("/portal/")
    try:
        prefixed = url_paths("healthz")
    finally:
        clear_script_prefix()

    assert prefixed == ("/portal" + bare[0],)
    assert url_paths("healthz") == bare


@override_settings(ROOT_URLCONF="bench.urls")
def test_another_url_configuration_is_reversed_on_its_own():
    assert url_paths("home") == (reverse("home"),)
