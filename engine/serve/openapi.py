"""The OpenAPI 3.1 document, generated from the rule sets: every worksheet of every year gets its own
evaluate path whose request body is the worksheet's input schema."""
from __future__ import annotations

import os
import re
from typing import Any

import engine
from engine import api
from engine.serve import describe

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEM_SCHEMA = {
    "type": "object", "description": "RFC 9457 problem details; 'field' names the input or parameter at fault.",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"}, "field": {"type": "string"}},
    "required": ["type", "title", "status", "detail"],
}
RESULT_SCHEMA = {
    "type": "object", "description": "A ctax.result/1 document: outputs by name and every line with its citation.",
    "properties": {"format": {"const": "ctax.result/1"}, "year": {"type": "integer"}, "worksheet": {"type": "string"},
                   "title": {"type": "string"}, "inputs": {"type": "object"}, "outputs": {"type": "object"},
                   "lines": {"type": "array", "items": {"type": "object"}}, "checks": {"type": "array"}},
    "required": ["format", "year", "worksheet", "outputs", "lines"],
}
BATCH_BODY = {
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {404: "unknown year, worksheet or table", 413: "body or batch too large", 415: "unsupported body format",
             422: "bad input (the field is named)", 503: "time limit exceeded"}
    return {str(s): {"description": words[s], "content": PROBLEM} for s in statuses}


def _get(summary: str, tag: str, errors: tuple[int, ...] = (404,)) -> dict[str, Any]:
    return {"get": {"summary": summary, "tags": [tag],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {}}},
                                  **_errors(*errors)}}}


def document(rules: str | os.PathLike | None = None) -> dict[str, Any]:
    """The OpenAPI document of every year's rule set under ``rules``."""
    paths: dict[str, Any] = {
        "/years": _get("The tax years that have rules", "rules", ()),
        "/years/{year}/worksheets": _get("A year's worksheets", "rules"),
        "/years/{year}/tables": _get("A year's tables", "rules"),
        "/years/{year}/tables/{name}": _get("A table's printed rows with citation", "rules"),
    }
    schemas: dict[str, Any] = {"Problem": PROBLEM_SCHEMA, "Result": RESULT_SCHEMA}
    for year in api.years(rules):
        ruleset = api.load(year, rules)
        for name in sorted(ruleset.worksheets):
            sheet = ruleset.worksheets[name]
            ref = f"Inputs_{year}_{name}"
            schemas[ref] = describe.input_schema(ruleset, sheet)
            base = f"/years/{year}/worksheets/{name}"
            tag = f"{year}"
            paths[base] = _get(f"{sheet.title}: inputs (JSON Schema), outputs and lines", tag)
            paths[f"{base}/evaluate"] = {"post": {
                "summary": f"Evaluate {sheet.title}", "tags": [tag],
                "description": f"Outputs: {', '.join(sheet.outputs)}. Citation: {sheet.source.cite()}.",
                "parameters": [{"name": "trace", "in": "query", "required": False,
                                "description": "false: outputs only, no lines", "schema": {"type": "boolean",
                                                                                           "default": True}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ref}"}}}},
                "responses": {"200": {"description": "the filled-in worksheet", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Result"}}}}, **_errors(404, 413, 422, 503)}}}
            paths[f"{base}/evaluate-batch"] = {"post": {
                "summary": f"Evaluate {sheet.title} for many rows (JSON array, CSV or Parquet; answered in kind)",
                "tags": [tag], "requestBody": {"required": True, "content": BATCH_BODY},
                "responses": {"200": {"description": "one answer row per input row; bad rows carry error_field "
                                                     "and error", "content": BATCH_BODY},
                              **_errors(404, 413, 415, 422, 503)}}}
            paths[f"{base}/explain"] = {"post": {
                "summary": f"{sheet.title} as the explainer prints it (values, substituted formulas, table rows)",
                "tags": [tag], "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ref}"}}}},
                "responses": {"200": {"description": "outputs, then every line ready to print",
                                      "content": {"application/json": {}}}, **_errors(404, 413, 422, 503)}}}
            paths[f"{base}/compare/{{other_year}}"] = {"post": {
                "summary": f"{sheet.title}: the same inputs in another year, line by line", "tags": [tag],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ref}"}}}},
                "responses": {"200": {"description": "both results, changed lines and the figures behind them",
                                      "content": {"application/json": {}}}, **_errors(404, 413, 422, 503)}}}
    for path, operations in paths.items():
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", [])}
            operation.setdefault("parameters", []).extend(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)}", path) if name not in declared)
    return {"openapi": "3.1.0",
            "info": {"title": "ctax", "version": engine.__version__,
                     "description": "Connecticut income-tax rules as YAML, evaluated line by line with citations."},
            "paths": paths, "components": {"schemas": schemas}}
