"""Adversarial addresses for the egress guard: every spelling of the machine itself, its link, private
networks and the metadata endpoints, as literals and as names resolving to them.

Three policies, as the connectors use them: `fetch` (and `http`, `slack`) with no allow list;
`remote` on AWS (private networks, not the machine nor its link); `remote` on the local home
(its laptop's loopback too). Names are answered by a resolver patched in for the test, so no
DNS is asked; numeric spellings such as `0177.0.0.1` go through the C library's own parser.
"""

import ipaddress
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from aloma_core.connectors.egress import MAX_PENDING_LOOKUPS, EgressPolicy, EgressRefused
from aloma_core.connectors.errors import ConnectorError
from fake_resolver import HANG, FakeResolver

pytestmark = pytest.mark.corpus

FETCH = EgressPolicy.of(())
REMOTE_ON_AWS = EgressPolicy.of((), private_network=True)
REMOTE_ON_LOCAL = EgressPolicy.of((), private_network=True, own_machine=True)
ALLOW_HINT = "add the host to the workspace setting egress_allow to reach it"

# (spelling, the address it reaches, the kind named in the refusal)
LOOPBACK = [
    ("127.0.0.1", "127.0.0.1", "a loopback address"),
    ("127.1", "127.0.0.1", "a loopback address"),
    ("2130706433", "127.0.0.1", "a loopback address"),
    ("0x7f000001", "127.0.0.1", "a loopback address"),
    ("017700000001", "127.0.0.1", "a loopback address"),
    ("0177.0.0.1", "127.0.0.1", "a loopback address"),
    ("127.255.255.254", "127.255.255.254", "a loopback address"),
    ("::1", "::1", "a loopback address"),
    ("[::1]", "::1", "a loopback address"),
    ("::ffff:127.0.0.1", "::ffff:7f00:1", "(127.0.0.1) is a loopback address"),
    ("::ffff:7f00:1", "::ffff:7f00:1", "(127.0.0.1) is a loopback address"),
    ("2002:7f00:1::1", "2002:7f00:1::1", "(127.0.0.1) is a loopback address"),
    ("64:ff9b::7f00:1", "64:ff9b::7f00:1", "(127.0.0.1) is a loopback address"),
]
UNSPECIFIED = [
    ("0.0.0.0", "0.0.0.0", "an unspecified address"),
    ("0", "0.0.0.0", "an unspecified address"),
    ("0x0", "0.0.0.0", "an unspecified address"),
    ("0.1.2.3", "0.1.2.3", "an unspecified address"),
    ("::", "::", "an unspecified address"),
    ("::ffff:0.0.0.0", "::ffff:0:0", "(0.0.0.0) is an unspecified address"),
]
LINK_LOCAL = [
    ("169.254.1.1", "169.254.1.1", "a link-local address"),
    ("fe80::1", "fe80::1", "a link-local address"),
    ("fe80::1%1", "fe80::1", "a link-local address"),
    ("febf:ffff::1", "febf:ffff::1", "a link-local address"),
    ("::ffff:169.254.7.7", "::ffff:a9fe:707", "(169.254.7.7) is a link-local address"),
]
PRIVATE = [
    ("10.0.0.1", "10.0.0.1", "a private address"),
    ("10.1", "10.0.0.1", "a private address"),
    ("10.255.255.255", "10.255.255.255", "a private address"),
    ("172.16.0.1", "172.16.0.1", "a private address"),
    ("172.31.255.254", "172.31.255.254", "a private address"),
    ("192.168.0.1", "192.168.0.1", "a private address"),
    ("100.64.0.1", "100.64.0.1", "not a public address"),
    ("100.127.255.254", "100.127.255.254", "not a public address"),
    ("fc00::1", "fc00::1", "a private address"),
    ("fd12:3456::1", "fd12:3456::1", "a private address"),
    ("::ffff:10.0.0.1", "::ffff:a00:1", "(10.0.0.1) is a private address"),
    ("64:ff9b::192.168.1.1", "64:ff9b::c0a8:101", "(192.168.1.1) is a private address"),
    ("64:ff9b::a00:1", "64:ff9b::a00:1", "(10.0.0.1) is a private address"),
    ("2002:c0a8:101::", "2002:c0a8:101::", "(192.168.1.1) is a private address"),
]
METADATA = [
    ("169.254.169.254", "169.254.169.254"),
    ("2852039166", "169.254.169.254"),
    ("0xa9fea9fe", "169.254.169.254"),
    ("0251.0376.0251.0376", "169.254.169.254"),
    ("169.254.43518", "169.254.169.254"),
    ("::ffff:169.254.169.254", "::ffff:a9fe:a9fe"),
    ("::ffff:a9fe:a9fe", "::ffff:a9fe:a9fe"),
    ("64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe"),
    ("2002:a9fe:a9fe::", "2002:a9fe:a9fe::"),
    ("fd00:ec2::254", "fd00:ec2::254"),
    ("169.254.170.2", "169.254.170.2"),
    ("100.100.100.200", "100.100.100.200"),
]
OTHER_NON_PUBLIC = [
    ("224.0.0.1", "224.0.0.1", "a multicast address"),
    ("ff02::1", "ff02::1", "a multicast address"),
    ("240.0.0.1", "240.0.0.1", "a reserved address"),
    ("255.255.255.255", "255.255.255.255", "a reserved address"),
    ("fec0::1", "fec0::1", "a site-local address"),
    ("::7f00:1", "::7f00:1", "a reserved address"),
    ("64:ff9b:1::a00:1", "64:ff9b:1::a00:1", "a reserved address"),
]
# Teredo carries the client's IPv4 address inverted; 2001::/32 is refused as private in any case.
TEREDO_TO_LOOPBACK = str(
    ipaddress.IPv6Address((0x20010000 << 96) | (int(ipaddress.IPv4Address("127.0.0.1")) ^ 0xFFFFFFFF))
)

