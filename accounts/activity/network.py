"""Network prefixes: enough to recognise where a sign-in came from, not to single out a device."""

import ipaddress

IPV4_PREFIX = 24
IPV6_PREFIX = 48


def truncate_ip(value: str | None) -> str:
    """``203.0.113.7`` -> ``203.0.113.0/24``, ``2001:db8:1:2::1`` -> ``2001:db8:1::/48``.

    Anything that is not an IP address gives "" rather than an error: a sign-in
    must not fail because a proxy sent something odd.
    """
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
