"""The real client address behind the configured trusted proxies (nginx, a load balancer).

`REMOTE_ADDR` is the last hop. When it is one of `TRUSTED_PROXIES`, the client is the right-most
address of `X-Forwarded-For` that is not itself a trusted proxy: entries left of it were written by
the client and can be forged, entries right of it were appended by proxies we trust. Without trusted
proxies configured the header is ignored, so a client cannot choose its own address.
Used by the log-in throttling (AXES_CLIENT_IP_CALLABLE) and anywhere else a client address is needed.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_parse(remote or ""), networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return remote  # garbage in the chain: fall back to the proxy, never to a forged value
        if not _trusted(address, networks):
            return str(address)
    return remote
