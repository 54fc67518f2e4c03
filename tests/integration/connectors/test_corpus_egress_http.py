"""The egress corpus on real connections: a server on 127.0.0.1 stands for the machine's own services
(on AWS, the Lambda runtime API) and must never see a request it was not allowed to get.

Names are answered by the fake resolver of tests/fake_resolver.py; connections are real, except
that the one rebinding test records where connections go instead of opening one to a public address.
"""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from connector_support import call, failure, make_host

from aloma_core.connectors import WorkspaceConnectorHost
from aloma_core.connectors.limits import HttpLimits
from fake_resolver import HANG, FakeResolver
from fake_service import FakeService, Reply, json_reply

pytestmark = pytest.mark.corpus

PARTNER = "partner.example.com"
"""An allow-listed public-looking name that resolves to the allowed server on 127.0.0.1."""

REFUSED = "refused by the egress guard: "


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResolver]:
    fake = FakeResolver()
    fake.answer(PARTNER, ["127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake
    fake.release()


@pytest.fixture
def machine(other_service: FakeService) -> FakeService:
    """The service that stands for the machine's own: every route answers, no test may reach it."""
    for method in ("GET", "POST"):
        other_service.route(method, "/", json_reply("the machine's own service was reached"))
    return other_service


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (["127.0.0.1"], "127.0.0.1, which is a loopback address"),
        (["::ffff:127.0.0.1"], "::ffff:7f00:1 (127.0.0.1), which is a loopback address"),
        (["0.0.0.0"], "0.0.0.0, which is an unspecified address"),
        (["169.254.169.254"], "169.254.169.254, which is a cloud metadata address"),
        (["10.0.0.1", "127.0.0.1"], "10.0.0.1, which is a private address"),
    ],
)
def test_a_public_looking_name_resolving_to_the_machine_is_refused(
    resolver: FakeResolver, machine: FakeService, answer: list[str], shown: str
) -> None:
    resolver.answer("api.example.com", answer)
    url = f"http://api.example.com:{machine.port}/"
    message = failure(make_host(allow=()), "fetch", "", {"url": url})
    assert message.startswith(f"connectors.fetch: {REFUSED}api.example.com resolves to {shown}")
    assert machine.seen == []


@pytest.mark.parametrize("spelling", ["127.1", "2130706433", "0x7f000001", "017700000001", "0"])
def test_numeric_spellings_of_the_machine_are_refused(
    resolver: FakeResolver, machine: FakeService, spelling: str
) -> None:
    url = f"http://{spelling}:{machine.port}/"
    message = failure(make_host(allow=()), "fetch", "", {"url": url})
    assert message.startswith(f"connectors.fetch: {REFUSED}{spelling} resolves to ")
    assert machine.seen == []


def test_a_dotted_octal_spelling_is_refused_as_an_invalid_url(machine: FakeService) -> None:
    message = failure(make_host(allow=()), "fetch", "", {"url": f"http://0177.0.0.1:{machine.port}/"})
    assert message.startswith("connectors.fetch: invalid URL: ")
    assert machine.seen == []


@pytest.mark.parametrize(
    ("connector", "config", "method", "args"),
    [
        ("http", {"base_url": "http://api.example.com:{port}"}, "request", {"url": "/"}),
        ("remote", {"url": "http://api.example.com:{port}"}, "ping", {}),
        ("slack", {"webhook_url": {"secret": "HOOK"}}, "send", {"text": "hi"}),
        (
            "slack",
            {"token": {"secret": "HOOK"}, "api_url": "http://api.example.com:{port}"},
            "send",
            {
                "text": "hi",
                "channel": "#x",
            },
        ),
    ],
)
def test_every_connector_that_calls_out_is_guarded(
    resolver: FakeResolver,
    machine: FakeService,
    connector: str,
    config: dict[str, Any],
    method: str,
    args: dict[str, str],
) -> None:
    """`remote` as the AWS home builds it: the machine is not its in-house network."""
    resolver.answer("api.example.com", ["127.0.0.1"])
    stored = {
        key: value.format(port=machine.port) if isinstance(value, str) else value
        for key, value in config.items()
    }
    secrets = {"HOOK": f"http://api.example.com:{machine.port}/hook"}
    message = failure(make_host({"svc": (connector, stored)}, secrets, allow=()), "svc", method, args)
    assert f"{REFUSED}api.example.com resolves to 127.0.0.1, which is a loopback address" in message
    assert machine.seen == []


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://2130706433:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://0.0.0.0:{port}/",
        "http://rebound.example.com:{port}/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://2852039166/",
    ],
)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_an_allowed_server_to_the_machine_or_metadata_is_refused(
    resolver: FakeResolver, service: FakeService, machine: FakeService, location: str, status: int
) -> None:
    resolver.answer("rebound.example.com", ["127.0.0.1"])
    service.route("POST", "/go", Reply(status, {"Location": location.format(port=machine.port)}))
    url = f"http://{PARTNER}:{service.port}/go"
    message = failure(make_host(allow=(PARTNER,)), "fetch", "", {"url": url, "options": {"method": "POST"}})
    assert message.startswith(f"connectors.fetch: {REFUSED}")
    assert [seen.path for seen in service.seen] == ["/go"]
    assert machine.seen == []


