"""Factories for the objects tests used to build by hand.

Accounts come from ``UserFactory`` and its subclasses; everything a real flow
would create through a service (an identity check, a guardian link) is built
here the way that flow leaves it, so a test reads as the situation it sets up.
"""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

# A person the sandbox identity provider knows; verifying with it reaches level 2.
SANDBOX_PERSON = ("张三", "110101199003071233")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    first_name = "三"
    last_name = "张"
    language = "zh-hans"
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"primary": True, "verified": True})


class CitizenFactory(UserFactory):
    """A citizen who reads the portal in English, so tests assert the msgids."""

    language = "en"


class VerifiedCitizenFactory(CitizenFactory):
    """A citizen whose identity the sandbox provider confirmed (level 2): name and ID number are locked.

    ``VerifiedCitizenFactory(identity=("李四", "…"))`` verifies another sandbox person.
    """

    @factory.post_generation
    def identity(obj, create, extracted, **kwargs):
        if not create:
            return
        from accounts.identity import services as identity

        legal_name, id_number = extracted or SANDBOX_PERSON
        identity.sandbox_identity_ensure(legal_name=legal_name, id_number=id_number)
        result = identity.identity_verify(user=obj, legal_name=legal_name, id_number=id_number)
        assert result.matched, result


class StaffFactory(UserFactory):
    """A member of staff; ``StaffFactory(role=StaffRole.AUDITOR)`` puts them in that role's group.

    Without ``role`` the account is staff with no group: it may sign in to the
    admin and act through services, and holds no permission of its own.
    """

    is_staff = True
    language = "en"

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        from accounts.services import staff_groups_ensure

        obj.groups.add(staff_groups_ensure()[extracted])


class StepUpCheckFactory(factory.django.DjangoModelFactory):
    """A passed step-up check. The session hash only matters to views, see ``step_up_passed``."""

    class Meta:
        model = "accounts.StepUpCheck"

    user = factory.SubFactory(UserFactory)
    method = "totp"
    session_key_hash = "x" * 64


def step_up_passed(user, *, client=None, method: str = "totp", **fields):
    """What passing the step-up page leaves behind for ``user``.

    With ``client``, the check is tied to that client's session, as a view
    expects; the client must already have a session (signed in, or one request
    made). Without it, the check suits a service called directly.
    """
    if client is not None:
        from accounts.two_factor.selectors import session_key_hash

        fields.setdefault("session_key_hash", session_key_hash(client.session.session_key))
    return StepUpCheckFactory(user=user, method=method, **fields)


class GuardianLinkFactory(factory.django.DjangoModelFactory):
    """A confirmed link: the guardian may act for the minor."""

    class Meta:
        model = "accounts.GuardianLink"

    guardian = factory.SubFactory(UserFactory)
    minor = factory.SubFactory(UserFactory, is_minor=True)
    state = "confirmed"
    confirmed_at = factory.LazyFunction(timezone.now)
