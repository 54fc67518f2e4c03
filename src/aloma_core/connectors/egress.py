"""The egress guard: which addresses a connector may connect to, decided after DNS resolution.

A step chooses the URLs it fetches, so without a guard it could reach the platform's own
network: loopback services, private ranges, and above all the cloud metadata endpoint that hands
out the runner's credentials. The guard resolves a host once and returns the addresses that pass;
the HTTP client then connects to one of those very addresses (never to the name again), so a DNS
answer that changes between the check and the connection cannot slip past it.
"""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import ConnectorError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Never reachable, whatever the allow list: they hand out cloud credentials.
# AWS/GCP/Azure/OpenStack, AWS over IPv6, ECS task credentials, Alibaba Cloud.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)

_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# Checked in this order so that the message names the most telling kind (127.0.0.1 is also "private").
_KINDS = (
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_reserved", "a reserved"),
    ("is_private", "a private"),
)


class EgressRefused(ConnectorError):
    """The guard refused every address of a host."""


def parse_address(text: str) -> IPAddress | None:
    """`text` as an IP address (brackets and an IPv6 zone allowed), or None for a host name."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, 6to4, NAT64): the one a packet really reaches."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public_kind(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address (e.g. "a loopback address"), or None if it is."""
    for attribute, kind in _KINDS:
        if getattr(address, attribute):
            return f"{kind} address"
    return None if address.is_global else "not a public address"


def _normalise_host(host: str) -> str:
    address = parse_address(host)
    return str(address) if address is not None else host.lower().rstrip(".")


@dataclass(frozen=True)
class EgressPolicy:
    """`allow` holds the workspace's `egress_allow` entries (host names and IP addresses).

    With `private_network` (the `remote` connector, pointed at a user's in-house service by its
    configuration rather than by step code) only the metadata addresses are refused.
    """

    allow: frozenset[str] = frozenset()
    private_network: bool = False

    @classmethod
    def of(cls, allow: Iterable[str], *, private_network: bool = False) -> "EgressPolicy":
        return cls(frozenset(_normalise_host(entry) for entry in allow if entry.strip()), private_network)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of `host` this policy lets a connection go to, in resolver order."""
        resolved = _resolve(host, port)
        refusals = [(address, self.refusal(host, address)) for address in resolved]
        allowed = [str(address) for address, why in refusals if why is None]
        if allowed:
            return allowed
        address, why = refusals[0]
        inner = embedded_ipv4(address)
        shown = f"{address} ({inner})" if inner is not None else str(address)
        subject = (
            f"{shown} is" if parse_address(host) is not None else f"{host} resolves to {shown}, which is"
        )
        raise EgressRefused(f"refused by the egress guard: {subject} {why}")

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why a connection to `address` (found for `host`) is refused, or None when it may go."""
        inner = embedded_ipv4(address)
        if address in METADATA_ADDRESSES or inner in METADATA_ADDRESSES:
            return "a cloud metadata address, never reachable from a step"
        if self.private_network or self._allowed(host, address, inner):
            return None
        kind = non_public_kind(address if inner is None else inner)
        if kind is None:
            return None
        return f"{kind}; add the host to the workspace setting egress_allow to reach it"

    def _allowed(self, host: str, address: IPAddress, inner: ipaddress.IPv4Address | None) -> bool:
        names = {_normalise_host(host), str(address)} | ({str(inner)} if inner is not None else set())
        return not names.isdisjoint(self.allow)


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address of `host` (an IP literal resolves to itself without DNS), duplicates dropped."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectorError(f"cannot resolve the host {host}: {exc}") from None
    found: dict[IPAddress, None] = {}
    for info in infos:
        address = parse_address(str(info[4][0]))
        if address is not None:
            found.setdefault(address)
    if not found:
        raise ConnectorError(f"cannot resolve the host {host}: no IP address")
    return list(found)
