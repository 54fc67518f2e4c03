"""Settings of api.md, read from the environment once, by the composition roots only."""

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALOMA_", extra="ignore")

    backend: Literal["aws", "local"] = "local"
    table: str = ""
    queue_url: str = ""
    secrets_prefix: str = "aloma/"
    admin_token: str | None = None
    admin_token_secret: str | None = None
    max_receives: int = 3
    dead_letter_queue_arn: str = ""
    max_body_bytes: int = 1024 * 1024
