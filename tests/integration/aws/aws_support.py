"""Probes shared by the AWS adapters' tests."""

from collections import Counter
from typing import Any

from botocore.client import BaseClient


def count_requests(client: BaseClient) -> Counter[str]:
    """Operations the client sends from now on, counted by name (a botocore event hook)."""
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    client.meta.events.register("before-call", count)
    return counts
