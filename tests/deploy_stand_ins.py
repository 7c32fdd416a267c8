"""Providers that are not sandboxes, for CI's `check --deploy` and the production-profile tests.

The repository holds no real real-name, face, bank-card or SMS provider (each deployment plugs in
its contractor's). The deploy checks refuse the sandboxes and accept any other provider, so CI
names these: each answers every question with "unavailable", as a provider that cannot be
reached would, and never passes anyone.
"""

from accounts.identity.providers import IdentityProvider, ProviderUnavailable
from accounts.sms import BaseSmsBackend
from consents.strong_verification import providers as strong


class UnreachableIdentityProvider(IdentityProvider):
    name = "unreachable"

    def verify_identity(self, name, id_number):
        raise ProviderUnavailable("no real-name provider is configured here")


class UnreachableFaceProvider(strong.FaceProvider):
    name = "face-unreachable"

    def check_face(self, *, legal_name, id_number):
        raise strong.ProviderUnavailable("no face provider is configured here")


class UnreachableBankCardProvider(strong.BankCardProvider):
    name = "bank-card-unreachable"

    def check_bank_card(self, *, legal_name, id_number, bank_card):
        raise strong.ProviderUnavailable("no bank-card provider is configured here")


class UnreachableSmsBackend(BaseSmsBackend):
    def send_messages(self, messages):
        raise ConnectionError("no SMS gateway is configured here")
