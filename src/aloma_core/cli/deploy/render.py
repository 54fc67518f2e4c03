"""The plan and the apply report as text: a diff per kind (`+` create, `~` change, `-` delete)."""

from .apply import ApplyReport
from .plan import KINDS, Action, Op, Plan

_MARK = {Op.CREATE: "+", Op.UPDATE: "~", Op.REPLACE: "~", Op.DELETE: "-", Op.PRUNABLE: "?"}
_PLURAL = {"settings": "settings", "library": "libraries", "seed": "seed tasks"}
_PAST = {Op.CREATE: "created", Op.UPDATE: "changed", Op.REPLACE: "replaced", Op.DELETE: "deleted"}


def plan_text(plan: Plan, source: str) -> str:
    lines: list[str] = []
    for kind in KINDS:
        actions = [a for a in plan.actions if a.kind == kind and a.op in (*_PAST, Op.PRUNABLE)]
        unchanged = sum(1 for a in plan.actions if a.kind == kind and a.op is Op.UNCHANGED)
        if not actions and not unchanged:
            continue
        lines.append(f"{_PLURAL.get(kind, kind + 's')}:")
        for action in actions:
            lines.append(f"  {_MARK[action.op]} {_line(action)}")
            lines += [f"      {detail}" for detail in action.detail]
        if unchanged:
            lines.append(f"  = {unchanged} unchanged")
    lines.append(summary(plan, source))
    return "\n".join(lines)


def _line(action: Action) -> str:
    what = action.name if action.kind != "settings" else "settings"
    notes = {
        Op.REPLACE: " (replaced: a webhook cannot be edited, its URL changes)",
        Op.PRUNABLE: " (not in the file: --prune would delete it)",
        Op.DELETE: " (deleted: not in the file)",
    }
    return what + notes.get(action.op, "")


def summary(plan: Plan, source: str) -> str:
    if not plan.changes:
        tail = f"; --prune would delete {len(plan.prunable)}" if plan.prunable else ""
        return f"No changes: the workspace already matches {source}{tail}."
    counts = (
        f"{plan.count(Op.CREATE)} to create, {plan.count(Op.UPDATE, Op.REPLACE)} to change, "
        f"{plan.count(Op.DELETE)} to delete, {plan.count(Op.UNCHANGED)} unchanged"
    )
    tail = f"; --prune would delete {len(plan.prunable)} more" if plan.prunable else ""
    return f"Plan: {counts}{tail}."


def report_text(report: ApplyReport) -> str:
    lines = [f"{_PAST[a.op]} {a.label}" for a in report.applied]
    for name, url in report.webhook_urls.items():
        lines.append(f"webhook {name}: POST JSON to {url}  (its key is shown this once)")
    for name, task_id in report.seeded.items():
        lines.append(f"seed task {name}: task {task_id}")
    if report.failed is not None:
        lines.append(f"FAILED {report.failed.op.value} {report.failed.label}: {report.failure}")
        if report.not_applied:
            lines.append("not applied: " + ", ".join(f"{a.op.value} {a.label}" for a in report.not_applied))
        lines.append(f"Stopped part way: {len(report.applied)} applied, {len(report.not_applied) + 1} not.")
    else:
        lines.append(f"Applied {len(report.applied)} changes.")
    return "\n".join(lines)
