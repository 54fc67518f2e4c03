"""`aloma task counts`: tasks per state as one small table, every state listed."""

from rich.table import Table
from rich.text import Text

from ..json_types import JsonObject
from .render import STATE_STYLE


def counts_table(answer: JsonObject) -> Table:
    counts = answer.get("counts")
    table = Table("state", "tasks")
    for state, number in counts.items() if isinstance(counts, dict) else []:
        table.add_row(Text(str(state), style=STATE_STYLE.get(str(state), "")), str(number))
    exact = "" if answer.get("exact", True) else " (at least: the count stopped at its budget)"
    table.add_row(Text("total", style="bold"), f"{answer.get('total')}{exact}")
    return table
