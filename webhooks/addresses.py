"""Where a webhook may point (DESIGN §10): ``https`` to public addresses only, unless ``DEBUG`` or
``WEBHOOK_ALLOW_PRIVATE`` (then ``http`` and private or loopback addresses too).

The URL is checked when it is saved (scheme, and a host that is itself an address) and again before every
attempt, after resolving the host name — so a name that later points inside the network is refused then.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def private_allowed() -> bool:
    return bool(settings.DEBUG or settings.WEBHOOK_ALLOW_PRIVATE)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_webhook_url(url: str) -> None:
    """Refuse a URL no delivery may go to, before anything is saved (no name lookup here: it can be slow)."""
    parts = urlsplit(url)
    allowed = ("https", "http") if private_allowed() else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError(_("Use an https:// address."))
    host = parts.hostname or ""
    if not host:
        raise ValidationError(_("The address has no host."))
    if private_allowed():
        return
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise ValidationError(_("Webhooks can only go to public internet addresses."))
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return
    if not _is_public(str(literal)):
        raise ValidationError(_("Webhooks can only go to public internet addresses."))


def refused_reason(url: str) -> str:
    """Why a delivery to ``url`` may not be attempted now ("" when it may): the host is resolved and every
    address it has must be public."""
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        return error.messages[0]
    if private_allowed():
        return ""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        return f"DNS: {error}"
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        return _("Webhooks can only go to public internet addresses.")
    return ""
