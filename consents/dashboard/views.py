"""The citizen's consent dashboard: every purpose, one-click choices, confirmations, history, receipt.

Each page exists twice: for the signed-in person (``/privacy/…``) and for a
minor their guardian decides for (``/privacy/for/<id>/…``). The guardian's
choices are recorded with the guardian as actor on the "guardian" channel;
``consent_grant`` itself checks the guardian link again.

Giving consent to a sensitive purpose, or to sharing with a partner, takes
a separate confirmation screen behind a fresh step-up check. Withdrawing is
always a single click without any check: it must be as easy as giving.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.two_factor.decorators import STEP_UP_MINUTES, require_recent_verification
from consents.models import ConsentChannel
from consents.policy_shown import policy_shown_token, policy_shown_version
from consents.selectors import consent_snapshot_active, consents_current_for
from consents.services import ConsentError
from core.url_paths import url_paths

from .catalogue_texts import catalogue_texts
from .forms import ConsentChoiceForm
from .notes import note_add, notes_take
from .receipt import consent_receipt
from .selectors import (
    PANEL_FOR_PURPOSE,
    PANEL_TITLES,
    State,
    access_purpose,
    access_purpose_partner,
    access_ward,
    catalogue_load,
    consent_history_for,
    dashboard_facts_for,
    dashboard_rows,
    dashboard_snapshot,
    event_actor_label,
    policy_in_effect,
    purpose_decided_here,
    wards_of,
)
from .services import dashboard_consent_grant, dashboard_consent_withdraw
from .summary import dashboard_summary

HISTORY_PAGE_SIZE = 20


def _subject_for(request, user_id):
    """The person whose consents the page shows: oneself, or a ward (404 for anybody else)."""
    if user_id is None:
        return request.user, None
    ward = access_ward(guardian=request.user, minor_id=user_id)
    return ward, ward


def _url(name: str, ward, *args) -> str:
    if ward is not None:
        return reverse(f"consents:ward_{name}", args=[ward.pk, *args])
    if not args:
        (path,) = url_paths(f"consents:{name}")  # remembered: the page links several every view
        if path is not None:
            return path
    return reverse(f"consents:{name}", args=args)


def _channel(ward) -> str:
    return ConsentChannel.GUARDIAN if ward is not None else ConsentChannel.WEB


def _may_give(subject, ward) -> bool:
    """A minor sees their choices and may withdraw any consent, but only their guardian gives one."""
    return ward is not None or not subject.is_minor


def _back_to(ward, anchor: str = ""):
    return redirect(_url("dashboard", ward) + (f"#{anchor}" if anchor else ""))


def _policy_url(version, cache: dict) -> str:
    # One reverse() per distinct version, not one per row.
    if version not in cache:
        cache[version] = reverse("policy_version", args=[version])
    return cache[version]


class _RowUrls:
    """The dashboard's per-row links, from one ``reverse()`` per URL name instead of one per link.

    A page links every purpose and partner (some sixty links); the codes are
    slugs, which ``reverse()`` would put into the path unchanged, so they are
    filled into the reversed pattern directly.
    """

    SLOTS = ("purpose-code-slot", "partner-code-slot")

    # One's own dashboard's pieces, kept across views: they change only with the URL configuration and
    # script prefix, both in the key (a ward's hold the ward's id, so they are kept for one view).
    _own: dict[tuple, list[str]] = {}

    def __init__(self, ward):
        self.ward = ward
        self._pieces: dict[tuple, list[str]] = self._own if ward is None else {}

    def __call__(self, name: str, *codes: str) -> str:
        key = (name, len(codes), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        pieces = self._pieces.get(key)
        if pieces is None:
            rest = _url(name, self.ward, *self.SLOTS[: len(codes)])
            pieces = []
            for slot in self.SLOTS[: len(codes)]:
                head, rest = rest.split(slot, 1)
                pieces.append(head)
            pieces.append(rest)
            self._pieces[key] = pieces
        url = pieces[0]
        for code, piece in zip(codes, pieces[1:], strict=True):
            url += code + piece
        return url


def _link(row, ward, urls: _RowUrls | None = None) -> None:
    """Where the row's buttons go: one-click forms, or the confirmation screen."""
    urls = urls or _RowUrls(ward)
    code = row.purpose.code
    if not row.decided_here:  # basic purposes, and purposes with a panel of their own
        return
    if row.needs_confirmation:
        row.confirm_url = urls("consent_confirm", code)
    else:
        row.grant_url = urls("consent_grant", code)
    row.withdraw_url = urls("consent_withdraw", code)
    for partner_row in row.partners:
        partner_code = partner_row.partner.code
        partner_row.confirm_url = urls("partner_confirm", code, partner_code)
        partner_row.withdraw_url = urls("partner_withdraw", code, partner_code)


