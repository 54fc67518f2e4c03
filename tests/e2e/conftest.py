"""Fixtures: a real local home served by uvicorn on 127.0.0.1 (see e2e_support)."""

from collections.abc import Iterator

import pytest
from e2e_support import Server, serve

from aloma_core.home.local import LocalHome
from virtual_clock import VirtualClock


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = LocalHome(tmp_path_factory.mktemp("home"), workers=2)
    try:
        yield from serve(home)
    finally:
        home.close()


@pytest.fixture(scope="module")
def single_worker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker process: runs happen one after another in dispatch order, for ordering tests."""
    home = LocalHome(tmp_path_factory.mktemp("home1"), workers=1)
    try:
        yield from serve(home)
    finally:
        home.close()


@pytest.fixture(scope="module")
def clocked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A home on a virtual clock with no timer thread: tests move time and fire timers themselves."""
    home = LocalHome(
        tmp_path_factory.mktemp("clocked"), workers=2, clock=VirtualClock(), tick_interval_s=None
    )
    try:
        yield from serve(home)
    finally:
        home.close()
