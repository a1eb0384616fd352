"""The on-disk cache of checked rule documents, and the in-memory re-check of rule files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import engine
from engine import api
from engine.loading import cache, schema
from engine.loading.ruleset import check_files, check_ruleset, load_ruleset
from engine.loading.snapshot import read_snapshot
from engine.run import scalar

RULES_2013 = Path(__file__).resolve().parent.parent / "rules" / "2013"


@pytest.fixture
def year(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", str(tmp_path / "cache"))
    directory = tmp_path / "rules" / "2013"
    shutil.copytree(RULES_2013, directory)
    return directory


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("rules-*.json"))


def _payload(tmp_path: Path, entry: Path) -> bytes:
    """An entry's JSON, after checking its HMAC under the user's key."""
    payload = cache._unseal((tmp_path / "cache" / "hmac.key").read_bytes(), entry.read_bytes())
    assert payload is not None, "the entry is not sealed with the user's key"
    return payload


def test_second_load_uses_the_cache_and_skips_schema_checks(year, tmp_path, monkeypatch):
    first, first_documents, _ = check_files(year)
    assert len(_entries(tmp_path)) == 1
    assert not list(year.rglob("*.json")), "the cache is never written inside rules/"
    monkeypatch.setattr(schema, "validate", lambda *a, **k: pytest.fail("schema checked despite the cache"))
    second, documents, _ = check_files(year)
    assert first is not None and second is not None
    given = {"filing_status": "single", "ct_agi": 60000}
    assert scalar.evaluate(second.worksheets["tax_calculation"], given).outputs == \
        scalar.evaluate(first.worksheets["tax_calculation"], given).outputs
    doc = documents["rules/2013/tables/table_b.yaml"] if "rules/2013/tables/table_b.yaml" in \
        documents else next(d for n, d in documents.items() if n.endswith("table_b.yaml"))
    assert doc.data["columns"][0]["brackets"][0]["rate"] == \
        first_documents[doc.file].data["columns"][0]["brackets"][0]["rate"]
    assert doc.positions == first_documents[doc.file].positions


def test_a_changed_rule_file_invalidates_the_cache(year):
    load_ruleset(year)
    table = year / "tables" / "table_b.yaml"
    table.write_text(table.read_text(encoding="utf-8").replace("rate: 0.03}", "rate: 0.04}", 1), encoding="utf-8")
    ruleset = load_ruleset(year)
    assert ruleset.tables["table_b"].columns["single"].brackets[0].rate == engine.load(2013).tables[
        "table_b"].columns["single"].brackets[0].rate + __import__("decimal").Decimal("0.01")


def test_an_invalid_change_is_reported_even_after_a_cached_load(year):
    load_ruleset(year)
    sheet = year / "worksheets" / "tax_calculation.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    _, problems = check_ruleset(year)
    assert any("unknown key 'titel'" in p.message for p in problems)


@pytest.mark.parametrize("garbage", [b"", b"not json", b"\x80\x81", b'{"format": "ctax.rules-cache/1"}',
                                     b"[1, 2, 3]", b'{"a": ' * 10000])
def test_a_corrupt_cache_is_ignored_and_replaced(year, tmp_path, garbage):
    load_ruleset(year)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(garbage)
    ruleset = load_ruleset(year)
    assert scalar.evaluate(ruleset.worksheets["tax_calculation"], {"filing_status": "single", "ct_agi": 60000})[
        "ct_income_tax"] == 2813
    assert json.loads(_payload(tmp_path, entry))["format"] == cache.CACHE_FORMAT


def test_a_forged_entry_with_a_wrong_fingerprint_is_not_used(year, tmp_path):
    load_ruleset(year)
    (entry,) = _entries(tmp_path)
    data = json.loads(_payload(tmp_path, entry))
    data["fingerprint"] = "0" * 64
    key = (tmp_path / "cache" / "hmac.key").read_bytes()
    entry.write_bytes(cache._seal(key, json.dumps(data).encode()))  # even correctly sealed by the user's key
    stamp, documents = cache.load(read_snapshot(year))
    assert documents is None and stamp != "0" * 64


def test_caching_can_be_turned_off(year, tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", "off")
    load_ruleset(year)
    assert not (tmp_path / "cache").exists()


def test_an_unwritable_cache_dir_only_means_no_cache(year, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CTAX_CACHE_DIR", str(blocker / "sub"))
    assert load_ruleset(year).year == 2013


def test_api_rechecks_changed_files(year, monkeypatch):
    monkeypatch.setattr(api, "RECHECK_SECONDS", 0.0)
    rules = year.parent
    assert engine.evaluate(2013, "tax_calculation", {"filing_status": "single", "ct_agi": 60000},
                           rules=rules)["ct_income_tax"] == 2813
    sheet = year / "worksheets" / "tax_calculation.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    with pytest.raises(engine.RuleSetError, match="unknown key 'titel'"):
        engine.evaluate(2013, "tax_calculation", {"filing_status": "single", "ct_agi": 60000}, rules=rules)


CASES = Path(__file__).resolve().parent / "cases"


def _outcome(sheet, inputs: dict) -> object:
    """A result as plain data (outputs and the whole trace), or the error it raised, for comparing."""
    try:
        return scalar.evaluate(sheet, dict(inputs)).to_dict()
    except engine.CtaxError as error:
        return type(error).__name__, str(error)


@pytest.mark.parametrize("year_name", ["2013", "2024"])
def test_a_year_read_lazily_from_the_cache_gives_the_same_results_and_traces_as_from_yaml(
        tmp_path, monkeypatch, year_name):
    from engine.tools.cases import case_files, load_cases

    monkeypatch.setenv("CTAX_CACHE_DIR", str(tmp_path / "cache"))
    directory = tmp_path / "rules" / year_name
    shutil.copytree(RULES_2013.parent / year_name, directory)
    from_yaml, _, _ = check_files(directory, use_cache=False)
    check_files(directory)  # reads the files too, and fills the cache
    monkeypatch.setattr(schema, "validate", lambda *a, **k: pytest.fail("schema checked despite the cache"))
    from_cache, documents, _ = check_files(directory)
    assert isinstance(documents, cache.CachedDocuments), "not read from the cache: no test"
    assert from_yaml is not None and from_cache is not None
    cases = [case for path in case_files(CASES) if path.parent.name == year_name for case in load_cases(path)]
    assert len({case.worksheet for case in cases}) >= 2
    for case in cases:
        expected = _outcome(from_yaml.worksheets[case.worksheet], case.inputs)
        assert _outcome(from_cache.worksheets[case.worksheet], case.inputs) == expected, case.where
    assert sorted(from_cache.worksheets) == sorted(from_yaml.worksheets)
    assert sorted(from_cache.tables) == sorted(from_yaml.tables)
    assert (from_cache.year, from_cache.title, from_cache.sources, from_cache.draft_files) == \
        (from_yaml.year, from_yaml.title, from_yaml.sources, from_yaml.draft_files)


def test_a_cached_evaluation_decodes_only_the_files_it_uses(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", str(tmp_path / "cache"))
    directory = tmp_path / "rules" / "2024"
    shutil.copytree(RULES_2013.parent / "2024", directory)
    load_ruleset(directory)
    ruleset, documents, _ = check_files(directory)
    assert isinstance(documents, cache.CachedDocuments) and ruleset is not None
    result = scalar.evaluate(ruleset.worksheets["tax_calculation"], {"filing_status": "single", "ct_agi": 60000})
    assert result["ct_income_tax"] == 2317  # README: 2024, single, CT AGI $60,000
    # the 2024 Tax Calculation Schedule reads Tables A to E (rules/2024/worksheets/tax_calculation.yaml), no step
    assert documents.decoded == {"rules/2024/ruleset.yaml", "rules/2024/worksheets/tax_calculation.yaml",
                                 *(f"rules/2024/tables/table_{letter}.yaml" for letter in "abcde")}
    assert len(documents) > 60  # every other file of the year stays undecoded


def test_a_damaged_document_in_an_authentic_entry_is_read_from_its_file(year, tmp_path):
    load_ruleset(year)
    (entry,) = _entries(tmp_path)
    key = (tmp_path / "cache" / "hmac.key").read_bytes()
    payload = _payload(tmp_path, entry)
    damaged = payload.replace(b'{"d":"0.03"}', b'{"d":"x.03"}')  # Table B's 3% rate, no longer a number
    assert damaged != payload and len(damaged) == len(payload)
    entry.write_bytes(cache._seal(key, damaged))  # sealed by the user's own key: the index still holds
    ruleset, documents, _ = check_files(year)
    assert isinstance(documents, cache.CachedDocuments)
    assert scalar.evaluate(ruleset.worksheets["tax_calculation"], {"filing_status": "single", "ct_agi": 60000})[
        "ct_income_tax"] == 2813  # README: 2013, single, CT AGI $60,000


def test_damaged_positions_in_an_authentic_entry_are_read_from_the_file(year, tmp_path):
    from_yaml, _, _ = check_files(year, use_cache=False)
    load_ruleset(year)
    (entry,) = _entries(tmp_path)
    key = (tmp_path / "cache" / "hmac.key").read_bytes()
    payload = _payload(tmp_path, entry)
    damaged = payload.replace(b'"positions":[[[],', b'"positions":[[{},')  # a file's first path is not a list
    assert damaged.count(b'"positions":[[{},') > 10 and len(damaged) == len(payload)
    entry.write_bytes(cache._seal(key, damaged))
    ruleset, documents, _ = check_files(year)
    assert isinstance(documents, cache.CachedDocuments) and from_yaml is not None
    given = {"filing_status": "single", "ct_agi": 60000}
    # the trace cites each line's place in its file: the worksheet's positions were read again
    assert scalar.evaluate(ruleset.worksheets["tax_calculation"], given).to_dict() == \
        scalar.evaluate(from_yaml.worksheets["tax_calculation"], given).to_dict()
    doc = documents["rules/2013/worksheets/tax_calculation.yaml"]
    assert doc.positions == check_files(year, use_cache=False)[1][doc.file].positions
