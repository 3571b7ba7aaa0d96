"""Chart data for pages: an answer's rows as the chart its query declares (`#+ chart:`), or a
project's milestones as a timeline; plain JSON for static/chart.js."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib.term import Node


def of_answer(
    chart: dict[str, Any],
    variables: Sequence[str],
    rows: Sequence[Sequence[Node | None]],
    title: str,
) -> dict[str, Any] | None:
    """The rows of an answer as `chart` says; None when no row can be drawn."""
    at = {v: i for i, v in enumerate(variables)}

    def text(row: Sequence[Node | None], names: list[str]) -> str:
        return " · ".join(str(row[at[n]]) for n in names if row[at[n]] is not None)

    drawn: list[dict[str, Any]] = []
    for row in rows:
        if chart["kind"] == "bar":
            try:
                value = float(Decimal(str(row[at[chart["value"][0]]])))
            except (InvalidOperation, ValueError):
                continue
            drawn.append({"label": text(row, chart["label"]), "value": value})
        else:
            drawn.append({"when": text(row, chart["when"]), "label": text(row, chart["label"])})
    if not drawn:
        return None
    seen: dict[str, int] = {}
    for mark in drawn:  # a chart tells its marks apart by their labels
        seen[mark["label"]] = seen.get(mark["label"], 0) + 1
        if seen[mark["label"]] > 1:
            mark["label"] = f"{mark['label']} ({seen[mark['label']]})"
    measured = chart["value"][0] if chart["kind"] == "bar" else None
    return {"kind": chart["kind"], "title": title, "value": measured, "rows": drawn}
