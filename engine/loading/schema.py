"""Checks rule-file data against the JSON Schemas in ``schemas/``, with file:line:column errors."""
from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import cache

import jsonschema
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from engine.errors import Problem, did_you_mean
from engine.loading.documents import EXCERPT_CHARS, Document, control_character_problems, excerpt
from engine.loading.resources import shipped
from engine.loading.yaml_reader import load_bytes

SCHEMA_DIR = shipped("schemas")
SCHEMA_FILES = {"ruleset": "ruleset.schema.json", "table": "table.schema.json", "worksheet": "worksheet.schema.json"}


def _is_number(checker, instance) -> bool:
    return isinstance(instance, (int, float, Decimal)) and not isinstance(instance, bool)


_TYPE_CHECKER = Draft202012Validator.TYPE_CHECKER.redefine("number", _is_number)
_Validator = jsonschema.validators.extend(Draft202012Validator, type_checker=_TYPE_CHECKER)


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    resources = []
    for path in SCHEMA_DIR.glob("*.schema.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
        resources.append((path.name, Resource.from_contents(contents)))
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    return _Validator(schema, registry=registry)


MAX_MESSAGE_CHARS = 300


def _shape(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a single text value"
    return f"a single {type(value).__name__} value"


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema's message with the offending value shown as a short excerpt only."""
    message = error.message
    shown = repr(error.instance)
    if len(shown) > EXCERPT_CHARS or "\\" in shown:
        message = message.replace(shown, excerpt(error.instance))
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS].encode("unicode_escape").decode("ascii") + "... (cut)"
    return message


def _describe(error: jsonschema.ValidationError, kind: object = None) -> tuple[tuple, str, bool]:
    """The path to point at, a plain sentence, and whether to point at the key itself.

    ``kind`` is the document's 'kind' (a table's), named when a key belongs to another kind.
    """
    path = tuple(error.absolute_path)
    if error.validator == "not" and error.validator_value == {} and path:
        # table.schema.json's $defs/not_in_this_kind: a key of another table kind
        return path, f"'{path[-1]}' does not belong in a {kind} table", True
    where = ".".join(str(part) if len(str(part)) <= EXCERPT_CHARS and str(part).isprintable() else excerpt(part)
                     for part in path) or "the file"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, Mapping) else {}  # a subschema, never a bare bool here
        allowed = set(schema.get("properties", {}))
        extras = sorted(k for k in error.instance if k not in allowed)
        if extras:
            key = extras[0]
            if len(key) > EXCERPT_CHARS or not key.isprintable():
                return path + (key,), f"unknown key {excerpt(key)} in {where}", True
            suggestion = did_you_mean(key, sorted(allowed)) or f" (allowed: {', '.join(sorted(allowed))})"
            return path + (key,), f"unknown key '{key}' in {where}{suggestion}", True
    if error.validator == "required":
        return path, f"{where} is missing {error.message.split(' is a required')[0]}", False
    if error.validator in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and best.validator != "required":
            return _describe(best, kind)
        return path, f"{where} does not match any allowed form: {_message(best or error)}", False
    return path, f"{where}: {_message(error)}", False


def validate(document: Document, kind: str) -> list[Problem]:
    """Every schema problem in ``document`` as a located Problem."""
    if not isinstance(document.data, dict):
        # Not a rule file at all (perhaps a key or a token copied by mistake): say so without quoting it.
        return [document.problem((), f"the file holds {_shape(document.data)}, not a mapping of keys; it is not a "
                                     "rule file (its content is not shown)")]
    problems = []
    for error in _validator(kind).iter_errors(document.data):
        path, message, at_key = _describe(error, document.data.get("kind"))
        problems.append(document.problem(path, message, key=at_key))
    return problems


def read_checked(data: bytes, name: str, kind: str) -> tuple[Document | None, list[Problem]]:
    """A rule file's document, read as YAML and checked against its kind's schema (None if either fails),
    and every problem found."""
    doc, problems = load_bytes(data, name)
    if doc is None:
        return None, problems
    schema_problems = validate(doc, kind)
    return (None if schema_problems else doc), problems + schema_problems + control_character_problems(doc)
