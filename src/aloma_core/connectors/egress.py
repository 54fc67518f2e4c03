"""The egress guard: which addresses a connector may connect to, decided after DNS resolution.

A step chooses the URLs it fetches, so without a guard it could reach the platform's own
network: loopback services, private ranges, and above all the cloud metadata endpoint that hands
out the runner's credentials. The guard resolves a host once and returns the addresses that pass;
the HTTP client then connects to one of those very addresses (never to the name again), so a DNS
answer that changes between the check and the connection cannot slip past it.

`getaddrinfo` has no time limit of its own and cannot be interrupted, so each look-up runs on a
daemon thread the caller stops waiting for at the DNS time limit; a bounded number of look-ups
may be outstanding at once, so a resolver that hangs cannot pile up threads.
"""

import ipaddress
import socket
import threading
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
# "This network": 0.0.0.0 and its neighbours reach the machine itself on Linux.
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")

# Checked in this order so that the message names the most telling kind (127.0.0.1 is also "private").
_KINDS = (
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_site_local", "a site-local"),
    ("is_multicast", "a multicast"),
    ("is_reserved", "a reserved"),
    ("is_private", "a private"),
)
# What a `private_network` policy may reach without the allow list: in-house networks, not the
# machine itself nor its link (where the Lambda runtime API and metadata services listen).
_PRIVATE_NETWORK_KINDS = frozenset({"a private address", "not a public address"})
_OWN_MACHINE_KINDS = frozenset({"a loopback address"})

MAX_PENDING_LOOKUPS = 16


class EgressRefused(ConnectorError):
    """The guard refused every address of a host."""


def parse_address(text: str) -> IPAddress | None:
    """`text` as an IP address (brackets and an IPv6 zone allowed), or None for a host name."""
    try:
        return ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, 6to4, Teredo client, NAT64): the one a packet
    really reaches."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public_kind(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address (e.g. "a loopback address"), or None if it is."""
    if address in _THIS_NETWORK:
        return "an unspecified address"
    for attribute, kind in _KINDS:
        if getattr(address, attribute, False):
            return f"{kind} address"
    return None if address.is_global else "not a public address"


def _normalise_host(host: str) -> str:
    address = parse_address(host)
    return str(address) if address is not None else host.lower().rstrip(".")


@dataclass(frozen=True)
class EgressPolicy:
    """`allow` holds the workspace's `egress_allow` entries (host names and IP addresses).

    With `private_network` (the `remote` connector, pointed at a user's in-house service by its
    configuration rather than by step code) private ranges are reachable too; with `own_machine`
    as well (only the local home sets it: the laptop's own services) loopback is. Link-local,
    unspecified and metadata addresses stay refused; all but metadata can be allow-listed.
    `dns_timeout_s` bounds each look-up.
    """

    allow: frozenset[str] = frozenset()
    private_network: bool = False
    own_machine: bool = False
    dns_timeout_s: float = 5.0

    @classmethod
    def of(
        cls,
        allow: Iterable[str],
        *,
        private_network: bool = False,
        own_machine: bool = False,
        dns_timeout_s: float = 5.0,
    ) -> "EgressPolicy":
        if own_machine and not private_network:
            raise ValueError("own_machine only widens a private_network policy")
        entries = frozenset(_normalise_host(entry) for entry in allow if entry.strip())
        return cls(entries, private_network, own_machine, dns_timeout_s)

    def addresses(self, host: str, port: int, timeout_s: float | None = None) -> list[str]:
        """The addresses of `host` this policy lets a connection go to, in resolver order.

        The look-up is given `timeout_s` (when the caller has less time left than the DNS time
        limit) or the limit itself.
        """
        limit = self.dns_timeout_s if timeout_s is None else min(timeout_s, self.dns_timeout_s)
        resolved = _resolve(host, port, limit)
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
        if self._allowed(host, address, inner):
            return None
        kind = non_public_kind(address if inner is None else inner)
        if kind is None or kind in self._reachable_kinds():
            return None
        return f"{kind}; add the host to the workspace setting egress_allow to reach it"

    def _reachable_kinds(self) -> frozenset[str]:
        kinds = _PRIVATE_NETWORK_KINDS if self.private_network else frozenset()
        return kinds | _OWN_MACHINE_KINDS if self.own_machine else kinds

    def _allowed(self, host: str, address: IPAddress, inner: ipaddress.IPv4Address | None) -> bool:
        names = {_normalise_host(host), str(address)} | ({str(inner)} if inner is not None else set())
        return not names.isdisjoint(self.allow)


_PENDING_LOOKUPS = threading.BoundedSemaphore(MAX_PENDING_LOOKUPS)


class _Lookup:
    """One `getaddrinfo` on its own daemon thread; whoever started it may stop waiting for it."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._done = threading.Event()
        self.infos: list[tuple[object, ...]] = []
        self.error: Exception | None = None

    def start(self) -> "_Lookup":
        threading.Thread(target=self._run, name=f"dns {self._host}", daemon=True).start()
        return self

    def wait(self, timeout_s: float) -> bool:
        return self._done.wait(timeout_s)

    def _run(self) -> None:
        try:
            self.infos = list(socket.getaddrinfo(self._host, self._port, type=socket.SOCK_STREAM))
        except Exception as exc:  # handed to the waiting caller, who decides what it means
            self.error = exc
        finally:
            self._done.set()
            _PENDING_LOOKUPS.release()


def _lookup(host: str, port: int, timeout_s: float) -> list[tuple[object, ...]]:
    too_slow = ConnectorError(
        f"cannot resolve the host {host}: DNS did not answer within {timeout_s:.1f} s (the DNS time limit)"
    )
    if not _PENDING_LOOKUPS.acquire(timeout=max(timeout_s, 0.0)):
        raise too_slow
    try:
        lookup = _Lookup(host, port).start()
    except RuntimeError:
        _PENDING_LOOKUPS.release()
        raise
    if not lookup.wait(max(timeout_s, 0.0)):
        raise too_slow
    if isinstance(lookup.error, socket.gaierror | UnicodeError):
        raise ConnectorError(f"cannot resolve the host {host}: {lookup.error}") from None
    if lookup.error is not None:
        raise lookup.error
    return lookup.infos


def _resolve(host: str, port: int, timeout_s: float) -> list[IPAddress]:
    """Every address of `host` (an IP literal resolves to itself without DNS), duplicates dropped."""
    literal = parse_address(host)
    infos = [(0, 0, 0, "", (str(literal), port))] if literal is not None else _lookup(host, port, timeout_s)
    found: dict[IPAddress, None] = {}
    for info in infos:
        sockaddr = info[4]
        address = parse_address(str(sockaddr[0])) if isinstance(sockaddr, tuple) else None
        if address is not None:
            found.setdefault(address)
    if not found:
        raise ConnectorError(f"cannot resolve the host {host}: no IP address")
    return list(found)
