"""The public help pages: questions and answers, how to reach us, the accessibility statement.

Clause 1.1 of the policy promises them to everyone, signed in or not. Their words live in the
templates (translated there); the facts that differ by deployment (hotline, postal address,
sponsoring department) come from settings.
"""

from datetime import date

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

# Moved on whenever the statement is checked against the portal again.
ACCESSIBILITY_STATEMENT_REVIEWED = date(2026, 12, 3)


@require_safe
def faq(request):
    return render(request, "help/faq.html")


@require_safe
def contact(request):
    return render(request, "help/contact.html", {"postal_address": settings.PORTAL_POSTAL_ADDRESS})


@require_safe
def accessibility(request):
    return render(request, "help/accessibility.html", {"reviewed": ACCESSIBILITY_STATEMENT_REVIEWED})
