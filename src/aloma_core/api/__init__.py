"""The HTTP API of api.md as a FastAPI app factory."""

from .app import create_app

__all__ = ["create_app"]
