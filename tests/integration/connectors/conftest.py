"""Fixtures of the connector tests: a second fake service on 127.0.0.1, and a port that never answers."""

from collections.abc import Iterator

import pytest

from fake_service import FakeService, unanswered_port


@pytest.fixture
def other_service() -> Iterator[FakeService]:
    started = FakeService().start()
    yield started
    started.stop()


@pytest.fixture
def hanging_port() -> Iterator[int]:
    yield from unanswered_port()