_ROW_BADGE = '<span class="dash-state {}" data-testid="state">{}</span>'
_PARTNER_BADGE = '<span class="dash-state {}" data-testid="partner-state">{}</span>'


@login_required
def dashboard(request, user_id=None):
    subject, ward = _subject_for(request, user_id)
    may_give = _may_give(subject, ward)
    policy = policy_in_effect()
    current = consents_current_for(subject=subject)
    catalogue = catalogue_load()
    # One day for both: whether an agreement is in force decides the buttons and the text beside them.
    today = timezone.localdate()
    rows = dashboard_rows(subject=subject, current=current, catalogue=catalogue, today=today)
    texts = catalogue_texts(catalogue, today=today)
    # The dashboard is itself a consent request: its one-click choices carry
    # the policy version shown here, recorded with the choice (not now: a GET writes nothing).
    shown = policy_shown_token(viewer=request.user, purpose=None, version=policy)
    facts = dashboard_facts_for(subject=subject)
    urls = _RowUrls(ward)
    for row in rows:
        _link(row, ward, urls)
        row.texts = texts[row.purpose.pk]
        # Each badge one variable for the template instead of a class and a label.
        row.state_badge = format_html(_ROW_BADGE, row.state, row.state_label)
        for partner_row in row.partners:
            partner_row.texts = row.texts.partners[partner_row.partner.pk]
            partner_row.state_badge = format_html(_PARTNER_BADGE, partner_row.state, partner_row.state_label)
    policy_urls: dict = {}
    for row in rows:
        if row.consent and row.consent.policy_version:
            row.policy_url = _policy_url(row.consent.policy_version.version, policy_urls)
    # A confirmation goes beside the control it answers; the rest stay at the top of the page.
    optional = [row for row in rows if not row.is_basic]
    at_row = {f"purpose-{row.code}": row for row in optional}
    notes = []
    for note in notes_take(request):
        row = at_row.get(note.anchor)
        if row is not None:
            row.note = note
        notes.append((note, row is not None))
    context = {
        "rows": rows,
        "optional_rows": optional,
        "basic_rows": [row for row in rows if row.is_basic],
        "summary": dashboard_summary(rows=rows),
        "notes": notes,
    }
    # The panels answer their consent questions from what was just read.
    snapshot = dashboard_snapshot(subject=subject, current=current, catalogue=catalogue)
    with consent_snapshot_active(snapshot):
        return _render_dashboard(request, subject, ward, may_give, context, policy, shown, facts)


def _render_dashboard(request, subject, ward, may_give, parts, policy, shown, facts):
    return render(
        request,
        "consents/dashboard/dashboard.html",
        {
            **parts,
            "subject": subject,
            "ward": ward,
            "may_give": may_give,
            "policy": policy,
            "shown": shown,
            # Without a ward, ``subject`` is the viewer, so the facts say whether they have any.
            "wards": wards_of(guardian=request.user) if ward is None and may_give and facts.has_wards else [],
            "dashboard_facts": facts,
            # Every switch on the page posts the same two hidden fields: joined once here
            # rather than a {% csrf_token %} and a variable rendered for each form.
            "switch_fields": format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<input type="hidden" name="shown" value="{}">',
                get_token(request),
                shown,
            ),
            "history_url": _url("history", ward),
            "receipt_url": _url("receipt", ward),
        },
    )


