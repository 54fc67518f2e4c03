"""Run every benchmark, print its table and write them all to BENCHMARKS.md: `python -m bench`
(or `make bench`). Each row stands beside its baseline, measured in the same run."""

import importlib.metadata
import logging
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from . import aws_cost, cold_start, dashboard, matching, sandbox, throughput

Table = list[tuple[str, str, str, str]]
OUTPUT = Path(__file__).parents[1] / "BENCHMARKS.md"

BENCHMARKS: list[tuple[str, str, Sequence[str], Callable[[], Table]]] = [
    (
        "Matching",
        "Per task, the condition index against testing every condition, for realistic and varied "
        "conditions; the last row is the growth from 10 to 10,000 steps.",
        ("steps", "index", "every condition", "speed-up"),
        matching.run,
    ),
    (
        "Sandbox",
        "Per run: the step runtime against a bare QuickJS context evaluating the same work, and against "
        "spawning `node` per run.",
        ("run", "step", "baseline", "ratio"),
        sandbox.run,
    ),
    (
        "Local home, end to end",
        "Onboarding tasks over HTTP (uvicorn, SQLite, 2 worker processes, the example's two connector "
        "calls to its stand-in services on 127.0.0.1); C clients each post a task and wait for it to end; "
        "create-to-done is the server's own `updated_at - created_at`.",
        ("load", "throughput", "create-to-done p50 / p95 / p99", "step runs"),
        throughput.run,
    ),
    (
        "AWS cost",
        "Requests per onboarding task counted on the moto pipeline through the production handlers, "
        "priced at us-east-1 list prices (Lambda arm64 $0.20/M requests and $0.0000133334/GB-s; DynamoDB "
        "on demand $0.625/M write units and $0.125/M read units; SQS $0.40/M; Secrets Manager $0.05/10k; "
        "Step Functions Standard $0.025/1k transitions, Express $1.00/M requests and $0.00001667/GB-s in "
        "64 MB steps), beside Step Functions running the same four steps in Lambdas.",
        ("", "aloma", "", "detail"),
        aws_cost.run,
    ),
    (
        "Cold start",
        "Import and first-invocation init of each handler in a fresh process (median of 5), beside a bare "
        "`import boto3` with one client.",
        ("handler", "import", "init", "vs boto3"),
        cold_start.run,
    ),
    (
        "Dashboard",
        "A task of 500 runs over 1 MB of data, made by the local home, opened at /ui/tasks/{id} in "
        "headless Chromium (5 openings after a warm-up), by a click in the Tasks page and by its URL in a "
        "new tab: until the timeline holds every event and the browser has painted a frame. Beside it, "
        "each fragment the page loads, fetched alone over HTTP (best of 3) with its size: the server's "
        "share; and the machine's load average, which the figures depend on.",
        ("task", "in the browser", "server, per fragment", "budget"),
        dashboard.run,
    ),
]


def render(header: Sequence[str], rows: Table) -> list[str]:
    widths = [max(len(str(row[i])) for row in [tuple(header), *rows]) for i in range(len(header))]
    lines = []
    for row in [tuple(header), tuple("-" * w for w in widths), *rows]:
        cells = (
            str(c).rjust(w) if i else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    node = shutil.which("node")
    node_version = "none"
    if node:
        node_version = subprocess.run(
            [node, "--version"], check=True, capture_output=True, text=True
        ).stdout.strip()
    return [
        f"- When: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"quickjs-ng {importlib.metadata.version('quickjs-ng')}, "
        f"boto3 {importlib.metadata.version('boto3')}, moto {importlib.metadata.version('moto')}, "
        f"node {node_version}",
    ]


def main() -> None:
    # The homes under test log every run at INFO (the Lambda handlers' loggers from their import
    # on, whatever level a benchmark sets later): only warnings and the tables are shown.
    logging.disable(logging.INFO)
    report = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m bench`); every figure is from one run.",
        "",
    ]
    report += [*machine(), ""]
    print("\n".join(machine()))
    for title, about, header, run in BENCHMARKS:
        rows = run()
        table = render(header, rows)
        print(f"\n{title}\n" + "\n".join(table))
        report += [f"## {title}", "", about, "", *table, ""]
        sys.stdout.flush()
    OUTPUT.write_text("\n".join(report))
    print(f"\nwritten to {OUTPUT}")


if __name__ == "__main__":
    main()
