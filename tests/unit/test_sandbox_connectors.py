"""`connectors.NS.METHOD(args)`: calls to the host, `into`, failures, idempotency keys, concurrency."""

import time

import pytest
from sandbox_support import FakeHost, messages, ok, run_body, run_source, step_file

from aloma_core.limits import Limits
from aloma_core.sandbox.calls import idempotency_key
from aloma_core.sandbox.run import CALL_MESSAGE_CHARS


def test_any_namespace_and_method_reaches_the_host() -> None:
    host = FakeHost(results={"crm.findContact": {"id": 7}})
    result = ok(run_body("data.contact = await connectors.crm.findContact({ email: 'a@b.c' });", host=host))
    assert result.data == {"contact": {"id": 7}}
    [call] = host.calls
    assert (call.namespace, call.method, call.args) == ("crm", "findContact", {"email": "a@b.c"})


def test_fetch_is_a_namespace_called_directly() -> None:
    host = FakeHost(results={"fetch.": {"status": 200}})
    body = "data.r = await connectors.fetch({ url: 'https://example.com', options: { method: 'GET' } });"
    result = ok(run_body(body, host=host))
    assert result.data == {"r": {"status": 200}}
    [call] = host.calls
    assert (call.namespace, call.method) == ("fetch", "")
    assert call.args == {"url": "https://example.com", "options": {"method": "GET"}}


def test_arguments_are_taken_when_the_call_is_made() -> None:
    host = FakeHost()
    ok(run_body("const args = { n: 1 }; const p = connectors.a.b(args); args.n = 2; await p;", host=host))
    assert host.calls[0].args == {"n": 1}


def test_a_call_without_arguments_sends_null() -> None:
    host = FakeHost()
    ok(run_body("await connectors.a.b();", host=host))
    assert host.calls[0].args is None


def test_arguments_must_be_json() -> None:
    result = run_body("connectors.a.b({ big: 1n });")
    assert result.error is not None
    assert "BigInt" in result.error.message
    assert result.error.line == 3


def test_into_writes_the_result_into_data_and_is_not_sent() -> None:
    host = FakeHost(results={"crm.get": {"id": 7}})
    body = "const r = await connectors.crm.get({ id: 7, into: 'crm.contact' });\ndata.same = r.id;"
    result = ok(run_body(body, host=host))
    assert result.data == {"crm": {"contact": {"id": 7}}, "same": 7}
    assert host.calls[0].args == {"id": 7}


def test_into_replaces_a_non_object_on_its_path() -> None:
    host = FakeHost(results={"a.b": 1})
    result = ok(run_body("await connectors.a.b({ into: 'x.y.z' });", {"x": "text"}, host=host))
    assert result.data == {"x": {"y": {"z": 1}}}


def test_into_must_be_a_dotted_path() -> None:
    result = run_body("connectors.a.b({ into: 'a..b' });")
    assert result.error is not None
    assert "dotted path" in result.error.message


def test_calls_need_not_be_awaited_they_finish_before_the_run_ends() -> None:
    host = FakeHost(results={"slack.send": {"ok": True}}, delays={"slack.send": 0.1})
    result = ok(run_body("connectors.slack.send({ text: 'hi', into: 'sent' });\ndata.before = 1;", host=host))
    assert result.data == {"before": 1, "sent": {"ok": True}}
    assert len(host.calls) == 1


def test_callbacks_of_unawaited_calls_run_too() -> None:
    host = FakeHost(results={"a.b": 5}, delays={"a.b": 0.05})
    result = ok(run_body("connectors.a.b().then((n) => { data.n = n; console.log('got', n); });", host=host))
    assert result.data == {"n": 5}
    assert messages(result) == ["got 5"]


def test_a_failing_call_rejects_with_the_message_and_can_be_caught() -> None:
    host = FakeHost(failures={"crm.get": "404 not found"})
    result = ok(
        run_body(
            "try {\n  await connectors.crm.get({ id: 1 });\n} catch (e) {\n"
            "  data.error = e.message; data.isError = e instanceof Error;\n}",
            host=host,
        )
    )
    assert result.data == {"error": "404 not found", "isError": True}


def test_catch_on_the_promise_handles_a_failure() -> None:
    host = FakeHost(failures={"a.b": "nope"})
    result = ok(run_body("connectors.a.b().catch((e) => { data.caught = e.message; });", host=host))
    assert result.data == {"caught": "nope"}


def test_any_host_exception_rejects_the_call() -> None:
    class BrokenHost(FakeHost):
        def call(self, call: object) -> None:
            raise KeyError("missing")

    body = "try { await connectors.a.b(); } catch (e) { data.m = e.message; }"
    result = ok(run_body(body, host=BrokenHost()))
    assert result.data == {"m": "'missing'"}


def test_an_uncaught_awaited_failure_fails_the_run() -> None:
    host = FakeHost(failures={"crm.get": "crm is down"})
    result = run_body("data.x = 1;\nawait connectors.crm.get({});", host=host)
    assert result.error is not None
    assert result.error.message == "Error: crm is down"
    assert result.data is None


