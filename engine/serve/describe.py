"""Worksheets and tables as JSON: a worksheet's inputs as a JSON Schema, its outputs and its lines
with citations, and a table's printed rows with their citation."""
from __future__ import annotations

from typing import Any

from engine.model.inputs import InputSpec
from engine.model.ruleset import RuleSet
from engine.model.status import FILING_STATUSES
from engine.model.tables import Column, Table
from engine.model.text import money_text, plain_text
from engine.model.worksheet import Worksheet
from engine.run.result import plain

# How each input type is written in JSON; amounts may also be given as text ("$1,234"), as in Python.
_TYPES: dict[str, dict[str, Any]] = {
    "money": {"type": ["number", "string"]},
    "number": {"type": ["number", "string"]},
    "integer": {"type": ["integer", "string"]},
    "boolean": {"type": "boolean"},
    "filing_status": {"type": "string", "enum": list(FILING_STATUSES)},
    "date": {"type": "string", "format": "date"},
}


def _input_descriptions(ruleset: RuleSet, sheet: Worksheet) -> dict[str, str]:
    return {name: spec.description for name, spec in sheet.inputs.items() if spec.description is not None}


def input_property(spec: InputSpec, description: str | None = None) -> dict[str, Any]:
    """One input as a JSON Schema property: type, allowed values, bounds, default, label (title) and help."""
    prop: dict[str, Any] = {"title": spec.label, **_TYPES.get(spec.type, {})}
    if spec.type == "choice":
        prop.update(type="string", enum=list(spec.choices))
    if description:
        prop["description"] = description
    if spec.minimum is not None:
        prop["minimum"] = float(spec.minimum) if spec.minimum % 1 else int(spec.minimum)
    if spec.maximum is not None:
        prop["maximum"] = float(spec.maximum) if spec.maximum % 1 else int(spec.maximum)
    if spec.has_default:
        # null (like leaving the input out) means the default, which may itself be null
        prop["default"] = plain(spec.default)
        kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        prop["type"] = [*kinds, "null"]
        if "enum" in prop:
            prop["enum"] = [*prop["enum"], None]
    if spec.required_if is not None:
        prop["x-ctax-required-if"] = spec.required_if.text
    prop["x-ctax-type"] = spec.type
    return prop


def input_schema(ruleset: RuleSet, sheet: Worksheet) -> dict[str, Any]:
    """The worksheet's inputs as a JSON Schema object (inputs without a default are required)."""
    help_text = _input_descriptions(ruleset, sheet)
    return {
        "type": "object",
        "title": f"{sheet.title}: inputs",
        "properties": {name: input_property(spec, help_text.get(name)) for name, spec in sheet.inputs.items()},
        "required": [name for name, spec in sheet.inputs.items() if not spec.has_default],
        "additionalProperties": False,
    }


def worksheet(ruleset: RuleSet, sheet: Worksheet) -> dict[str, Any]:
    """Everything a caller needs to fill the worksheet in: inputs, outputs, lines with citations."""
    lines = [{"id": line.id, "line": line.line, "label": line.label, "expression": line.text,
              "output": line.output, "rounding": line.rounding, "citation": line.source.cite(),
              "source": line.source.to_dict(), **({"step": line.step_worksheet} if line.step_worksheet else {})}
             for line in sheet.lines]
    by_id = {line["id"]: line for line in lines}
    return {"year": ruleset.year, "name": sheet.name, "title": sheet.title, "form": sheet.form,
            "citation": sheet.source.cite(), "inputs": input_schema(ruleset, sheet),
            "outputs": [{"id": name, "line": by_id[name]["line"], "label": by_id[name]["label"]}
                        for name in sheet.outputs],
            "lines": lines,
            "checks": [{"id": c.id, "label": c.label, "expression": c.expression.text, "citation": c.source.cite()}
                       for c in sheet.checks]}


def worksheet_summary(sheet: Worksheet) -> dict[str, Any]:
    return {"name": sheet.name, "title": sheet.title, "form": sheet.form, "inputs": list(sheet.inputs),
            "outputs": sheet.outputs}


def _column(table: Table, column: Column) -> dict[str, Any]:
    money = column.lookup_unit == "dollars"
    unit = "" if money else column.lookup_unit
    rows = [{"lower": plain(r.lo), "upper": plain(r.hi), "value": plain(r.value),
             "row": f"{r.describe(money, unit)}: {_value(table, r.value)}"} for r in column.rows]
    rows += [{"lower": plain(b.lo), "upper": plain(b.hi), "base_tax": plain(b.base_tax), "rate": plain(b.rate),
              "excess_over": plain(b.excess_over), "row": b.describe()} for b in column.brackets]
    data: dict[str, Any] = {"label": column.label, "rows": rows,
                            "citation": (column.source or table.source).cite()}
    if column.rows and column.at_or_below_floor is not None:
        data["at_or_below_first_row"] = plain(column.at_or_below_floor)
    if column.formula is not None:
        data["formula"] = {"start": plain(column.formula.start),
                           "steps": [c.describe() for c in column.formula.components]}
    return data


def _value(table: Table, value: Any) -> str:
    return money_text(value) if table.unit == "dollars" else plain_text(value)


def table(table: Table) -> dict[str, Any]:
    """A table's printed rows, column by column (one column may serve several filing statuses)."""
    columns = []
    for column in table.distinct_columns():
        statuses = [s for s, c in table.columns.items() if c is column]
        columns.append({"filing_statuses": [s for s in statuses if s is not None], **_column(table, column)})
    data: dict[str, Any] = {"name": table.name, "title": table.title, "kind": table.kind, "unit": table.unit,
                            "value_label": table.value_label, "citation": table.source.cite(),
                            "source": table.source.to_dict(), "columns": columns}
    if table.scalar:
        data["values"] = [{"filing_status": status, "value": plain(value), "text": _value(table, value)}
                          for status, value in table.scalar.items()]
    return data
