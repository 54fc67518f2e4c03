"""`settings.notify` of a workspace: which endings are told, to whom, and when they are grouped.

Kept apart from model.py so the rules of the setting (one target, a URL the guard can judge) live
with the feature; model.py only holds the field.
"""

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NotifiedState = Literal["error", "incomplete"]
DEFAULT_METHOD = "send"


class NotifyTarget(BaseModel):
    """Exactly one of `webhook` (a URL that receives a JSON POST) and `connector` (a configured
    namespace whose `method`, `send` by default, is called)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    webhook: str | None = Field(None, max_length=2048)
    connector: str | None = Field(None, max_length=64)
    method: str | None = Field(None, min_length=1, max_length=64)

    @field_validator("webhook")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an http:// or https:// URL with a host")
        return url

    @model_validator(mode="after")
    def _one_target(self) -> "NotifyTarget":
        if (self.webhook is None) == (self.connector is None):
            raise ValueError("give exactly one of webhook (a URL) and connector (a namespace)")
        if self.method is not None and self.connector is None:
            raise ValueError("method goes with connector only")
        return self

    @property
    def connector_method(self) -> str:
        return self.method or DEFAULT_METHOD


class DigestSettings(BaseModel):
    """More than `after` endings whose time falls in one window of `window_s` seconds (windows are
    fixed slices of the epoch): the ones past `after` wait for the window's end and go as one
    message, listing the first `show` task ids."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    after: int = Field(5, ge=1, le=1000)
    window_s: int = Field(60, ge=10, le=86_400)
    show: int = Field(10, ge=1, le=100)

    @property
    def window_ms(self) -> int:
        return self.window_s * 1000


class NotifySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    on: tuple[NotifiedState, ...] = Field(("error", "incomplete"), min_length=1)
    to: NotifyTarget
    digest: DigestSettings = Field(default_factory=DigestSettings)