def _shown_version(request, *, purpose=None):
    """The version the posting page showed this viewer for ``purpose`` (None: the dashboard), or None."""
    form = ConsentChoiceForm(request.POST)
    token = form.cleaned_data.get("shown") if form.is_valid() else None
    return policy_shown_version(viewer=request.user, purpose=purpose, token=token)


def _not_here(request, ward, purpose):
    panel = PANEL_FOR_PURPOSE.get(purpose.code)
    if purpose.is_basic or panel is None:
        note_add(
            request,
            messages.ERROR,
            _("This use is needed to provide the service; there is nothing to choose."),
            anchor=f"purpose-{purpose.code}",
        )
        return _back_to(ward, f"purpose-{purpose.code}")
    messages.error(
        request,
        _("Change “%(purpose)s” in the “%(section)s” section below.")
        % {"purpose": purpose.name, "section": PANEL_TITLES[panel]},
    )
    return _back_to(ward, f"panel-{panel}")


@login_required
@require_POST
def grant(request, purpose_code, user_id=None):
    """One click to give consent to an optional, non-sensitive purpose."""
    subject, ward = _subject_for(request, user_id)
    purpose = access_purpose(code=purpose_code)
    if not purpose_decided_here(purpose):
        return _not_here(request, ward, purpose)
    if purpose.sensitive:
        # Never granted from the list: only the confirmation screen's POST does it.
        return redirect(_url("consent_confirm", ward, purpose.code))
    try:
        dashboard_consent_grant(
            subject=subject,
            actor=request.user,
            purpose=purpose,
            channel=_channel(ward),
            shown_version=_shown_version(request),
        )
    except ConsentError as error:
        note_add(request, messages.ERROR, str(error), anchor=f"purpose-{purpose.code}")
    else:
        note_add(
            request,
            messages.SUCCESS,
            _("You agreed to “%(purpose)s”. This applies now.") % {"purpose": purpose.name},
            anchor=f"purpose-{purpose.code}",
        )
    return _back_to(ward, f"purpose-{purpose.code}")


@login_required
@require_POST
def withdraw(request, purpose_code, user_id=None):
    """One click to withdraw consent to a purpose (and so its partner sharing). No step-up, ever."""
    subject, ward = _subject_for(request, user_id)
    purpose = access_purpose(code=purpose_code)
    if not purpose_decided_here(purpose):
        return _not_here(request, ward, purpose)
    try:
        dashboard_consent_withdraw(
            subject=subject,
            actor=request.user,
            purpose=purpose,
            channel=_channel(ward),
            shown_version=_shown_version(request),
        )
    except ConsentError as error:
        note_add(request, messages.ERROR, str(error), anchor=f"purpose-{purpose.code}")
    else:
        note_add(
            request,
            messages.SUCCESS,
            _("Consent to “%(purpose)s” is withdrawn. This applies now.") % {"purpose": purpose.name},
            anchor=f"purpose-{purpose.code}",
        )
    return _back_to(ward, f"purpose-{purpose.code}")


@login_required
@require_POST
def partner_withdraw(request, purpose_code, partner_code, user_id=None):
    """One click to stop sharing with a partner. No step-up, ever."""
    subject, ward = _subject_for(request, user_id)
    purpose = access_purpose(code=purpose_code)
    partner = access_purpose_partner(purpose=purpose, code=partner_code)
    if not purpose_decided_here(purpose):
        return _not_here(request, ward, purpose)
    try:
        dashboard_consent_withdraw(
            subject=subject,
            actor=request.user,
            purpose=purpose,
            partner=partner,
            channel=_channel(ward),
            shown_version=_shown_version(request),
        )
    except ConsentError as error:
        note_add(request, messages.ERROR, str(error), anchor=f"purpose-{purpose.code}")
    else:
        note_add(
            request,
            messages.SUCCESS,
            _("Your data is no longer shared with %(partner)s for “%(purpose)s”. This applies now.")
            % {"partner": partner.name, "purpose": purpose.name},
            anchor=f"purpose-{purpose.code}",
        )
    return _back_to(ward, f"purpose-{purpose.code}")


