"""Run every benchmark and print its table: `python -m bench` (or `make bench`)."""

from collections.abc import Callable, Sequence

from . import matching, sandbox, throughput

Table = list[tuple[str, str, str, str]]


def print_table(title: str, header: Sequence[str], rows: Table) -> None:
    widths = [max(len(str(row[i])) for row in [tuple(header), *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [tuple(header), tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(
                str(cell).rjust(width) if i else str(cell).ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )


BENCHMARKS: list[tuple[str, Sequence[str], Callable[[], Table]]] = [
    (
        "Matching, per task (index vs testing every condition)",
        ("steps", "index", "baseline", "speed-up"),
        matching.run,
    ),
    (
        "Sandbox, per run (step runtime vs bare QuickJS eval)",
        ("run", "step", "bare QuickJS", "overhead"),
        sandbox.run,
    ),
    (
        "Local home throughput (2 worker processes)",
        ("load", "tasks", "step runs", "wall time"),
        throughput.run,
    ),
]

if __name__ == "__main__":
    for title, header, run in BENCHMARKS:
        print_table(title, header, run())
