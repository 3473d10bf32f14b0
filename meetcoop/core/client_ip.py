"""The address of the client, the one every rate limit counts by.

Behind reverse proxies ``REMOTE_ADDR`` is the nearest proxy's address, shared by every visitor.
Each proxy appends the address it received the request from to ``X-Forwarded-For``, so with
``TRUSTED_PROXY_COUNT`` proxies of our own in front, the header ends with the client's address
followed by the addresses of the proxies between (the nearest proxy's own address is
``REMOTE_ADDR``, not in the header). Everything left of the client's entry was written by the
client and is ignored: a client cannot choose the address it is counted under.

django-ratelimit reads this function through ``RATELIMIT_IP_META_KEY``; allauth through the
account adapter (``meetcoop.users.adapters.AccountAdapter.get_client_ip``), so the application
form and the login limits count the same address.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: the ``TRUSTED_PROXY_COUNT``-th entry of ``X-Forwarded-For``
    counted from the right, or ``REMOTE_ADDR`` when no proxy is trusted (the default), or the
    header is missing, shorter than the number of proxies, or that entry is not an address."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in header.split(",")] if header else []
    if len(hops) < count:
        return remote
    return _address(hops[-count]) or remote


def _address(value: str) -> str | None:
    """``value`` as a normalised IP address, without a port (``203.0.113.7:4711``,
    ``[2001:db8::1]:443``) or brackets; ``None`` when it is not an address."""
    if value.startswith("["):  # [IPv6] or [IPv6]:port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4:port (a bare IPv6 address has several colons)
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