@login_required
@require_recent_verification(minutes=STEP_UP_MINUTES)
def confirm(request, purpose_code, partner_code=None, user_id=None):
    """The separate confirmation for a sensitive purpose or for sharing with a partner.

    Showing it writes nothing: its form carries a signed token of the policy
    version on screen, and only this screen's POST with that token grants,
    recording the display and the consent naming that version together.
    """
    subject, ward = _subject_for(request, user_id)
    purpose = access_purpose(code=purpose_code)
    partner = access_purpose_partner(purpose=purpose, code=partner_code) if partner_code else None
    # Basic purposes need no consent; panel purposes have their own confirmation.
    if not purpose_decided_here(purpose) or (partner is None and not purpose.sensitive):
        raise Http404
    if not _may_give(subject, ward):
        messages.error(request, _("Your guardian makes this choice for you from their own account."))
        return _back_to(ward)
    if request.method == "POST":
        policy_version = _shown_version(request, purpose=purpose)
        if policy_version is None:
            messages.error(request, _("Please read the request again and confirm it on this page."))
            return redirect(request.path)
        try:
            dashboard_consent_grant(
                subject=subject,
                actor=request.user,
                purpose=purpose,
                partner=partner,
                channel=_channel(ward),
                shown_version=policy_version,
                shown_for=purpose,
            )
        except ConsentError as error:
            note_add(request, messages.ERROR, str(error), anchor=f"purpose-{purpose.code}")
            return _back_to(ward, f"purpose-{purpose.code}")
        if partner is None:
            done = _("You agreed to “%(purpose)s”. This applies now.") % {"purpose": purpose.name}
        else:
            done = _("You agreed to share data with %(partner)s for “%(purpose)s”. This applies now.") % {
                "partner": partner.name,
                "purpose": purpose.name,
            }
        note_add(request, messages.SUCCESS, done, anchor=f"purpose-{purpose.code}")
        return _back_to(ward, f"purpose-{purpose.code}")

    rows = {row.purpose.pk: row for row in dashboard_rows(subject=subject)}
    row = rows[purpose.pk]
    policy = policy_in_effect()
    purpose_granted = row.state == State.GRANTED
    can_confirm = True
    if partner is not None and (not purpose_granted or not partner.agreement_in_force()):
        can_confirm = False
    shown = policy_shown_token(viewer=request.user, purpose=purpose, version=policy) if can_confirm else ""
    return render(
        request,
        "consents/dashboard/confirm.html",
        {
            "subject": subject,
            "ward": ward,
            "purpose": purpose,
            "row": row,
            "partner": partner,
            "partner_categories": list(partner.data_categories.all()) if partner else [],
            "partner_in_force": partner.agreement_in_force() if partner else True,
            "purpose_granted": purpose_granted,
            "can_confirm": can_confirm,
            "policy": policy,
            "shown": shown,
            "back_url": _url("dashboard", ward),
        },
    )


@login_required
def history(request, user_id=None):
    subject, ward = _subject_for(request, user_id)
    page = Paginator(consent_history_for(subject=subject), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.actor_label = event_actor_label(event, viewer=request.user)
    return render(
        request,
        "consents/dashboard/history.html",
        {
            "subject": subject,
            "ward": ward,
            "page": page,
            "events": page.object_list,
            "back_url": _url("dashboard", ward),
        },
    )


@login_required
def receipt(request, user_id=None):
    """The consent receipt as a JSON download, never cached."""
    subject, _ward = _subject_for(request, user_id)
    data = consent_receipt(subject=subject, request=request)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="consent-receipt-{stamp}.json"'
    response.personal_data = True
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response
