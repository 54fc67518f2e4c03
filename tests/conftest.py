"""Fixtures for every test folder.

pytest puts the folder of this file on sys.path (it has no __init__.py), which is what lets tests
anywhere below import the shared helpers kept here, such as `cfn_yaml`.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from cfn_yaml import load_template
from fake_service import FakeService


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml, with CloudFormation's short tags in their long form."""
    return load_template()


@pytest.fixture
def service() -> Iterator[FakeService]:
    """A stand-in third-party service on 127.0.0.1 (fake_service.py), stopped after the test."""
    started = FakeService().start()
    yield started
    started.stop()
