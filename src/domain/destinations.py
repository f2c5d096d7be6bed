"""Where the gateway may send a tenant's events: the rule against server-side request forgery.

In production a callback URL must be `https` and may not point at loopback, link-local, private,
multicast, reserved or unspecified addresses, unless the operator allowed its host by name (or an
address or network that contains it). A literal address or `localhost` is judged when the URL is
saved; a name is judged when a push resolves it (a name that does not resolve yet is accepted).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def parse_address(text: str) -> IpAddress | None:
    """The address a host part names literally (IPv6 brackets and zone ids allowed), or None."""
    host = text.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # the forms resolvers also take: 0x7f000001, 2130706433, 127.1, 0177.0.0.1
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError, UnicodeError):
        return None


def is_public(address: IpAddress) -> bool:
    """Whether an address is an ordinary public unicast one; an IPv4 address inside IPv6 (mapped, or
    NAT64's 64:ff9b::/96) is judged as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.is_global and not address.is_multicast


def is_local_name(host: str) -> bool:
    """Whether a host name always means this machine."""
    name = host.strip().rstrip(".").lower()
    return name in _LOCAL_NAMES or name.endswith(".localhost")


@dataclass(frozen=True, slots=True)
class DestinationPolicy:
    """The callback URL rule; `enforced` in production. `allowed_hosts` holds host names (compared
    without case) and addresses or networks (`10.0.0.0/8`) the operator allows even so."""

    enforced: bool = False
    allowed_names: frozenset[str] = frozenset()
    allowed_networks: tuple[IpNetwork, ...] = field(default=())

    @classmethod
    def of(cls, *, enforced: bool, allowed_hosts: Iterable[str] = ()) -> DestinationPolicy:
        """A policy from the operator's list; raises ValueError for an entry that is neither a host
        name nor an address or network."""
        names: set[str] = set()
        networks: list[IpNetwork] = []
        for entry in allowed_hosts:
            text = entry.strip().lower()
            if not text:
                continue
            try:
                networks.append(ipaddress.ip_network(text.strip("[]"), strict=False))
            except ValueError:
                if not text.replace("-", "").replace(".", "").replace("_", "").isalnum():
                    raise ValueError(f"{entry!r} is not a host name, address or network") from None
                names.add(text.rstrip("."))
        return cls(
            enforced=enforced, allowed_names=frozenset(names), allowed_networks=tuple(networks)
        )

    def host_allowed(self, host: str) -> bool:
        """Whether the operator allowed this host by name."""
        return host.strip().rstrip(".").lower() in self.allowed_names

    def address_allowed(self, address: IpAddress) -> bool:
        """Whether an address may be reached: public, or inside a network the operator allowed."""
        if not self.enforced or is_public(address):
            return True
        return any(address in network for network in self.allowed_networks)

    def judge_url(self, url: str) -> str | None:
        """Why a callback URL is refused when saved, or None when it is acceptable."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            return "is not a valid URL"
        if parts.scheme not in ("http", "https") or not host:
            return "must be an absolute http or https URL with a host"
        if not self.enforced or self.host_allowed(host):
            return None
        if parts.scheme != "https":
            return "must use https in production"
        if is_local_name(host):
            return "may not point at this machine (localhost) in production"
        address = parse_address(host)
        if address is not None and not self.address_allowed(address):
            return (
                "may not point at a loopback, link-local, private or multicast address in "
                "production (GATEWAY_CALLBACK_ALLOWED_HOSTS can allow a host)"
            )
        return None

    def judge_resolved(self, host: str, addresses: Iterable[IpAddress]) -> str | None:
        """Why a push to `host`, which resolved to `addresses`, is refused; None when it may go."""
        if not self.enforced or self.host_allowed(host):
            return None
        for address in addresses:
            if not self.address_allowed(address):
                return f"{host} resolves to {address}, a non-public address"
        return None
