"""Profile the local home end to end: `python -m bench.profile` (or `make profile`).

Runs the throughput benchmark at concurrency 8 under py-spy, sampling every thread of the home's
process and its sandbox workers (`--subprocesses`), only while a thread holds the GIL (`--gil`, so
waiting does not count), and prints the functions that took the most samples, by own time and
with what they call. The raw samples stay in `.aloma-profile.txt` for a flame graph.
"""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

RAW = Path(".aloma-profile.txt")
SHOWN = 25
_RUN = "from bench import throughput; throughput.LOADS = ((8, 240),); print(throughput.run())"


def main() -> None:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy is not installed: pip install -e '.[dev]'")
    command = [spy, "record", "--gil", "--subprocesses", "-r", "250", "-f", "raw", "-o", str(RAW), "--"]
    subprocess.run([*command, sys.executable, "-c", _RUN], check=True)
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in RAW.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    for title, counts in (("own time", own), ("with what they call", inclusive)):
        print(f"\nmost samples, {title} ({total} samples)")
        for frame, count in counts.most_common(SHOWN):
            print(f"{100 * count / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
