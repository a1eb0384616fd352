"""Issue 11, the cache: never a different answer than the files give.

The on-disk cache is private, authenticated and read defensively (any doubt is a miss); its
fingerprint is of the very bytes that were parsed; ``validate`` never uses it; the in-process cache
sees a same-size, same-mtime edit; and a rule set is loaded from one consistent snapshot or not at all.
"""
from __future__ import annotations

import json
import os
import stat
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import copy_2013, run

import engine
from engine import RuleSetError, api
from engine.loading import cache, snapshot
from engine.loading.ruleset import load_ruleset

INPUTS = {"filing_status": "single", "ct_agi": 60000}
# 2013, single, Connecticut AGI 60,000 (no exemption at this AGI): Table B "more than $50,000 ... $2,300 plus
# 5.5% of the excess over $50,000" gives 2,300 + 0.055 * 10,000 = 2,850; with the phase-out add-back of $20
# (Table C) that is 2,870 before credits; Table E's 0.02 credit leaves 2,870 * 0.98 = 2,812.60, so $2,813.
# Editing that rate to 6.5% (same file size): 2,300 + 650 + 20 = 2,970; 2,970 * 0.98 = 2,910.60, so $2,911.
ORIGINAL_TAX, EDITED_TAX = Decimal(2813), Decimal(2911)
RATE, EDITED_RATE = "base_tax: 2300, rate: 0.055}", "base_tax: 2300, rate: 0.065}"


@pytest.fixture
def rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(api, "RECHECK_SECONDS", 0.0)
    api.clear_cache()
    yield copy_2013(tmp_path)
    api.clear_cache()


def _tax(rules) -> Decimal:
    return engine.evaluate(2013, "tax_calculation", INPUTS, rules=rules)["ct_income_tax"]


def _table_b(rules) -> Path:
    return rules / "2013" / "tables" / "table_b.yaml"


def _entry(tmp_path) -> Path:
    (entry,) = (tmp_path / "cache").glob("rules-*.json")
    return entry


def test_the_edit_used_in_this_test_changes_the_tax(rules):
    table = _table_b(rules)
    assert RATE in table.read_text(encoding="utf-8")
    assert _tax(rules) == ORIGINAL_TAX
    table.write_text(table.read_text(encoding="utf-8").replace(RATE, EDITED_RATE), encoding="utf-8")
    assert _tax(rules) == EDITED_TAX


def test_a_file_saved_while_the_rules_load_is_not_cached_under_the_old_fingerprint(rules, tmp_path, monkeypatch):
    # the issue: an editor saving table_b.yaml during a run left the edited figures cached under the
    # old fingerprint; after the edit was undone every later run used the edited figures
    from engine.loading import yaml_reader as rules_module  # check_ruleset reads each file with its load_bytes

    table = _table_b(rules)
    original = table.read_text(encoding="utf-8")
    real_load_bytes = rules_module.load_bytes

    def save_during_parse(data: bytes, name: str):
        if name.endswith("table_b.yaml"):
            table.write_text(original.replace(RATE, EDITED_RATE), encoding="utf-8")  # the editor saves now
        return real_load_bytes(data, name)

    monkeypatch.setattr(rules_module, "load_bytes", save_during_parse)
    first = _tax(rules)
    monkeypatch.setattr(rules_module, "load_bytes", real_load_bytes)
    assert first == ORIGINAL_TAX  # this run computed from the bytes it read: one version
    table.write_text(original, encoding="utf-8")  # the edit is undone
    api.clear_cache()
    assert _tax(rules) == ORIGINAL_TAX
    assert run_validate_ok(rules)


def run_validate_ok(rules) -> bool:
    from engine.cli import main

    return main(["validate", "--rules", str(rules), "2013"]) == 0


def test_a_folder_changing_while_it_is_read_is_read_again(rules, monkeypatch):
    table = _table_b(rules)
    edited = table.read_text(encoding="utf-8").replace(RATE, EDITED_RATE)
    real_read = snapshot._read_regular
    calls = []

    def edit_once(path: Path, info: os.stat_result) -> bytes:
        calls.append(path.name)
        if len(calls) == 3:  # after two files were read, the editor saves table_b.yaml
            table.write_text(edited, encoding="utf-8")
        return real_read(path, info)

    monkeypatch.setattr(snapshot, "_read_regular", edit_once)
    assert _tax(rules) == EDITED_TAX  # the second, settled reading: never a mix
    assert len(calls) > len(set(calls))


def test_a_folder_that_never_settles_is_the_packages_error_not_a_mix(rules, monkeypatch):
    table = _table_b(rules)
    texts = [table.read_text(encoding="utf-8"), table.read_text(encoding="utf-8").replace(RATE, EDITED_RATE)]
    real_read = snapshot._read_regular
    count = [0]

    def keep_editing(path: Path, info: os.stat_result) -> bytes:
        count[0] += 1
        table.write_text(texts[count[0] % 2] + "#" * (count[0] % 3), encoding="utf-8")
        return real_read(path, info)

    monkeypatch.setattr(snapshot, "_read_regular", keep_editing)
    with pytest.raises(RuleSetError, match="kept changing while being read"):
        _tax(rules)


def test_a_file_vanishing_mid_read_is_retried_then_the_packages_error(rules, monkeypatch):
    real_read = snapshot._read_regular

    def vanished(path: Path, info: os.stat_result) -> bytes:
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(snapshot, "_read_regular", vanished)
    with pytest.raises(RuleSetError, match="kept changing"):
        _tax(rules)
    monkeypatch.setattr(snapshot, "_read_regular", real_read)
    assert _tax(rules) == ORIGINAL_TAX


