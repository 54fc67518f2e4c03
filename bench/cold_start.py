"""Cold start of each Lambda handler: import of its module and the init its first invocation does
(the home's stores and clients), each in a fresh Python process, beside a bare `import boto3` plus
one client, the least any handler reaching DynamoDB pays. No AWS request is made: clients are
built, not called. The median of a few fresh processes is reported.
"""

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
PROCESSES = 5
HANDLERS = {
    "api": "platform",
    "match": "matcher",
    "run_step": "runner",
    "tick": "timekeeper",
}
"""Each handler and the part of the home its first invocation builds."""

_PROBE = """
import time
start = time.perf_counter()
{imports}
imported = time.perf_counter()
{init}
ready = time.perf_counter()
print(imported - start, ready - imported)
"""


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "ALOMA_BACKEND": "aws",
        "ALOMA_TABLE": "aloma",
        "ALOMA_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/steps",
        "ALOMA_ADMIN_TOKEN": "bench",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "PYTHONPATH": str(ROOT),
    }


def _median_ms(imports: str, init: str) -> tuple[float, float]:
    samples = []
    for _ in range(PROCESSES):
        probe = _PROBE.format(imports=imports, init=init)
        out = subprocess.run(
            [sys.executable, "-c", probe],
            env=_environment(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        samples.append((float(out[0]) * 1000, float(out[1]) * 1000))
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def run() -> list[tuple[str, str, str, str]]:
    base_import, base_init = _median_ms("import boto3", "boto3.client('dynamodb')")
    baseline = base_import + base_init
    rows = [("bare boto3 + one client", f"{base_import:.0f} ms", f"{base_init:.0f} ms", "1.0x")]
    for handler, part in HANDLERS.items():
        imported, init = _median_ms(
            f"import functions.{handler}.app as handler", f"getattr(handler.home(), {part!r})"
        )
        rows.append(
            (
                f"functions/{handler}",
                f"{imported:.0f} ms",
                f"{init:.0f} ms",
                f"{(imported + init) / baseline:.1f}x",
            )
        )
    return rows
