"""Shared fixtures of the integration tests: a real Platform on a SQLite file in tmp_path.

No background matching runs here: tasks stay as the API left them, so HTTP behaviour is tested on
its own (the lifecycle is tested against the pipeline elsewhere).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import ADMIN_TOKEN, Tenant
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aloma_core.adapters.local.ratelimit import InMemoryRateLimiter
from aloma_core.adapters.local.sqlite import (
    SqliteConnectorStore,
    SqliteDatabase,
    SqliteLibraryStore,
    SqliteScheduleStore,
    SqliteSecretStore,
    SqliteStepStore,
    SqliteTaskStore,
    SqliteWebhookStore,
    SqliteWorkspaceStore,
)
from aloma_core.api import create_app
from aloma_core.records import new_id
from aloma_core.services import Platform
from virtual_clock import SteppingClock


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    db = SqliteDatabase(tmp_path / "aloma.db")
    yield Platform(
        workspaces=SqliteWorkspaceStore(db),
        steps=SqliteStepStore(db),
        tasks=SqliteTaskStore(db),
        secrets=SqliteSecretStore(db),
        clock=SteppingClock(),
        new_id=new_id,
        connectors=SqliteConnectorStore(db),
        webhooks=SqliteWebhookStore(db),
        rate_limiter=InMemoryRateLimiter(),
        schedules=SqliteScheduleStore(db),
        libraries=SqliteLibraryStore(db),
    )
    db.close()


# The HTTP API over that platform: an anonymous caller, the admin, and two workspaces.


@pytest.fixture
def api_app(platform: Platform) -> FastAPI:
    return create_app(platform, admin_token=ADMIN_TOKEN)


def _client(app: FastAPI, key: str | None = None) -> TestClient:
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    return TestClient(app, headers=headers, raise_server_exceptions=False)


@pytest.fixture
def anon(api_app: FastAPI) -> Iterator[TestClient]:
    with _client(api_app) as client:
        yield client


@pytest.fixture
def admin(api_app: FastAPI) -> Iterator[TestClient]:
    with _client(api_app, ADMIN_TOKEN) as client:
        yield client


def _tenant(platform: Platform, app: FastAPI, name: str) -> Iterator[Tenant]:
    workspace, key = platform.create_workspace(name)
    with _client(app, key) as client:
        yield Tenant(workspace, key, client)


@pytest.fixture
def tenant_a(platform: Platform, api_app: FastAPI) -> Iterator[Tenant]:
    yield from _tenant(platform, api_app, "workspace A")


@pytest.fixture
def tenant_b(platform: Platform, api_app: FastAPI) -> Iterator[Tenant]:
    yield from _tenant(platform, api_app, "workspace B")
