"""The egress guard decides on addresses after resolution: every kind of non-public address, in every form."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aloma_core.connectors.egress import EgressPolicy, EgressRefused
from aloma_core.connectors.errors import ConnectorError

OPEN = EgressPolicy.of(())


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a private address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("240.0.0.1", "a reserved address"),
        ("100.64.0.1", "not a public address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("2002:7f00:1::", "a loopback address"),
        ("64:ff9b::a00:1", "a private address"),
    ],
)
def test_non_public_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    with pytest.raises(EgressRefused, match=f"{kind}; add the host to the workspace setting egress_allow"):
        OPEN.addresses(address, 80)


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "fd00:ec2::254", "169.254.170.2", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"],
)
def test_metadata_addresses_are_refused_even_when_allowed_or_on_a_private_network(address: str) -> None:
    allowed = EgressPolicy.of([address, "169.254.169.254"])
    private = EgressPolicy.of((), private_network=True)
    own_machine = EgressPolicy.of([address], private_network=True, own_machine=True)
    for policy in (OPEN, allowed, private, own_machine):
        with pytest.raises(EgressRefused, match="cloud metadata address, never reachable"):
            policy.addresses(address, 80)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert OPEN.addresses(address, 443) == [str(ipaddress.ip_address(address))]


def test_a_mapped_address_is_shown_with_the_address_it_reaches() -> None:
    with pytest.raises(EgressRefused, match=r"::ffff:7f00:1 \(127\.0\.0\.1\) is a loopback address"):
        OPEN.addresses("::ffff:127.0.0.1", 80)


def test_a_name_is_judged_by_what_it_resolves_to() -> None:
    with pytest.raises(
        EgressRefused, match=r"localhost resolves to 127\.0\.0\.1, which is a loopback address"
    ):
        OPEN.addresses("localhost", 80)


def test_an_allowed_name_passes_whatever_it_resolves_to() -> None:
    assert EgressPolicy.of(["LocalHost."]).addresses("localhost", 80) == ["127.0.0.1"]


def test_an_allowed_address_lets_through_its_mapped_form_and_names_resolving_to_it() -> None:
    policy = EgressPolicy.of(["127.0.0.1", "[::1]"])
    assert policy.addresses("::ffff:127.0.0.1", 80) == ["::ffff:7f00:1"]
    assert policy.addresses("localhost", 80) == ["127.0.0.1"]
    assert policy.addresses("0:0::1", 80) == ["::1"]


def test_allowing_one_address_does_not_allow_its_neighbours() -> None:
    with pytest.raises(EgressRefused):
        EgressPolicy.of(["127.0.0.1"]).addresses("127.0.0.2", 80)


def test_a_private_network_policy_reaches_private_addresses_but_not_the_machine_or_its_link() -> None:
    policy = EgressPolicy.of((), private_network=True)
    assert policy.addresses("10.1.2.3", 80) == ["10.1.2.3"]
    assert policy.addresses("fd12::1", 80) == ["fd12::1"]
    assert policy.addresses("100.64.0.1", 80) == ["100.64.0.1"]
    for address in ("127.0.0.1", "::1", "169.254.1.1", "fe80::1", "0.0.0.0", "224.0.0.1"):
        with pytest.raises(EgressRefused):
            policy.addresses(address, 80)


def test_an_own_machine_policy_also_reaches_loopback_but_not_its_link() -> None:
    policy = EgressPolicy.of((), private_network=True, own_machine=True)
    assert policy.addresses("127.0.0.1", 80) == ["127.0.0.1"]
    assert policy.addresses("::1", 80) == ["::1"]
    for address in ("169.254.1.1", "fe80::1", "0.0.0.0", "::"):
        with pytest.raises(EgressRefused):
            policy.addresses(address, 80)


def test_own_machine_only_widens_a_private_network_policy() -> None:
    with pytest.raises(ValueError, match="own_machine only widens a private_network policy"):
        EgressPolicy.of((), own_machine=True)


def test_an_unresolvable_name_is_a_clear_error() -> None:
    with pytest.raises(ConnectorError, match=r"cannot resolve the host no-such-host\.invalid"):
        OPEN.addresses("no-such-host.invalid", 80)


_PRIVATE_V4 = st.sampled_from(
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16"]
)


@given(network=_PRIVATE_V4, offset=st.integers(min_value=0, max_value=2**16 - 1), form=st.integers(0, 3))
def test_every_form_of_a_private_ipv4_address_is_refused(network: str, offset: int, form: int) -> None:
    base = ipaddress.ip_network(network)
    v4 = ipaddress.IPv4Address(int(base.network_address) + offset % base.num_addresses)
    forms = [
        str(v4),
        f"::ffff:{v4}",
        str(ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80))),
        str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(v4))),
    ]
    with pytest.raises(EgressRefused):
        OPEN.addresses(forms[form], 80)