def test_a_same_size_same_mtime_edit_is_seen_in_process(rules):
    # the issue: the in-process cache keyed on mtime and size, so `cp -p` or `tar` edits were never seen
    table = _table_b(rules)
    assert _tax(rules) == ORIGINAL_TAX
    before = table.stat()
    table.write_text(table.read_text(encoding="utf-8").replace(RATE, EDITED_RATE), encoding="utf-8")
    os.utime(table, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert table.stat().st_size == before.st_size and table.stat().st_mtime_ns == before.st_mtime_ns
    assert _tax(rules) == EDITED_TAX


def test_the_cache_folder_key_and_entries_are_private(rules, tmp_path):
    _tax(rules)
    folder = tmp_path / "cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "hmac.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(_entry(tmp_path).stat().st_mode) == 0o600


def _forge(tmp_path, key: bytes | None) -> None:
    """Rewrite the entry with Table B's 5.5% rates made 6.5% (as a forger in a shared folder would)."""
    entry = _entry(tmp_path)
    real_key = (tmp_path / "cache" / "hmac.key").read_bytes()
    payload = cache._unseal(real_key, entry.read_bytes())
    forged = payload.replace(b'{"d":"0.055"}', b'{"d":"0.065"}')
    assert forged != payload
    entry.write_bytes(forged if key is None else cache._seal(key, forged))


@pytest.mark.parametrize("key", [None, b"k" * 32], ids=["unsealed", "sealed with another key"])
def test_a_forged_entry_cannot_change_the_tax(rules, tmp_path, key):
    # the issue: a forged entry in a shared cache folder changed another user's tax
    _tax(rules)
    _forge(tmp_path, key)
    api.clear_cache()
    assert _tax(rules) == ORIGINAL_TAX


def test_an_entry_sealed_with_the_users_key_but_damaged_is_a_miss(rules, tmp_path):
    # the issue: damaged-but-valid JSON entries raised KeyError tracebacks
    _tax(rules)
    key = (tmp_path / "cache" / "hmac.key").read_bytes()
    data = json.loads(cache._unseal(key, _entry(tmp_path).read_bytes()))
    for item in data["documents"]:
        del item["positions"]
    _entry(tmp_path).write_bytes(cache._seal(key, json.dumps(data).encode()))
    api.clear_cache()
    assert _tax(rules) == ORIGINAL_TAX


def test_a_fifo_entry_does_not_hang(rules, tmp_path):
    # the issue: a FIFO entry hung every command
    _tax(rules)
    entry = _entry(tmp_path)
    entry.unlink()
    os.mkfifo(entry)
    api.clear_cache()
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_tax(rules)), daemon=True)
    worker.start()
    worker.join(20)
    assert outcome == [ORIGINAL_TAX], "a FIFO cache entry hung the load"


def test_a_symlinked_or_oversized_entry_is_not_read(rules, tmp_path, monkeypatch):
    _tax(rules)
    entry = _entry(tmp_path)
    _forge(tmp_path, (tmp_path / "cache" / "hmac.key").read_bytes())  # would change the tax if read
    elsewhere = tmp_path / "forged.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    api.clear_cache()
    assert _tax(rules) == ORIGINAL_TAX  # the link was not followed (and the entry is rewritten)
    entry.unlink()
    elsewhere.rename(entry)
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 100)
    api.clear_cache()
    assert _tax(rules) == ORIGINAL_TAX


def test_a_cache_folder_others_can_write_is_made_private_or_not_used(rules, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    os.chmod(folder, 0o777)  # the user's own folder, but shared
    _tax(rules)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    linked = tmp_path / "linked-cache"
    linked.symlink_to(tmp_path / "real-cache", target_is_directory=True)
    (tmp_path / "real-cache").mkdir(mode=0o700)
    os.environ["CTAX_CACHE_DIR"] = str(linked)
    try:
        api.clear_cache()
        _tax(rules)
    finally:
        os.environ["CTAX_CACHE_DIR"] = str(folder)
    assert not list((tmp_path / "real-cache").iterdir()), "a cache folder that is a link is not used"


def test_a_foreign_key_file_is_not_used(rules, tmp_path):
    _tax(rules)
    key = tmp_path / "cache" / "hmac.key"
    key.unlink()
    (tmp_path / "elsewhere.key").write_bytes(b"k" * 32)
    key.symlink_to(tmp_path / "elsewhere.key")
    api.clear_cache()
    assert _tax(rules) == ORIGINAL_TAX
    assert key.is_symlink()  # left alone: no entry is written or read with it


def test_validate_never_uses_the_cache(capsys, rules, tmp_path, monkeypatch):
    # the issue: entries skip the schema checks, and validate still said ok after a forged entry
    load_ruleset(rules / "2013")
    monkeypatch.setattr(cache, "load", lambda *a: pytest.fail("validate read the cache"))
    monkeypatch.setattr(cache, "store", lambda *a: pytest.fail("validate wrote the cache"))
    assert run(capsys, "validate", "--rules", str(rules), "2013")[0] == 0


def test_control_an_entry_sealed_with_the_users_own_key_is_used(rules, tmp_path):
    # shows the forgery tests above can fail: only the user's key makes the cache trust an entry
    _tax(rules)
    _forge(tmp_path, (tmp_path / "cache" / "hmac.key").read_bytes())
    api.clear_cache()
    assert _tax(rules) == EDITED_TAX
