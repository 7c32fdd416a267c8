"""Building webhook state in tests."""

from webhooks.models import WebhookEndpoint
from webhooks.signing import secret_generate


def webhook_endpoint_for_tests(
    *, client, events=("consent.changed",), url="https://hooks.example.com/portal", active=True
) -> tuple[WebhookEndpoint, str]:
    """An endpoint of ``client`` (a ServiceClient, or its id), and its secret.

    Written directly, without the service's DNS check, so that tests need no
    network; ``webhook_endpoint_create`` is tested on its own.
    """
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        client_id=getattr(client, "pk", client), url=url, events=list(events), secret=secret, active=active
    )
    return endpoint, secret
