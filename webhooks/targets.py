"""Where a webhook may be sent: https, and only to public addresses.

A client could otherwise point an endpoint at the portal's own network (the
database, the metrics port, a cloud metadata service) and have the portal
request it: server-side request forgery. Every address the host resolves
to is checked when the endpoint is saved, and again before each delivery,
and the connection goes to an address that was just checked, so a DNS
answer that changes in between (rebinding) cannot slip through.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(ValueError):
    """The URL may not receive webhooks; the message is for the person who entered it."""


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False))


def address_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def url_parts(url: str) -> tuple[str, int]:
    """(host, port) of an https URL, or ``TargetRefused``."""
    try:
        parts = urlsplit(url or "")
        port = parts.port or 443
    except ValueError as error:
        raise TargetRefused(_("Enter a valid URL.")) from error
    if parts.scheme != "https":
        raise TargetRefused(_("A webhook URL must start with https://."))
    if not parts.hostname:
        raise TargetRefused(_("Enter a valid URL."))
    if parts.username or parts.password:
        raise TargetRefused(_("A webhook URL may not contain a user name or password."))
    return parts.hostname, port


def target_addresses(url: str) -> tuple[str, int, list[str]]:
    """Resolve the URL's host and check every address; return (host, port, addresses) or ``TargetRefused``."""
    host, port = url_parts(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(_("The host of this URL cannot be found.")) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise TargetRefused(_("The host of this URL cannot be found."))
    if not _allow_private() and not all(address_public(address) for address in addresses):
        raise TargetRefused(
            _("This URL leads to a private, loopback, link-local, multicast or reserved address; use a public one.")
        )
    return host, port, addresses
