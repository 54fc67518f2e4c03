"""`ProcessSandbox`: runs in worker processes, in parallel, surviving a worker that dies."""

import ctypes
import os
import threading
from collections.abc import Iterator

import pytest

from aloma_core.json_types import JsonValue
from aloma_core.limits import Limits
from aloma_core.sandbox.pool import ProcessSandbox
from aloma_core.sandbox.types import ConnectorCall, RunInput, RunInterrupted, RunResult


class PoolHost:
    """Pickled into the worker: `exit` ends the worker process, `segfault` crashes it, the rest echo."""

    def call(self, call: ConnectorCall) -> JsonValue:
        if call.method == "exit":
            os._exit(3)
        if call.method == "segfault":
            ctypes.string_at(0)
        return {"pid": os.getpid(), "args": call.args}


def run_input(body: str, limits: Limits | None = None) -> RunInput:
    source = f"export const condition = {{}};\nexport const content = async () => {{\n{body}\n}};\n"
    return RunInput(source, {}, "task-1", None, (), "step", "claim-1", limits=limits or Limits())


@pytest.fixture
def pool() -> Iterator[ProcessSandbox]:
    sandbox = ProcessSandbox(2)
    yield sandbox
    sandbox.close()


def test_a_run_happens_in_a_worker_process(pool: ProcessSandbox) -> None:
    result = pool.run(run_input("data.r = await connectors.any.thing({ a: 1 });"), PoolHost())
    assert result.error is None
    assert result.data is not None
    reply = result.data["r"]
    assert isinstance(reply, dict)
    assert reply["args"] == {"a": 1}
    assert reply["pid"] != os.getpid()


def run_in_threads(pool: ProcessSandbox, inputs: list[RunInput]) -> list[RunResult]:
    results: list[RunResult | None] = [None] * len(inputs)

    def work(index: int) -> None:
        results[index] = pool.run(inputs[index], PoolHost())

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def test_runs_from_several_threads_share_the_workers_each_on_its_own_clock(pool: ProcessSandbox) -> None:
    pool.run(run_input("data.warm = true;"), PoolHost())
    burn = "const end = Date.now() + 150; while (Date.now() < end) {}\ndata.done = true;"
    results = run_in_threads(pool, [run_input(burn, Limits(cpu_time_ms=250)) for _ in range(4)])
    assert [result.data for result in results] == [{"done": True}] * 4
    # Four runs of 150 ms in two processes: on one shared clock the later ones would breach 250 ms.
    assert all(result.cpu_ms < 250 for result in results)


@pytest.mark.parametrize(("method", "reason"), [("exit", "exit code 3"), ("segfault", "killed by SIGSEGV")])
def test_a_worker_that_dies_is_replaced_and_its_run_is_interrupted(
    pool: ProcessSandbox, method: str, reason: str
) -> None:
    """Interrupted, not failed: the caller may deliver the run again (a machine's crash is not the
    step's fault), and records a failure only when its retries are spent."""
    with pytest.raises(RunInterrupted) as interrupted:
        pool.run(run_input(f"await connectors.x.{method}();"), PoolHost())
    assert "the sandbox process crashed" in str(interrupted.value)
    assert reason in str(interrupted.value)
    again = run_in_threads(pool, [run_input("data.fine = true;") for _ in range(3)])
    assert [result.data for result in again] == [{"fine": True}] * 3


def test_a_limit_in_a_worker_is_an_ordinary_run_error(pool: ProcessSandbox) -> None:
    result = pool.run(run_input("while (true) {}", Limits(cpu_time_ms=100)), PoolHost())
    assert result.error is not None
    assert result.error.limit == "CPU time limit"


def test_a_host_that_cannot_be_pickled_is_refused_before_a_worker_is_used(pool: ProcessSandbox) -> None:
    class LocalHost:
        def call(self, call: ConnectorCall) -> JsonValue:
            return None

    with pytest.raises(AttributeError):
        pool.run(run_input("data.a = 1;"), LocalHost())
    assert pool.run(run_input("data.a = 1;"), PoolHost()).data == {"a": 1}


def test_a_closed_pool_refuses_runs() -> None:
    sandbox = ProcessSandbox(1)
    sandbox.close()
    sandbox.close()
    with pytest.raises(RuntimeError):
        sandbox.run(run_input("data.a = 1;"), PoolHost())