def test_every_hop_is_checked_not_only_the_first(
    resolver: FakeResolver, service: FakeService, machine: FakeService
) -> None:
    service.route("GET", "/one", Reply(302, {"Location": "/two"}))
    service.route("GET", "/two", Reply(302, {"Location": f"http://127.0.0.1:{machine.port}/"}))
    message = failure(
        make_host(allow=(PARTNER,)), "fetch", "", {"url": f"http://{PARTNER}:{service.port}/one"}
    )
    assert message == (
        f"connectors.fetch: {REFUSED}127.0.0.1 is a loopback address; "
        "add the host to the workspace setting egress_allow to reach it"
    )
    assert [seen.path for seen in service.seen] == ["/one", "/two"]
    assert machine.seen == []


def test_an_allowed_redirect_is_followed(resolver: FakeResolver, service: FakeService) -> None:
    """The positive side: a hop the policy allows is followed to its answer."""
    service.route("GET", "/go", Reply(302, {"Location": "/here"}))
    service.route("GET", "/here", json_reply("arrived"))
    url = f"http://{PARTNER}:{service.port}/go"
    assert call(make_host(allow=(PARTNER,)), "fetch", "", {"url": url, "bodyOnly": True}) == "arrived"


def test_a_rebinding_name_is_resolved_once_and_connected_to_at_the_checked_address(
    resolver: FakeResolver, machine: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer is public and passes; every later one would be loopback. The connection
    goes to the public address that was checked (recorded here and refused, as no network is open
    to tests); the name is never asked again, so loopback is never reached."""
    resolver.answer("rebind.example.com", ["93.184.216.34"], ["127.0.0.1"])
    real_connect = socket.create_connection
    attempts: list[Any] = []

    def record(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(address)
        if address[0] == "127.0.0.1":
            return real_connect(address, *args, **kwargs)
        raise ConnectionRefusedError("no route to the internet from the tests")

    monkeypatch.setattr(socket, "create_connection", record)
    url = f"http://rebind.example.com:{machine.port}/"
    message = failure(make_host(allow=()), "fetch", "", {"url": url})
    assert message.startswith("connectors.fetch: cannot connect to rebind.example.com: ")
    assert attempts == [("93.184.216.34", machine.port)]
    assert resolver.asked == ["rebind.example.com"]
    assert machine.seen == []


def test_a_rebinding_name_that_answers_the_machine_first_is_refused(
    resolver: FakeResolver, machine: FakeService
) -> None:
    resolver.answer("rebind.example.com", ["127.0.0.1"], ["93.184.216.34"])
    message = failure(make_host(allow=()), "fetch", "", {"url": f"http://rebind.example.com:{machine.port}/"})
    assert "rebind.example.com resolves to 127.0.0.1, which is a loopback address" in message
    assert machine.seen == []


def test_a_hanging_resolver_fails_the_call_at_the_dns_time_limit(
    resolver: FakeResolver, machine: FakeService
) -> None:
    resolver.answer("hang.example.com", HANG)
    limits = HttpLimits(dns_timeout_s=0.3)
    host = WorkspaceConnectorHost({}, {}, ("hang.example.com",), "ws-1", "task-1", limits)
    message = failure(host, "fetch", "", {"url": f"http://hang.example.com:{machine.port}/"}, timeout_s=5)
    assert message == (
        "connectors.fetch: cannot resolve the host hang.example.com: "
        "DNS did not answer within 0.3 s (the DNS time limit)"
    )
    assert resolver.asked == ["hang.example.com"]
    assert machine.seen == []


def test_a_call_with_less_time_left_than_the_dns_limit_stops_waiting_at_its_own_deadline(
    resolver: FakeResolver, machine: FakeService
) -> None:
    resolver.answer("hang.example.com", HANG)
    host = make_host(allow=("hang.example.com",))
    message = failure(host, "fetch", "", {"url": f"http://hang.example.com:{machine.port}/"}, timeout_s=0.5)
    assert message.startswith(
        "connectors.fetch: cannot resolve the host hang.example.com: DNS did not answer"
    )
    assert machine.seen == []