NEVER_FOR_A_STEP = LOOPBACK + UNSPECIFIED + LINK_LOCAL + PRIVATE + OTHER_NON_PUBLIC
NOT_THE_MACHINE_NOR_ITS_LINK = LOOPBACK + UNSPECIFIED + LINK_LOCAL + OTHER_NON_PUBLIC


def _ids(rows: list[tuple[str, str, str]]) -> list[Any]:
    return [pytest.param(*row, id=row[0]) for row in rows]


@pytest.mark.parametrize(("spelling", "reached", "kind"), _ids(NEVER_FOR_A_STEP))
def test_fetch_refuses_every_spelling_of_a_non_public_address(spelling: str, reached: str, kind: str) -> None:
    with pytest.raises(EgressRefused) as caught:
        FETCH.addresses(spelling, 80)
    message = str(caught.value)
    assert message.startswith("refused by the egress guard: ")
    assert reached in message
    assert f"{kind}; {ALLOW_HINT}" in message


@pytest.mark.parametrize(("spelling", "reached", "kind"), _ids(NOT_THE_MACHINE_NOR_ITS_LINK))
def test_remote_on_aws_refuses_the_machine_and_its_link(spelling: str, reached: str, kind: str) -> None:
    with pytest.raises(EgressRefused, match=re.escape(f"{kind}; {ALLOW_HINT}")):
        REMOTE_ON_AWS.addresses(spelling, 80)


@pytest.mark.parametrize(("spelling", "reached", "kind"), _ids(PRIVATE))
def test_remote_reaches_private_networks(spelling: str, reached: str, kind: str) -> None:
    assert REMOTE_ON_AWS.addresses(spelling, 80) == [reached]
    assert REMOTE_ON_LOCAL.addresses(spelling, 80) == [reached]


@pytest.mark.parametrize(("spelling", "reached", "kind"), _ids(LOOPBACK))
def test_remote_on_the_local_home_reaches_loopback(spelling: str, reached: str, kind: str) -> None:
    assert REMOTE_ON_LOCAL.addresses(spelling, 80) == [reached]


@pytest.mark.parametrize(("spelling", "reached", "kind"), _ids(UNSPECIFIED + LINK_LOCAL + OTHER_NON_PUBLIC))
def test_remote_on_the_local_home_still_refuses_the_rest(spelling: str, reached: str, kind: str) -> None:
    with pytest.raises(EgressRefused, match=re.escape(kind)):
        REMOTE_ON_LOCAL.addresses(spelling, 80)


