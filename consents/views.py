"""Public policy pages: the current text, every past version, what changed."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation

from .policy_diff import policy_diff
from .policy_render import render_policy_version
from .selectors import policy_current, policy_previous, policy_published, policy_upcoming


def policy(request):
    current = policy_current()
    if current is None:
        raise Http404
    return render(
        request,
        "consents/policy.html",
        {"version": current, "body": render_policy_version(current), "upcoming": policy_upcoming(), "is_current": True},
    )


def policy_version(request, version):
    shown = policy_published().filter(version=version).first()
    if shown is None:
        raise Http404
    current = policy_current()
    return render(
        request,
        "consents/policy.html",
        {
            "version": shown,
            "body": render_policy_version(shown),
            "is_current": current is not None and current.pk == shown.pk,
            "not_yet_in_effect": shown.effective_at > timezone.now(),
            "previous": policy_previous(version=shown),
        },
    )


def policy_versions(request):
    return render(
        request, "consents/policy_versions.html", {"versions": policy_published(), "current": policy_current()}
    )


def policy_changes(request, version):
    shown = policy_published().filter(version=version).first()
    if shown is None:
        raise Http404
    previous = policy_previous(version=shown)
    blocks = policy_diff(previous.text, shown.text, language=translation.get_language()) if previous else ()
    return render(request, "consents/policy_changes.html", {"version": shown, "previous": previous, "blocks": blocks})
