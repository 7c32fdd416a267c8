"""The optional services pages: the list, enrolling, leaving. Rules live in services.

A guardian enrols their ward and takes them out of a service from the same
pages: the ward's id travels in a ``subject`` parameter (as on the other
consent pages, see ``consents.cookies.acting``), any other id is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.two_factor.decorators import STEP_UP_MINUTES, require_recent_verification
from consents.cookies.acting import acting_subject, channel_for
from consents.policy_shown import policy_shown_token, policy_shown_version
from consents.selectors import policy_current
from consents.services import ConsentError

from . import conf, selectors, services
from .forms import EnrolmentForm


def _list_url(request, subject) -> str:
    url = reverse("consents:services")
    return f"{url}?{urlencode({'subject': subject.pk})}" if subject.pk != request.user.pk else url


def _actor(request, subject):
    return request.user if subject.pk != request.user.pk else None


@login_required
def services_list(request):
    subject = acting_subject(request=request)
    return render(
        request,
        "consents/optional_services/list.html",
        {
            "rows": selectors.service_rows_for(subject=subject),
            "keep_days": conf.data_keep_days(),
            "subject": subject,
            "acting_for": subject.pk != request.user.pk,
            # A child sees their services; their guardian decides.
            "read_only": subject.pk == request.user.pk and subject.is_minor,
        },
    )


def _enrol(request, *, service):
    subject = acting_subject(request=request)
    if selectors.enrolment_open(subject=subject, service=service) is not None:
        messages.info(request, _("Already enrolled in %(service)s.") % {"service": service.name})
        return redirect(_list_url(request, subject))
    form = EnrolmentForm(request.POST or None, service=service)
    if form.is_bound and form.is_valid():
        try:
            services.service_enrol(
                subject=subject,
                service=service,
                data=form.cleaned_data,
                actor=_actor(request, subject),
                channel=channel_for(request=request, subject=subject),
                shown_version=policy_shown_version(
                    viewer=request.user, purpose=service.purpose, token=request.POST.get("shown")
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except ConsentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Enrolled in %(service)s. You can leave it at any time on this page.") % {"service": service.name},
            )
            return redirect(_list_url(request, subject))
    # Nothing is written on GET: the form carries what was shown, recorded with the consent.
    return render(
        request,
        "consents/optional_services/enrol.html",
        {
            "service": service,
            "purpose": service.purpose,
            "categories": list(service.purpose.data_categories.all()),
            "form": form,
            "shown": policy_shown_token(viewer=request.user, purpose=service.purpose, version=policy_current()),
            "keep_days": conf.data_keep_days(),
            "subject": subject,
            "acting_for": subject.pk != request.user.pk,
            "list_url": _list_url(request, subject),
        },
        status=400 if form.errors else 200,
    )


# Sensitive data (identity, bank details) goes to the service only after a
# fresh one-time code in this session.
_enrol_after_step_up = require_recent_verification(minutes=STEP_UP_MINUTES)(_enrol)


@login_required
def service_enrol(request, code):
    service = selectors.access_optional_service(code=code)
    view = _enrol_after_step_up if service.purpose.sensitive else _enrol
    return view(request, service=service)


@login_required
@require_POST
def service_leave(request, code):
    # Leaving takes one click and no extra check: withdrawing consent must
    # be as easy as giving it.
    service = selectors.access_optional_service(code=code, include_inactive=True)
    subject = acting_subject(request=request)
    try:
        enrolment = services.service_leave(
            subject=subject,
            service=service,
            actor=_actor(request, subject),
            channel=channel_for(request=request, subject=subject),
        )
    except ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Left %(service)s: the consent is withdrawn. The data given to the service will be deleted "
                "after %(date)s."
            )
            % {
                "service": service.name,
                "date": formats.date_format(timezone.localtime(enrolment.data_delete_after), "DATE_FORMAT"),
            },
        )
    return redirect(_list_url(request, subject))
