"""Deletion requests end to end: maker-checker, erasure per category, a held category kept with its reason."""

import sys

import pytest
from django.core import mail

from accounts.activity.services import login_activity_record
from accounts.models import IdentityProfile, IdentityVerificationAttempt, LoginActivity, User
from personal_data import holds
from personal_data.registry import personal_data_categories
from privacy_requests import services
from privacy_requests.models import RequestKind, RequestOutcome, RequestState
from privacy_requests.services import TransitionNotAllowed
from tests.factories import VerifiedCitizenFactory, step_up_passed

pytestmark = pytest.mark.django_db

ZHANG = ("张三", "110101199003071233")


@pytest.fixture
def li_na(db):
    """A verified citizen with an address the tests expect mail at and a sign-in on record to erase."""
    user = VerifiedCitizenFactory(email="li.na@example.cn", identity=ZHANG)
    login_activity_record(user=user, ip="203.0.113.9", user_agent="Firefox", method="email_password")
    return user


@pytest.fixture
def hold(monkeypatch):
    """``hold("sign_in_activity")``: a legal hold on that category, as issue #6 will provide."""

    def apply(*categories):
        original = holds.is_held

        def held(*, user, category):
            return category in categories

        for module in list(sys.modules.values()):
            if getattr(module, "is_held", None) is original:
                monkeypatch.setattr(module, "is_held", held)

    return apply


def file(user, **details):
    check = step_up_passed(user)
    return services.privacy_request_create(
        requester=user, kind=RequestKind.DELETION, details=details, identity_check=check
    )


def approve(request, maker, checker):
    services.privacy_request_start_review(request=request, actor=maker)
    services.privacy_request_propose(request=request, actor=maker, action="delete")
    return services.privacy_request_confirm(request=request, actor=checker)


def test_deletion_takes_effect_only_when_a_second_staff_member_confirms(li_na, officer):
    request = file(li_na)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_complete(request=request, actor=officer)
    services.privacy_request_propose(request=request, actor=officer, action="delete")
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_confirm(request=request, actor=officer)
    assert LoginActivity.objects.filter(user=li_na).exists()
    assert IdentityProfile.objects.filter(user=li_na).exists()


def test_confirmed_deletion_erases_every_category_and_records_each(li_na, officer, checker):
    everything_else = [entry.code for entry in personal_data_categories() if entry.code != "profile"]
    request = approve(file(li_na, categories=everything_else), officer, checker)

    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    outcomes = {o.category: o for o in request.outcomes.all()}
    assert set(outcomes) == set(everything_else)
    assert {o.result for o in outcomes.values()} <= {RequestOutcome.Result.DELETED, RequestOutcome.Result.ANONYMISED}
    assert not LoginActivity.objects.filter(user=li_na).exists()
    assert not IdentityVerificationAttempt.objects.filter(user=li_na).exists()
    assert request.answer == "We deleted or anonymised the data you chose."
    # The account is not among them: it stays usable, so the person can read this answer.
    assert User.objects.get(pk=li_na.pk).is_active


def test_a_deletion_of_everything_filed_before_the_rule_never_closes_the_account(li_na, officer, checker):
    """Issue #15: such a request (no category: everything) erases the rest and keeps the account, saying why."""
    request = approve(file(li_na), officer, checker)

    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    account = User.objects.get(pk=li_na.pk)
    assert account.is_active and account.has_usable_password() and account.email == li_na.email
    assert IdentityProfile.objects.filter(user=li_na).exists()
    profile = request.outcomes.get(category="profile")
    assert profile.result == RequestOutcome.Result.KEPT
    assert "Your account stays open" in profile.legal_reason and profile.legal_reason in request.answer
    assert not LoginActivity.objects.filter(user=li_na).exists()
    assert request.outcomes.count() == len(personal_data_categories())


def test_a_held_category_is_kept_with_its_reason_and_the_rest_deleted(
    li_na, officer, checker, hold, django_capture_on_commit_callbacks
):
    hold("sign_in_activity")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = approve(file(li_na, categories=["sign_in_activity", "identity_verifications"]), officer, checker)

    request.refresh_from_db()
    kept = request.outcomes.get(category="sign_in_activity")
    assert kept.result == RequestOutcome.Result.KEPT
    assert "law or regulation requires us to keep" in kept.legal_reason
    assert LoginActivity.objects.filter(user=li_na).count() == 1
    # Everything else went.
    others = request.outcomes.exclude(category="sign_in_activity")
    assert others.exists() and not others.filter(result=RequestOutcome.Result.KEPT).exists()
    assert not IdentityVerificationAttempt.objects.filter(user=li_na).exists()
    # The citizen is told which categories were kept and why: on the request and in the completion email.
    assert "Sign-in activity" in request.answer and kept.legal_reason in request.answer
    completed = [m for m in mail.outbox if request.reference in m.subject and "Completed" in m.subject]
    assert completed and "Sign-in activity" in completed[-1].body
    assert completed[-1].to == ["li.na@example.cn"]


def test_the_citizen_can_choose_categories(li_na, officer, checker):
    request = approve(file(li_na, categories=["sign_in_activity"]), officer, checker)
    assert [(o.category, o.result) for o in request.outcomes.all()] == [("sign_in_activity", "deleted")]
    assert not LoginActivity.objects.filter(user=li_na).exists()
    assert IdentityProfile.objects.filter(user=li_na).exists()
    assert User.objects.get(pk=li_na.pk).is_active


def test_the_kept_reason_is_in_the_citizens_language(li_na, officer, checker, hold):
    User.objects.filter(pk=li_na.pk).update(language="zh-hans")
    li_na.refresh_from_db()
    hold("sign_in_activity")
    request = approve(file(li_na, categories=["sign_in_activity", "identity_verifications"]), officer, checker)
    kept = request.outcomes.get(category="sign_in_activity")
    assert kept.legal_reason and kept.legal_reason in request.answer


def test_a_partial_deletion_says_so(li_na, officer, checker):
    request = approve(file(li_na, categories=["sign_in_activity"]), officer, checker)
    assert request.answer == "We deleted or anonymised the data you chose."