def test_a_failed_call_nobody_awaited_fails_the_run() -> None:
    host = FakeHost(failures={"slack.send": "channel not found"})
    result = run_body("connectors.slack.send({ text: 'hi' });\ndata.x = 1;", host=host)
    assert result.error is not None
    assert result.error.message == "Error: channel not found"
    assert result.error.line == 3


def test_a_result_that_is_not_json_rejects_the_call() -> None:
    host = FakeHost(results={"a.b": {1, 2}})  # type: ignore[dict-item]
    result = run_body("await connectors.a.b();", host=host)
    assert result.error is not None
    assert "not JSON" in result.error.message


def test_idempotency_keys_are_deterministic_and_distinct_per_call() -> None:
    source = step_file("await connectors.a.first(); await connectors.a.second();\nconnectors.b.third();")
    first, again, other_claim = FakeHost(), FakeHost(), FakeHost()
    ok(run_source(source, host=first))
    ok(run_source(source, host=again))
    ok(run_source(source, host=other_claim, claim_id="claim-2"))
    keys = [call.idempotency_key for call in first.calls]
    assert keys == [call.idempotency_key for call in again.calls]
    assert len(set(keys)) == 3
    assert not set(keys) & {call.idempotency_key for call in other_claim.calls}
    assert keys[0] == idempotency_key("task-1", "validate email", "claim-1", 1)


def test_calls_run_concurrently() -> None:
    host = FakeHost(delays={"a.slow": 1.0})
    body = "data.all = await Promise.all([1, 2, 3].map((n) => connectors.a.slow({ n })));"
    started = time.perf_counter()
    result = ok(run_body(body, host=host))
    assert time.perf_counter() - started < 2.5  # one after the other would take 3 s
    assert [item["args"] for item in result.data["all"]] == [{"n": 1}, {"n": 2}, {"n": 3}]  # type: ignore[index, union-attr]


def test_calls_carry_the_remaining_wall_time() -> None:
    host = FakeHost(delays={"a.first": 0.2})
    body = "await connectors.a.first(); await connectors.a.second();"
    ok(run_body(body, host=host, limits=Limits(wall_time_ms=5000)))
    first, second = host.calls
    assert 4.5 < first.timeout_s <= 5.0
    assert second.timeout_s <= first.timeout_s - 0.2


def test_awaiting_a_namespace_is_not_a_call() -> None:
    host = FakeHost()
    body = "const ns = await connectors.crm;\ndata.kind = typeof ns; data.json = JSON.stringify(connectors);"
    result = ok(run_body(body, host=host))
    assert result.data == {"kind": "function", "json": "{}"}
    assert host.calls == []


@pytest.mark.parametrize("body", ["connectors.a = 1;", "connectors.a.b = 1;"])
def test_connectors_cannot_be_reassigned(body: str) -> None:
    result = run_body(body)
    assert result.error is not None
    assert "TypeError" in result.error.message


def test_the_result_records_each_call_in_order_with_its_status_and_time() -> None:
    host = FakeHost(failures={"crm.explode": "HTTP 409: duplicate"}, delays={"crm.slow": 0.05})
    body = "await connectors.crm.slow({});\ntry { await connectors.crm.explode({}); } catch (e) {}"
    result = ok(run_body(body, host=host))
    slow, failed = result.calls
    assert (slow.connector, slow.method, slow.status, slow.message) == ("crm", "slow", "ok", None)
    assert slow.ms is not None
    assert slow.ms >= 50
    assert (failed.method, failed.status, failed.message) == ("explode", "failed", "HTTP 409: duplicate")


def test_a_run_without_calls_records_none() -> None:
    assert ok(run_body("data.x = 1;")).calls == []


def test_a_call_outlasting_the_run_is_recorded_unfinished() -> None:
    host = FakeHost(delays={"crm.slow": 1.0})
    limits = Limits(cpu_time_ms=300, wall_time_ms=300)
    result = run_body("connectors.crm.slow({});\nthrow new Error('stop');", host=host, limits=limits)
    assert result.error is not None
    [call] = result.calls
    assert (call.method, call.status, call.ms) == ("slow", "unfinished", None)


def test_a_secret_in_a_failed_call_message_is_masked_in_the_record() -> None:
    host = FakeHost(failures={"crm.get": "refused token s3cr3t-value"})
    body = "try { await connectors.crm.get({}); } catch (e) {}"
    result = ok(run_body(body, host=host, config={"CRM_TOKEN": "s3cr3t-value"}))
    [call] = result.calls
    assert call.message is not None
    assert "s3cr3t-value" not in call.message
    assert call.to_json()["message"] == call.message


def test_a_long_failure_message_is_cut_short_in_the_record_only() -> None:
    host = FakeHost(failures={"crm.get": "x" * 1000})
    body = "try { await connectors.crm.get({}); } catch (e) { data.seen = e.message.length; }"
    result = ok(run_body(body, host=host))
    [call] = result.calls
    assert call.message == "x" * CALL_MESSAGE_CHARS + "…"
    assert result.data is not None
    assert result.data["seen"] >= 1000
