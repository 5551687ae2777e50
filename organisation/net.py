"""The client's address, read one way everywhere: every throttle, lock-out and log of it calls
`client_ip`.

Without a reverse proxy (`TRUSTED_PROXY_COUNT = 0`, the default) the address is the connection's peer,
REMOTE_ADDR, and X-Forwarded-For is ignored: the client writes that header, so keying on it would let a
client pick a new address per request. Behind N trusted proxies, each appending the address it saw to
X-Forwarded-For, the client is the N-th entry from the right; entries further left were written by the
client and are never read. A request with fewer entries than trusted proxies did not come through them
all, and gets its peer address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"


def _ip(value: str) -> str | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's IP address as a normalised string (`0.0.0.0` when it cannot be read)."""
    meta = request.META
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            found = _ip(hops[-count])
            if found:
                return found
    return _ip(meta.get("REMOTE_ADDR", "")) or UNKNOWN
