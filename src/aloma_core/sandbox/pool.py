"""`ProcessSandbox`: runs in worker processes, each with its own CPU clock, so runs can go in parallel.

QuickJS's CPU limit reads the process CPU clock, so one process runs one step at a time; a pool of
processes runs several, and contains a crash (a segfault in native code, an `os._exit` in a
connector host) to one run: the dead worker is replaced and that run reports the crash. The host
passed to `run` is pickled and used inside the worker, so it must be picklable and must not rely
on state of the calling process (open sockets, locks, threads).

A run whose worker died raises `RunInterrupted` rather than reporting a failed run: the crash may
be the machine's (the OOM killer, a `kill -9`) and not the step's, so the caller retries it like
any delivery that failed, and records the failure only once its retries are spent.
"""

import multiprocessing
import pickle
import queue
import signal
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from ..limits import Limits
from .run import run_content
from .types import ConnectorHost, RunError, RunInput, RunInterrupted, RunResult, TaskActions

# Beyond a run's wall-time limit, how long a worker may take to start up and answer before it is
# presumed hung and killed.
_GRACE_S = 30.0
# The worker serves runs on a thread whose C stack exceeds the largest stack limit limits.py allows.
_WORKER_STACK_BYTES = 64 * 1024 * 1024


class _WorkerLost(Exception):
    pass


def _failed(message: str) -> RunResult:
    return RunResult(None, [], [], TaskActions(), False, [], RunError(message), 0.0, 0.0)


def _serve_requests(conn: Connection) -> None:
    while True:
        try:
            payload = conn.recv_bytes()
        except EOFError:
            return
        try:
            inp, host = pickle.loads(payload)
            result = run_content(inp, host)
        except Exception as exc:  # a bug must not take the worker down with the run
            result = _failed(f"the sandbox failed: {type(exc).__name__}: {exc}")
        conn.send(result)


def _serve(conn: Connection) -> None:
    threading.stack_size(_WORKER_STACK_BYTES)
    server = threading.Thread(target=_serve_requests, args=(conn,), name="aloma-sandbox")
    server.start()
    threading.stack_size(0)
    server.join()


class _Worker:
    def __init__(self, context: multiprocessing.context.SpawnContext) -> None:
        self._conn, child = context.Pipe()
        self._process: BaseProcess = context.Process(
            target=_serve, args=(child,), name="aloma-sandbox", daemon=True
        )
        self._process.start()
        child.close()

    def run(self, payload: bytes, limits: Limits) -> RunResult:
        try:
            self._conn.send_bytes(payload)
            if not self._conn.poll(limits.wall_time_ms / 1000 + _GRACE_S):
                raise _WorkerLost("the sandbox process stopped answering and was killed")
            result = self._conn.recv()
        except (EOFError, OSError):
            raise _WorkerLost(f"the sandbox process crashed ({self._exit_reason()})") from None
        if not isinstance(result, RunResult):
            raise _WorkerLost("the sandbox process answered something other than a run result")
        return result

    def _exit_reason(self) -> str:
        self._process.join(timeout=5)
        code = self._process.exitcode
        if code is None:
            return "no exit code"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def stop(self) -> None:
        self._conn.close()
        self._process.join(timeout=1)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)


class ProcessSandbox:
    """Thread-safe: each `run` takes one idle worker for its duration, waiting while all are busy."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("a sandbox pool needs at least one worker")
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._closed = False
        self._workers = workers
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._idle.put(_Worker(self._context))

    def run(self, inp: RunInput, host: ConnectorHost) -> RunResult:
        payload = pickle.dumps((inp, host))
        worker = self._take()
        try:
            result = worker.run(payload, inp.limits)
        except _WorkerLost as lost:
            worker.stop()
            self._give_back(None)
            raise RunInterrupted(f"{lost}; the run was not completed") from None
        self._give_back(worker)
        return result

    def close(self) -> None:
        """Stop the workers, waiting for runs in progress to finish; later `run` calls raise."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for _ in range(self._workers):
            worker = self._idle.get()
            if worker is not None:
                worker.stop()
        self._idle.put(None)

    def _take(self) -> _Worker:
        worker = self._idle.get()
        if worker is None:
            self._idle.put(None)
            raise RuntimeError("the sandbox pool is closed")
        return worker

    def _give_back(self, worker: _Worker | None) -> None:
        """Return a worker to the pool, or a fresh one in place of a lost one (`None`)."""
        with self._lock:
            closed = self._closed
        if closed:
            if worker is not None:
                worker.stop()
            self._idle.put(None)
            return
        self._idle.put(worker if worker is not None else _Worker(self._context))
