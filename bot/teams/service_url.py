"""Which `serviceUrl`s the bot may send to, checked before any outbound call.

An activity's `serviceUrl` is where CloudAdapter posts the replies, so a forged one turns the
bot into a proxy (internal addresses, cloud metadata, anything). With an app id only the Bot
Framework's own hosts are accepted (https, default port); in emulator mode only loopback.
Anything else must be listed explicitly in ADVISOR_TEAMS_EXTRA_SERVICE_HOSTS.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

# Microsoft's hosts for the connector (replies, proactive messages):
# - Teams, public cloud: https://smba.trafficmanager.net/{amer,emea,apac,in,teams,…}/
# - Teams GCC / GCC High / DoD: smba.infra.gcc.teams.microsoft.com, smba.infra.gov.teams.
#   microsoft.us, smba.infra.dod.teams.microsoft.us (TeamsProactiveServiceEndpoints);
# - other Bot Framework channels (Web Chat, Direct Line, regional): *.botframework.com, and
#   *.botframework.azure.us in Azure Government.
# Deliberately NOT *.trafficmanager.net: any Azure customer can create a Traffic Manager
# profile `<anything>.trafficmanager.net` pointing wherever they like.
BOT_FRAMEWORK_HOSTS = frozenset(
    {
        "smba.trafficmanager.net",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.gov.teams.microsoft.us",
        "smba.infra.dod.teams.microsoft.us",
    }
)
BOT_FRAMEWORK_SUFFIXES = (".botframework.com", ".botframework.azure.us")
# RFC 3986 characters minus the ones that change how the URL is read or formatted:
# userinfo `@`, `\`, query and fragment, and `{}` (msrest runs str.format on the base URL).
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/\[\]%!$&'()*+,;=]+")


class ServiceUrlError(ValueError):
    """A serviceUrl the bot must not contact; the message says why, for the log."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Origin:
        """`host[:port]` (https implied) or `scheme://host[:port]`, as in the settings."""
        parts = _split(text if "://" in text else f"https://{text}")
        return cls(parts.scheme, _host(parts), _port(parts))


class ServiceUrlPolicy:
    """The allowed serviceUrls for one mode: Bot Framework hosts, or loopback (emulator)."""

    def __init__(self, *, emulator: bool, extra_hosts: list[str]) -> None:
        self.emulator = emulator
        self.extra = frozenset(Origin.parse(entry) for entry in extra_hosts)
        for origin in self.extra:
            address = _ip(origin.host)
            if address is not None and not address.is_loopback and not address.is_global:
                raise ServiceUrlError(
                    f"ADVISOR_TEAMS_EXTRA_SERVICE_HOSTS: {origin.host} is {_kind(address)}"
                )

    def check(self, url: object) -> None:
        """Raise ServiceUrlError unless the bot may send to `url`."""
        if not isinstance(url, str) or not url:
            raise ServiceUrlError("serviceUrl missing or not a string")
        parts = _split(url)
        origin = Origin(parts.scheme, _host(parts), _port(parts))
        if origin in self.extra:
            return
        address = _ip(origin.host)
        if address is not None and not address.is_loopback:
            raise ServiceUrlError(f"{origin.host} is {_kind(address)}; not contacted")
        if self.emulator:
            if address is None and origin.host != "localhost":
                raise ServiceUrlError(f"emulator mode sends to loopback only, not {origin.host}")
            return
        if not _is_bot_framework(origin.host):
            raise ServiceUrlError(f"{origin.host} is not a Bot Framework host")
        if origin.scheme != "https" or origin.port != 443:
            raise ServiceUrlError("Bot Framework service URLs are https on the default port")


def _split(url: str) -> SplitResult:
    if "@" in url:
        raise ServiceUrlError("serviceUrl carries userinfo (`user@host`)")
    if len(url) > 2048 or not _URL_CHARS.fullmatch(url):
        raise ServiceUrlError("serviceUrl has characters a service URL never has")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ServiceUrlError("serviceUrl does not parse") from exc
    if parts.scheme not in ("http", "https"):
        raise ServiceUrlError("serviceUrl is not http(s)")
    return parts


def _host(parts: SplitResult) -> str:
    host = (parts.hostname or "").lower()
    if not host:
        raise ServiceUrlError("serviceUrl has no host")
    return host


def _port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError as exc:
        raise ServiceUrlError("serviceUrl has an invalid port") from exc
    return port if port is not None else (443 if parts.scheme == "https" else 80)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "a reserved address"
    return "an address, not a Bot Framework host name"


def _is_bot_framework(host: str) -> bool:
    return host in BOT_FRAMEWORK_HOSTS or host.endswith(BOT_FRAMEWORK_SUFFIXES)
