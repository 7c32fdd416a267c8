"""Two-factor pages: overview, set-up, recovery codes, turning off, and the code steps.

The views are thin: the rules live in ``services`` and ``selectors``.
Recovery codes are shown in the response to the POST that made them and
nowhere else, so they are never stored in a readable form for later.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.masking import mask_email
from core.navigation import safe_next

from . import enrolment, services
from .decorators import step_up_required_response
from .forms import CodeForm
from .qr import qr_code_data_uri, totp_secret_for_display
from .selectors import (
    Method,
    login_methods_for,
    step_up_methods_for,
    totp_device_confirmed,
    two_factor_status,
)
from .services import ChangeRefused, CodeNotSent, CodeRefused, Purpose

ACTION_SEND_EMAIL = "send_email"


def _code_forms(methods: list[str], *, bound: CodeForm | None = None) -> list[CodeForm]:
    return [bound if bound is not None and bound.method == method else CodeForm(method=method) for method in methods]


def _code_page(request, *, purpose: Purpose, methods: list[str], on_code, context: dict, template: str):
    """A page offering one code form per method, plus "email me a code" when email is one of them.

    ``on_code(method, code)`` runs the service and returns the response
    for success; a refused code becomes an error on that form's field.
    """
    bound = None
    if request.method == "POST":
        if request.POST.get("action") == ACTION_SEND_EMAIL and Method.EMAIL in methods:
            try:
                services.email_code_send(user=request.user, purpose=purpose)
            except (CodeNotSent, ChangeRefused) as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("We sent a code to %(address)s. It is valid for %(minutes)d minutes.")
                    % {"address": mask_email(request.user.email), "minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60},
                )
            return redirect(request.get_full_path())
        method = request.POST.get("method", "")
        if method in methods:
            bound = CodeForm(request.POST, method=method)
            if bound.is_valid():
                try:
                    return on_code(method, bound.cleaned_data["code"])
                except (CodeRefused, ChangeRefused) as exc:
                    bound.add_error("code", exc.message)
    return render(
        request,
        template,
        {
            **context,
            "forms": _code_forms(methods, bound=bound),
            "email_offered": Method.EMAIL in methods,
            "masked_email": mask_email(request.user.email),
            "next": safe_next(request),
            "send_email_action": ACTION_SEND_EMAIL,
        },
        status=400 if bound is not None and bound.errors else 200,
    )


def _show_recovery_codes(request, codes: list[str], *, continue_url: str):
    return render(
        request,
        "accounts/two_factor/recovery_codes_new.html",
        {"codes": codes, "continue_url": continue_url},
    )


@login_required
def overview(request):
    status = two_factor_status(user=request.user)
    return render(request, "accounts/two_factor/overview.html", {"status": status, "is_staff": request.user.is_staff})


@login_required
def totp_setup(request):
    """Set up an authenticator app: scan the QR code, confirm with a first code.

    Replacing an authenticator that already works needs a fresh step-up
    check, so an unattended signed-in browser cannot swap in another phone.
    """
    user = request.user
    if not enrolment.staff_may_set_up_authenticator(request=request):
        return render(request, "accounts/two_factor/staff_enrolment_needed.html", status=403)
    if totp_device_confirmed(user=user) is not None:
        needs_check = step_up_required_response(request)
        if needs_check is not None:
            return needs_check
    next_url = safe_next(request)
    device = services.totp_device_start(user=user)
    form = CodeForm(request.POST or None, method=Method.TOTP)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.totp_device_confirm(user=user, token=form.cleaned_data["code"])
        except CodeRefused as exc:
            form.add_error("code", exc.message)
        else:
            # The session that set the app up is verified by it; any other
            # session of this person now has to pass the code step.
            services.session_mark_verified(request=request, device=device)
            enrolment.staff_enrolment_finish(request=request)
            messages.success(request, _("Your authenticator app is set up. Sign-in now asks for its code."))
            continue_url = next_url or resolve_url("accounts:two_factor_overview")
            if codes:
                return _show_recovery_codes(request, codes, continue_url=continue_url)
            return redirect(continue_url)
    return render(
        request,
        "accounts/two_factor/totp_setup.html",
        {
            "form": form,
            "qr_code": qr_code_data_uri(device.config_url),
            "secret": totp_secret_for_display(device),
            "next": next_url,
            "replacing": totp_device_confirmed(user=user) is not None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def email_setup(request):
    """Turn on codes by email, for people without an authenticator app."""

    def confirm(method, code):
        device, codes = services.email_codes_enable(user=request.user, token=code)
        services.session_mark_verified(request=request, device=device)
        messages.success(request, _("Codes by email are on. Sign-in now asks for a code we email you."))
        if not codes:
            return redirect("accounts:two_factor_overview")
        return _show_recovery_codes(request, codes, continue_url=resolve_url("accounts:two_factor_overview"))

    status = two_factor_status(user=request.user)
    if request.user.is_staff or status.totp_confirmed:
        messages.error(
            request,
            _("Staff accounts use an authenticator app.")
            if request.user.is_staff
            else _("You already use an authenticator app."),
        )
        return redirect("accounts:two_factor_overview")
    return _code_page(
        request,
        purpose=Purpose.SETUP,
        methods=[Method.EMAIL],
        on_code=confirm,
        context={
            "page": "email_setup",
            "title": gettext_lazy("Use codes by email"),
            "intro": gettext_lazy(
                "No authenticator app? We can email you a code each time you sign in. First ask for a code, "
                "then enter it here to turn this on."
            ),
            "submit_label": gettext_lazy("Turn on"),
        },
        template="accounts/two_factor/code_page.html",
    )


@login_required
def recovery_codes(request):
    """How many recovery codes are left; making new ones replaces them all."""
    if request.method == "POST":
        needs_check = step_up_required_response(request)
        if needs_check is not None:
            return needs_check
        try:
            codes = services.recovery_codes_regenerate(user=request.user)
        except ChangeRefused as exc:
            messages.error(request, exc.message)
            return redirect("accounts:two_factor_overview")
        messages.success(request, _("New recovery codes made. The old ones no longer work."))
        return _show_recovery_codes(request, codes, continue_url=resolve_url("accounts:two_factor_overview"))
    return render(request, "accounts/two_factor/recovery_codes.html", {"status": two_factor_status(user=request.user)})


@login_required
def disable(request):
    """Turn two-factor sign-in off, with a current code."""
    status = two_factor_status(user=request.user)
    if not status.enabled:
        messages.info(request, _("Two-factor sign-in is already off."))
        return redirect("accounts:two_factor_overview")
    if request.user.is_staff:
        messages.error(request, _("Staff accounts must keep two-factor sign-in on."))
        return redirect("accounts:two_factor_overview")

    def turn_off(method, code):
        services.two_factor_disable(user=request.user, method=method, token=code)
        messages.success(request, _("Two-factor sign-in is off. Sign-in asks only for your password now."))
        return redirect("accounts:two_factor_overview")

    return _code_page(
        request,
        purpose=Purpose.LOGIN,
        methods=login_methods_for(user=request.user),
        on_code=turn_off,
        context={
            "page": "disable",
            "title": gettext_lazy("Turn off two-factor sign-in"),
            "intro": gettext_lazy(
                "To turn two-factor sign-in off, enter a current code. Your authenticator, email codes and "
                "recovery codes will all stop working."
            ),
            "submit_label": gettext_lazy("Turn off"),
        },
        template="accounts/two_factor/code_page.html",
    )


@login_required
def verify(request):
    """The second-factor step after signing in (django-otp marks the session verified)."""
    next_url = safe_next(request, default=resolve_url(settings.LOGIN_REDIRECT_URL))
    methods = login_methods_for(user=request.user)
    if not methods:
        return redirect(next_url)

    def passed(method, code):
        services.second_factor_login(request=request, method=method, token=code)
        if method == Method.RECOVERY:
            messages.warning(
                request,
                _("You used a recovery code; it will not work again. Make new ones if you are running low."),
            )
        return redirect(next_url)

    return _code_page(
        request,
        purpose=Purpose.LOGIN,
        methods=methods,
        on_code=passed,
        context={
            "page": "verify",
            "title": gettext_lazy("Confirm it is you"),
            "intro": gettext_lazy("Your account has two-factor sign-in. Enter a code to finish signing in."),
            "submit_label": gettext_lazy("Continue"),
        },
        template="accounts/two_factor/code_page.html",
    )


@login_required
def step_up(request):
    """A fresh one-time-code check before a sensitive action, then back to it."""
    next_url = safe_next(request, default=resolve_url("accounts:two_factor_overview"))
    resubmit = (request.POST.get("resubmit") or request.GET.get("resubmit")) == "1"

    def passed(method, code):
        services.step_up_pass(request=request, method=method, token=code)
        if resubmit:
            messages.success(request, _("Thank you. Please submit the form again to continue."))
        else:
            messages.success(request, _("Thank you. You can continue."))
        return redirect(next_url)

    methods = step_up_methods_for(user=request.user)
    return _code_page(
        request,
        purpose=Purpose.STEP_UP,
        methods=methods,
        on_code=passed,
        context={
            "page": "step_up",
            "title": gettext_lazy("Confirm it is you"),
            "intro": gettext_lazy(
                "This action needs a fresh check that it is really you. Enter a one-time code; "
                "the check stays valid for a few minutes in this browser."
            ),
            "submit_label": gettext_lazy("Confirm"),
            "no_method": not methods,
        },
        template="accounts/two_factor/code_page.html",
    )


@login_required
def staff_enrol(request, token: str):
    """A staff member opens the enrolment link issued for them; the POST uses it."""
    if request.method == "POST":
        try:
            enrolment.staff_enrolment_redeem(request=request, token=token)
        except enrolment.EnrolmentRefused as exc:
            return render(request, "accounts/two_factor/staff_enrol.html", {"refused": exc.message}, status=400)
        return redirect(f"{resolve_url('accounts:two_factor_totp_setup')}?next={resolve_url('admin:index')}")
    return render(request, "accounts/two_factor/staff_enrol.html")
