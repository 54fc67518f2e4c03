"""Workspace secrets in AWS Secrets Manager: the `SecretStore` port, and the admin token.

One secret per workspace, named `{prefix}{workspace_id}`, holds a JSON object name -> value: one
GetSecretValue gives a run every secret it may need, and one secret per workspace keeps the
monthly price per workspace, not per name. Consequences worth knowing:
- a secret value holds at most 64 KiB, so all of a workspace's secrets together do too
  (`TooLarge` beyond);
- Secrets Manager has no conditional put, so a change is a compare-and-swap on the `AWSCURRENT`
  label: the new value is stored as a version labelled `ALOMA_STAGED`, then `AWSCURRENT` is
  moved to it only if it still is on the version that was read (UpdateSecretVersionStage fails
  otherwise), and a lost race starts over from a fresh read. Concurrent changes of different
  names all survive; of one name, the last wins;
- every change makes a secret version, and Secrets Manager keeps versions younger than 24 hours
  (at most about 100 in all): a workspace can change its secrets about 100 times a day;
- `values()` is cached per workspace for `cache_ttl_s`, so a warm runner does not pay one call
  per run; writes through this instance drop its cache, other instances see a change within
  the TTL. `names()` (what the API lists) always reads afresh.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from aloma_core.errors import ConflictingState, NotFound, TooLarge

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager.client import SecretsManagerClient

SECRET_BYTES = 65_536
_STAGED = "ALOMA_STAGED"
_WRITE_ATTEMPTS = 10


class SecretsManagerSecretStore:
    def __init__(
        self,
        client: SecretsManagerClient,
        prefix: str,
        cache_ttl_s: float = 60,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl_s = cache_ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, dict[str, str]]] = {}
        self._writes: dict[str, int] = {}
        self._lock = threading.Lock()

    def put(self, workspace_id: str, name: str, value: str) -> None:
        self._change(workspace_id, name, value)

    def names(self, workspace_id: str) -> list[str]:
        return sorted(self._fresh(workspace_id))

    def values(self, workspace_id: str) -> dict[str, str]:
        with self._lock:
            cached = self._cache.get(workspace_id)
        if cached is not None and self._clock() < cached[0]:
            return dict(cached[1])
        return self._fresh(workspace_id)

    def delete(self, workspace_id: str, name: str) -> None:
        self._change(workspace_id, name, None)

    def _change(self, workspace_id: str, name: str, value: str | None) -> None:
        """Set (or with None, remove) one name: a compare-and-swap, see the module doc."""
        self._forget(workspace_id)
        try:
            for _ in range(_WRITE_ATTEMPTS):
                current, version_id = self._read(workspace_id)
                if value is None and name not in current:
                    raise NotFound(f"secret {name!r} not found")
                wanted = {key: text for key, text in current.items() if key != name}
                if value is not None:
                    wanted[name] = value
                if self._swap(workspace_id, wanted, version_id):
                    return
            raise ConflictingState("the secrets of this workspace are being changed concurrently; try again")
        finally:
            self._forget(workspace_id)

    def _swap(self, workspace_id: str, secrets: dict[str, str], read_version: str | None) -> bool:
        """Store `secrets` only if the current version is still `read_version` (None: no secret yet)."""
        text = json.dumps(secrets, separators=(",", ":"))  # ASCII: a lone surrogate must not break it
        if len(text.encode()) > SECRET_BYTES:
            raise TooLarge(f"the secrets of a workspace may hold at most {SECRET_BYTES} bytes together")
        secret_id = self._prefix + workspace_id
        if read_version is None:
            try:
                self._client.create_secret(
                    Name=secret_id,
                    SecretString=text,
                    Description=f"aloma: secrets of workspace {workspace_id}",
                )
            except self._client.exceptions.ResourceExistsException:
                return False
            return True
        staged = self._client.put_secret_value(SecretId=secret_id, SecretString=text, VersionStages=[_STAGED])
        try:
            self._client.update_secret_version_stage(
                SecretId=secret_id,
                VersionStage="AWSCURRENT",
                MoveToVersionId=staged["VersionId"],
                RemoveFromVersionId=read_version,
            )
        except self._client.exceptions.InvalidParameterException:
            if self._read(workspace_id)[1] == read_version:
                raise
            return False
        return True

    def _fresh(self, workspace_id: str) -> dict[str, str]:
        """Read, and cache unless a write through this instance overlapped the read."""
        with self._lock:
            writes = self._writes.get(workspace_id, 0)
        secrets, _ = self._read(workspace_id)
        with self._lock:
            if self._writes.get(workspace_id, 0) == writes:
                self._cache[workspace_id] = (self._clock() + self._ttl_s, secrets)
        return dict(secrets)

    def _forget(self, workspace_id: str) -> None:
        with self._lock:
            self._cache.pop(workspace_id, None)
            self._writes[workspace_id] = self._writes.get(workspace_id, 0) + 1

    def _read(self, workspace_id: str) -> tuple[dict[str, str], str | None]:
        """The workspace's secrets and the id of their current version (None: no secret yet)."""
        try:
            # AWSCURRENT is AWS's default; named because the swap is on it (and moto needs it named).
            answer = self._client.get_secret_value(
                SecretId=self._prefix + workspace_id, VersionStage="AWSCURRENT"
            )
        except self._client.exceptions.ResourceNotFoundException:
            return {}, None
        secrets = json.loads(answer["SecretString"])
        if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
            raise ValueError(f"secret {self._prefix + workspace_id} is not a JSON object of strings")
        return secrets, answer["VersionId"]


def read_admin_token(client: SecretsManagerClient, secret_id: str) -> str:
    """The admin token kept in `secret_id` (ALOMA_ADMIN_TOKEN_SECRET).

    The SAM template generates a plain string (letters and digits). A JSON object `{"token": ...}`
    is accepted too, for operators who keep their secrets as JSON. Whitespace around is ignored.
    """
    raw = client.get_secret_value(SecretId=secret_id)["SecretString"]
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    token = parsed["token"] if isinstance(parsed, dict) and isinstance(parsed.get("token"), str) else raw
    token = token.strip()
    if not token:
        raise ValueError(f"secret {secret_id} holds no admin token")
    return token
