"""The whole AWS pipeline on moto, per test: resources, the Lambda environment and the driver.

A plugin the test modules name in `pytest_plugins`, not a conftest.py: a conftest here would be the
`conftest` module that `from conftest import ...` in the folder above finds. Its fixture names are
specific, since a plugin's fixtures are seen by every test.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from api_client import ADMIN_TOKEN, Workspace
from driver import PipelineDriver
from fastapi import FastAPI
from resources import REGION, Resources, create, declared

from aloma_core.home.example_services import ExampleServices
from aloma_core.home.serving import serving


@pytest.fixture
def pipeline_resources(aws: None, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Resources:
    """Created first, then named in the environment the functions' settings read on a cold start."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    built = create(declared(template))
    consumes_dlq = built.declared.dlq_batch_size is not None
    for name, value in {
        "ALOMA_TABLE": built.table,
        "ALOMA_QUEUE_URL": built.queue_url,
        "ALOMA_SECRETS_PREFIX": "aloma/test/",
        "ALOMA_ADMIN_TOKEN": ADMIN_TOKEN,
        "ALOMA_MAX_RECEIVES": str(built.declared.max_receive_count),
        "ALOMA_DEAD_LETTER_QUEUE_ARN": built.dlq_arn if consumes_dlq else "",
        "POWERTOOLS_SERVICE_NAME": "aloma",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "aloma",
    }.items():
        monkeypatch.setenv(name, value)
    return built


@pytest.fixture
def pipeline(pipeline_resources: Resources) -> PipelineDriver:
    return PipelineDriver(pipeline_resources)


@pytest.fixture
def new_workspace(pipeline: PipelineDriver) -> Callable[..., Workspace]:
    """A new workspace (through the admin route), with optional settings."""

    def make(settings: dict[str, Any] | None = None) -> Workspace:
        return Workspace.create(pipeline, settings)

    return make


@pytest.fixture(scope="module")
def example_services() -> Iterator[tuple[str, ExampleServices]]:
    """The onboarding example's stand-in CRM and Slack on 127.0.0.1, and the base URL to reach them."""
    services = ExampleServices()
    app = FastAPI()
    app.include_router(services.router)
    with serving(app, "127.0.0.1", 0) as port:
        yield f"http://127.0.0.1:{port}", services