@pytest.mark.parametrize(("spelling", "reached"), [pytest.param(*row, id=row[0]) for row in METADATA])
def test_metadata_is_refused_in_every_spelling_by_every_policy_even_allow_listed(
    spelling: str, reached: str
) -> None:
    allow_listed = EgressPolicy.of([spelling, reached, "169.254.169.254"], private_network=True)
    for policy in (FETCH, REMOTE_ON_AWS, REMOTE_ON_LOCAL, allow_listed):
        with pytest.raises(EgressRefused, match="a cloud metadata address, never reachable from a step"):
            policy.addresses(spelling, 80)


def test_teredo_is_judged_by_the_client_address_it_carries() -> None:
    with pytest.raises(EgressRefused, match=r"\(127\.0\.0\.1\) is a loopback address"):
        FETCH.addresses(TEREDO_TO_LOOPBACK, 80)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass_every_policy(address: str) -> None:
    for policy in (FETCH, REMOTE_ON_AWS, REMOTE_ON_LOCAL):
        assert policy.addresses(address, 443) == [str(ipaddress.ip_address(address))]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResolver]:
    fake = FakeResolver()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake
    fake.release()


@pytest.mark.parametrize(("reached", "kind"), [(r, k) for _, r, k in NEVER_FOR_A_STEP if "(" not in k])
def test_a_public_looking_name_is_judged_by_what_it_resolves_to(
    resolver: FakeResolver, reached: str, kind: str
) -> None:
    resolver.answer("api.example.com", [reached])
    refusal = f"api.example.com resolves to {reached}, which is {kind}"
    with pytest.raises(EgressRefused, match=re.escape(refusal)):
        FETCH.addresses("api.example.com", 443)


def test_a_name_with_one_bad_address_among_good_ones_goes_only_to_the_good(resolver: FakeResolver) -> None:
    resolver.answer("mixed.example.com", ["127.0.0.1", "8.8.8.8", "169.254.169.254", "10.0.0.1"])
    assert FETCH.addresses("mixed.example.com", 443) == ["8.8.8.8"]


def test_a_name_resolving_to_metadata_is_refused_even_when_allowed(resolver: FakeResolver) -> None:
    resolver.answer("metadata.example.com", ["169.254.169.254"])
    with pytest.raises(EgressRefused, match="cloud metadata"):
        EgressPolicy.of(["metadata.example.com"]).addresses("metadata.example.com", 80)


def test_a_hanging_resolver_is_abandoned_at_the_dns_time_limit(resolver: FakeResolver) -> None:
    resolver.answer("slow.example.com", HANG)
    policy = EgressPolicy.of((), dns_timeout_s=0.2)
    with pytest.raises(ConnectorError) as caught:
        policy.addresses("slow.example.com", 443)
    assert str(caught.value) == (
        "cannot resolve the host slow.example.com: DNS did not answer within 0.2 s (the DNS time limit)"
    )
    assert not isinstance(caught.value, EgressRefused)


def test_the_callers_remaining_time_bounds_the_look_up_too(resolver: FakeResolver) -> None:
    resolver.answer("slow.example.com", HANG)
    with pytest.raises(ConnectorError, match=r"DNS did not answer within 0\.1 s"):
        FETCH.addresses("slow.example.com", 443, timeout_s=0.1)


def test_hanging_look_ups_are_bounded_in_number(resolver: FakeResolver) -> None:
    """Past the bound a look-up is refused at its own time limit instead of starting another thread."""
    resolver.answer("slow.example.com", HANG)
    resolver.answer("fast.example.com", ["8.8.8.8"])
    policy = EgressPolicy.of((), dns_timeout_s=0.05)
    for _ in range(MAX_PENDING_LOOKUPS):
        with pytest.raises(ConnectorError, match="DNS did not answer"):
            policy.addresses("slow.example.com", 443)
    assert resolver.asked.count("slow.example.com") == MAX_PENDING_LOOKUPS
    with pytest.raises(ConnectorError, match="DNS did not answer"):
        policy.addresses("fast.example.com", 443)
    assert "fast.example.com" not in resolver.asked
    resolver.release()
    assert EgressPolicy.of(()).addresses("fast.example.com", 443) == ["8.8.8.8"]
    assert resolver.asked.count("fast.example.com") == 1


def test_an_unknown_name_is_a_clear_error(resolver: FakeResolver) -> None:
    with pytest.raises(ConnectorError, match=r"cannot resolve the host nowhere\.example\.com: "):
        FETCH.addresses("nowhere.example.com", 443)
