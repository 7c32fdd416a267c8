"""Building webhook state in tests."""

from accounts.service_clients.scopes import CONSENT_EVENTS, ERASURE
from accounts.service_clients.tests.factories import service_client_register_for_test
from webhooks.models import WebhookEndpoint
from webhooks.signing import secret_generate


def webhook_endpoint_for_tests(
    *, client=None, events=("consent.changed",), url="https://hooks.example.com/portal", active=True
) -> tuple[WebhookEndpoint, str]:
    """An endpoint of ``client`` (a new client with the consent:events and erasure scopes if None), and its secret.

    Written directly, without the service's DNS check, so that tests need no
    network; ``webhook_endpoint_create`` is tested on its own.
    """
    if client is None:
        client, _secret = service_client_register_for_test(scopes=[CONSENT_EVENTS, ERASURE])
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(client=client, url=url, events=list(events), secret=secret, active=active)
    return endpoint, secret
