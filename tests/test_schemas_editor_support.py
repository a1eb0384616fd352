"""Editor support: every schema property is documented, and every rule file links its schema."""
from __future__ import annotations

import json

import pytest
from cli_helpers import ROOT

SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))
KIND = {"tables": "table.schema.json", "worksheets": "worksheet.schema.json"}


def properties(node, path=""):
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and not path.endswith("/if"):
            for key, spec in node["properties"].items():
                yield f"{path}/{key}", spec
        for key, value in node.items():
            yield from properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from properties(value, f"{path}/{i}")


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda p: p.name)
def test_every_property_has_title_description_and_examples(schema):
    missing = []
    for path, spec in properties(json.loads(schema.read_text())):
        for field in ("title", "description"):
            if field not in spec:
                missing.append(f"{path}: {field}")
        # a property that only refers to a definition of this file takes that definition's examples
        local_ref = spec.get("$ref", "").startswith("#/$defs/")
        if "examples" not in spec and not local_ref:
            missing.append(f"{path}: examples")
    assert not missing, "\n".join(missing)


def test_every_rule_file_starts_with_its_schema_link():
    files = sorted((ROOT / "rules").glob("*/ruleset.yaml")) + sorted((ROOT / "rules").glob("*/*/*.yaml"))
    assert files
    for path in files:
        first = path.read_text().splitlines()[0]
        expected = "ruleset.schema.json" if path.name == "ruleset.yaml" else KIND[path.parent.name]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target == (ROOT / "schemas" / expected).resolve(), path
