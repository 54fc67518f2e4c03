"""The shared client over real connections: retries within the deadline, size cap, timeouts, clear errors."""

import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from connector_support import KEY, call, failure, make_host

from aloma_core.connectors import HttpLimits, WorkspaceConnectorHost
from fake_service import FakeService, Reply, Seen, json_reply, text_reply


def limited(limits: HttpLimits) -> WorkspaceConnectorHost:
    return WorkspaceConnectorHost({}, {}, ("127.0.0.1",), "ws-1", "task-1", limits)


def replies(*answers: Reply) -> Callable[[Seen], Reply]:
    """A route answering with each reply in turn, then the last one forever."""
    queue = list(answers)

    def answer(_: Seen) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return answer


def test_a_429_is_retried_after_retry_after_until_the_deadline(service: FakeService) -> None:
    service.route("GET", "/busy", text_reply("slow down", 429, **{"Retry-After": "1"}))
    started = time.monotonic()
    result = call(make_host(), "fetch", "", {"url": f"{service.url}/busy"}, timeout_s=2.5)
    elapsed = time.monotonic() - started
    assert isinstance(result, dict)
    assert result["status"] == 429
    assert len(service.seen) == 3  # at 0 s, 1 s and 2 s; a fourth would start after the 2.5 s budget
    assert 2.0 <= elapsed < 2.5
    assert all(seen.headers["idempotency-key"] == KEY for seen in service.seen)


def test_a_retry_that_would_pass_the_deadline_is_not_waited_for(service: FakeService) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=5), usegmt=True)
    service.route("GET", "/busy", json_reply({"message": "maintenance"}, 503, **{"Retry-After": later}))
    started = time.monotonic()
    assert (
        failure(make_host(), "fetch", "", {"url": f"{service.url}/busy", "bodyOnly": True}, timeout_s=2)
        == "connectors.fetch: HTTP 503: maintenance"
    )
    assert time.monotonic() - started < 0.5
    assert len(service.seen) == 1


def test_a_503_is_retried_with_backoff_and_the_later_answer_wins(service: FakeService) -> None:
    service.route("GET", "/flaky", replies(Reply(503), Reply(503), json_reply("fine")))
    started = time.monotonic()
    result = call(
        limited(HttpLimits(backoff_s=0.1)), "fetch", "", {"url": f"{service.url}/flaky", "bodyOnly": True}
    )
    assert result == "fine"
    assert time.monotonic() - started >= 0.3  # 0.1 s, then 0.2 s
    assert len(service.seen) == 3


def test_retries_stop_after_the_last_attempt_and_say_so(service: FakeService) -> None:
    service.route("POST", "/busy", text_reply("try later", 429, **{"Retry-After": "0"}))
    host = make_host({"svc": ("remote", {"url": service.url})})
    assert failure(host, "svc", "busy", {}) == "connectors.svc.busy: HTTP 429 after 5 attempts: try later"
    assert len(service.seen) == 5


def test_a_response_larger_than_the_cap_is_refused(service: FakeService) -> None:
    service.route("GET", "/big", Reply(200, body=b"x" * 1001))
    service.route("GET", "/fits", Reply(200, body=b"x" * 1000))
    host = limited(HttpLimits(max_response_bytes=1000))
    assert "the response of 127.0.0.1 is larger than the limit of 1000 bytes" in failure(
        host, "fetch", "", {"url": f"{service.url}/big"}
    )
    assert call(host, "fetch", "", {"url": f"{service.url}/fits", "bodyOnly": True}) == "x" * 1000


def test_a_head_answer_declaring_a_large_body_is_fine(service: FakeService) -> None:
    service.route("HEAD", "/big", Reply(200, {"Content-Length": "5000"}))
    result = call(
        limited(HttpLimits(max_response_bytes=1000)), "fetch", "", {"url": f"HEAD {service.url}/big"}
    )
    assert isinstance(result, dict)
    assert result["headers"]["content-length"] == "5000"


def test_a_streamed_response_is_cut_off_at_the_cap(service: FakeService) -> None:
    service.route("GET", "/stream", Reply(200, chunks=[b"y" * 400] * 50))
    assert "larger than the limit of 1000 bytes" in failure(
        limited(HttpLimits(max_response_bytes=1000)), "fetch", "", {"url": f"{service.url}/stream"}
    )


def test_a_connection_that_never_opens_times_out_within_the_call(hanging_port: int) -> None:
    started = time.monotonic()
    assert (
        failure(make_host(), "fetch", "", {"url": f"http://127.0.0.1:{hanging_port}/"}, timeout_s=0.5)
        == "connectors.fetch: connecting to 127.0.0.1 timed out after 0.5 s"
    )
    assert time.monotonic() - started < 1.5


def test_the_connect_timeout_is_bounded_on_its_own(hanging_port: int) -> None:
    started = time.monotonic()
    host = limited(HttpLimits(connect_timeout_s=0.3))
    message = failure(host, "fetch", "", {"url": f"http://127.0.0.1:{hanging_port}/"})
    assert message == "connectors.fetch: connecting to 127.0.0.1 timed out after 0.3 s"
    assert time.monotonic() - started < 1.0


def test_an_answer_slower_than_the_call_times_out(service: FakeService) -> None:
    service.route("GET", "/slow", Reply(200, delay_s=3))
    started = time.monotonic()
    assert (
        failure(make_host(), "fetch", "", {"url": f"{service.url}/slow"}, timeout_s=0.5)
        == "connectors.fetch: 127.0.0.1 did not answer within 0.5 s, before the wall time limit"
    )
    assert time.monotonic() - started < 1.5


def test_a_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    message = failure(make_host(), "fetch", "", {"url": f"http://127.0.0.1:{closed_port}/"})
    assert message.startswith("connectors.fetch: cannot connect to 127.0.0.1: ")
    assert "refused" in message


def test_a_call_with_no_time_left_is_not_sent(service: FakeService) -> None:
    service.route("GET", "/", Reply(200))
    assert "the wall time limit was reached before 127.0.0.1 answered" in failure(
        make_host(), "fetch", "", {"url": f"{service.url}/"}, timeout_s=0
    )
    assert service.seen == []
