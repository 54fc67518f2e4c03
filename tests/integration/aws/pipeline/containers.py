"""Lambda execution environments, in-process: the production handler modules, each with its own home.

Every container loads its own copy of `functions/<name>/app.py` (the three files share a name, so
by path) and gives it its own `AwsHome`, as separate Lambda environments have: no cache, Powertools
batch processor or client is shared between functions, or between two concurrent copies of one.
All homes read one virtual clock, which the driver moves on when it lets a timeout pass.
"""

import importlib.util
import itertools
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from lambda_context import LambdaContext

from aloma_core.adapters.aws.clients import AwsClients
from aloma_core.home import lambdas
from aloma_core.home.aws import AwsHome
from aloma_core.settings import Settings
from virtual_clock import VirtualClock

FUNCTIONS = Path(__file__).parents[4] / "functions"
API, MATCHER, RUNNER, TICK = "api", "match", "run_step", "tick"
LAMBDA_SERVICE = "lambda service"
"""The caller of the event source mappings' own requests (stream polling, SQS receive and delete)."""

_copies = itertools.count()
_LOADER = botocore.loaders.create_loader()
"""Shared by every session, which would otherwise parse the service models again: seconds a test."""


class InvocationKilled(BaseException):
    """Lambda ended the invocation (timeout, out of memory): no code of the function sees it end,
    and the event source treats the whole batch as failed."""


class RequestLog:
    """AWS requests by caller and operation, counted by a botocore hook on every client a session makes."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def session(self, caller: str) -> boto3.Session:
        core = botocore.session.Session()
        core.register_component("data_loader", _LOADER)
        session = boto3.Session(botocore_session=core)
        session.events.register("before-call", self._counter(caller))
        return session

    def _counter(self, caller: str) -> Callable[..., None]:
        def count(model: Any, **_: Any) -> None:
            with self._lock:
                self.counts[caller, f"{model.service_model.service_name}.{model.name}"] += 1

        return count

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()


@dataclass
class Container:
    function: str
    module: ModuleType
    home: AwsHome

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.module.handler(event, LambdaContext(f"aloma-{self.function}"))
        return answer


def start_container(function: str, clock: VirtualClock, requests: RequestLog) -> Container:
    """A cold start: the handler module is executed afresh; its home is built from the environment."""
    spec = importlib.util.spec_from_file_location(
        f"aloma_function_{function}_{next(_copies)}", FUNCTIONS / function / "app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The handler reaches its home only through its own `home` name, which this one replaces.
    assert module.home is lambdas.home, f"{function}/app.py no longer imports lambdas.home"
    home = AwsHome(Settings(), AwsClients(requests.session(function)))
    home.clock = clock
    module.home = lambda: home
    return Container(function, module, home)
