"""The egress guard on real connections: refusal before connecting and on each redirect; pinned addresses."""

import socket
from typing import Any

import pytest
from connector_support import call, failure, make_host

from fake_service import FakeService, Reply, json_reply

PRIVATE = "add the host to the workspace setting egress_allow to reach it"


@pytest.mark.parametrize(
    ("netloc", "refusal"),
    [
        ("127.0.0.1:{port}", "127.0.0.1 is a loopback address"),
        ("localhost:{port}", "localhost resolves to 127.0.0.1, which is a loopback address"),
        ("[::ffff:127.0.0.1]:{port}", "::ffff:7f00:1 (127.0.0.1) is a loopback address"),
        ("[::1]:{port}", "::1 is a loopback address"),
        ("10.0.0.1", "10.0.0.1 is a private address"),
        ("169.254.169.254", "169.254.169.254 is a cloud metadata address"),
        ("[fd00:ec2::254]", "fd00:ec2::254 is a cloud metadata address"),
        ("0.0.0.0:{port}", "0.0.0.0 is an unspecified address"),
    ],
)
def test_non_public_addresses_are_refused_before_any_connection(
    service: FakeService, netloc: str, refusal: str
) -> None:
    service.route("GET", "/", json_reply("reached"))
    url = f"http://{netloc.format(port=service.port)}/"
    assert failure(make_host(allow=()), "fetch", "", {"url": url}).startswith(
        f"connectors.fetch: refused by the egress guard: {refusal}"
    )
    assert service.seen == []


@pytest.mark.parametrize(
    ("allow", "netloc"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "[::ffff:127.0.0.1]"),
        ("127.0.0.1", "localhost"),
        ("localhost", "localhost"),
    ],
)
def test_the_allow_list_lets_a_host_through(service: FakeService, allow: str, netloc: str) -> None:
    service.route("GET", "/", json_reply("reached"))
    url = f"http://{netloc}:{service.port}/"
    assert call(make_host(allow=(allow,)), "fetch", "", {"url": url, "bodyOnly": True}) == "reached"
    assert service.seen[0].headers["host"] == f"{netloc}:{service.port}"


def test_an_allowed_host_cannot_open_the_metadata_address() -> None:
    host = make_host(allow=("169.254.169.254",))
    assert "cloud metadata address, never reachable from a step" in failure(
        host, "fetch", "", {"url": "http://169.254.169.254/latest/meta-data/"}
    )


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://10.0.0.1/admin",
        "http://127.0.0.2:{port}/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_a_redirect_from_an_allowed_server_to_a_refused_address_is_refused(
    service: FakeService, location: str
) -> None:
    service.route("GET", "/go", Reply(302, {"Location": location.format(port=service.port)}))
    assert "connectors.fetch: refused by the egress guard" in failure(
        make_host(), "fetch", "", {"url": f"{service.url}/go"}
    )
    assert [seen.path for seen in service.seen] == ["/go"]


def test_the_name_is_resolved_once_and_the_connection_goes_to_the_checked_address(
    service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolves to an allowed address, then to another: only the first answer is ever used."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.0.0.1", "10.0.0.1"])
    asked: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            asked.append(host)
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    service.route("GET", "/", json_reply("reached"))
    url = f"http://rebind.test:{service.port}/"
    assert call(make_host(), "fetch", "", {"url": url, "bodyOnly": True}, timeout_s=2) == "reached"
    assert asked == ["rebind.test"]
    assert service.seen[0].headers["host"] == f"rebind.test:{service.port}"


def test_remote_on_the_local_home_reaches_loopback_without_the_allow_list(service: FakeService) -> None:
    service.route("POST", "/ping", json_reply("pong"))
    host = make_host({"inhouse": ("remote", {"url": service.url})}, allow=(), own_machine=True)
    assert call(host, "inhouse", "ping", {}) == "pong"


def test_remote_elsewhere_reaches_loopback_only_through_the_allow_list(service: FakeService) -> None:
    """On AWS loopback is where the Lambda runtime API listens (127.0.0.1:9001)."""
    service.route("POST", "/ping", json_reply("pong"))
    refused = make_host({"inhouse": ("remote", {"url": service.url})}, allow=())
    assert failure(refused, "inhouse", "ping", {}) == (
        f"connectors.inhouse.ping: refused by the egress guard: 127.0.0.1 is a loopback address; {PRIVATE}"
    )
    assert service.seen == []
    allowed = make_host({"inhouse": ("remote", {"url": service.url})}, allow=("127.0.0.1",))
    assert call(allowed, "inhouse", "ping", {}) == "pong"


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254", "http://[::ffff:169.254.169.254]:80", "http://[fd00:ec2::254]"]
)
@pytest.mark.parametrize("own_machine", [False, True])
def test_remote_still_refuses_the_metadata_addresses(url: str, own_machine: bool) -> None:
    host = make_host({"meta": ("remote", {"url": url})}, allow=(), own_machine=own_machine)
    message = failure(host, "meta", "latest", {})
    assert message.startswith("connectors.meta.latest: refused by the egress guard: ")
    assert "cloud metadata" in message
