"""A run's connector calls, made concurrently on a few threads while JavaScript keeps running."""

import hashlib
import json
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from ..json_types import JsonObject
from .nesting import within_nesting
from .types import CallRecord, ConnectorCall, ConnectorHost

_THREADS = 8


def idempotency_key(task_id: str, step_name: str, claim_id: str, number: int) -> str:
    """Same run, same call order, same key: a retried run repeats the keys of the calls it repeats."""
    identity = json.dumps([task_id, step_name, claim_id, number])
    return hashlib.sha256(identity.encode()).hexdigest()


@dataclass(frozen=True)
class CallIdentity:
    task_id: str
    step_name: str
    claim_id: str


class ConnectorCalls:
    """Outcomes come back as `{"n", "ok": true, "value": <JSON text>}` or `{"n", "ok": false, "message"}`."""

    def __init__(self, host: ConnectorHost, identity: CallIdentity) -> None:
        self._host = host
        self._identity = identity
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[Future[JsonObject], int] = {}
        self._started: dict[int, ConnectorCall] = {}
        self._ended: dict[int, tuple[str, float, str | None]] = {}

    @property
    def pending(self) -> bool:
        return bool(self._running)

    def start(self, number: int, namespace: str, method: str, args_text: str, timeout_s: float) -> None:
        identity = self._identity
        key = idempotency_key(identity.task_id, identity.step_name, identity.claim_id, number)
        what = f"the arguments of connectors.{namespace}.{method}"
        args = within_nesting(lambda: json.loads(args_text), what)
        call = ConnectorCall(namespace, method, args, key, timeout_s)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="aloma-connector")
        self._started[number] = call
        self._running[self._pool.submit(self._perform, number, call)] = number

    def records(self) -> list[CallRecord]:
        """Every call the step made, in its order, with how it ended (for the run's history)."""
        out = []
        for number, call in sorted(self._started.items()):
            status, ms, message = self._ended.get(number, ("unfinished", None, None))
            out.append(CallRecord(call.namespace, call.method, status, ms, message))
        return out

    def wait(self, timeout_s: float) -> list[JsonObject]:
        """The outcomes of calls that finish within `timeout_s` (all that are done once one is)."""
        done, _ = wait(self._running, timeout=max(timeout_s, 0), return_when=FIRST_COMPLETED)
        for future in done:
            del self._running[future]
        return [future.result() for future in done]

    def close(self, timeout_s: float) -> None:
        """Drop calls not yet started; give started ones until the run's deadline to finish."""
        if self._pool is None:
            return
        self._pool.shutdown(wait=False, cancel_futures=True)
        started = [future for future in self._running if not future.cancelled()]
        if started and timeout_s > 0:
            wait(started, timeout=timeout_s)
        self._running.clear()

    def _perform(self, number: int, call: ConnectorCall) -> JsonObject:
        started = time.perf_counter()
        outcome = self._outcome(number, call)
        message = outcome.get("message")
        status = "ok" if outcome["ok"] else "failed"
        self._ended[number] = (status, (time.perf_counter() - started) * 1000, _text(message))
        return outcome

    def _outcome(self, number: int, call: ConnectorCall) -> JsonObject:
        try:
            value = self._host.call(call)
        except Exception as exc:  # any failure of the host reaches JavaScript as a rejected Error
            return {"n": number, "ok": False, "message": str(exc) or type(exc).__name__}
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            return {"n": number, "ok": False, "message": f"connector result is not JSON: {exc}"}
        return {"n": number, "ok": True, "value": text}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
