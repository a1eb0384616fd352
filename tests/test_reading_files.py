"""Issue 11, files: nothing outside the rule set is read, and a refused file's content is never shown.

Each example of the issue is a test here: a symlink to a private key inside ``tables/``, a FIFO,
a sparse file far over 1 MB (also with the cache on, whose fingerprint used to read it whole),
``new-year`` copying a link's target, and a '²' year folder.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from cli_helpers import copy_2013, run

import engine
from engine import RuleSetError, api
from engine.loading.documents import MAX_FILE_BYTES
from engine.loading.ruleset import check_ruleset
from engine.loading.snapshot import read_snapshot
from engine.tools.cases import CaseFileError, read_yaml

SECRET = "AAAAC3NzaC1lZDI1NTE5AAAAIKEYMATERIALKEYMATERIAL"
PRIVATE_KEY = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}\n-----END OPENSSH PRIVATE KEY-----\n"
INPUTS = {"filing_status": "single", "ct_agi": 60000}


@pytest.fixture
def rules(tmp_path, monkeypatch):
    monkeypatch.setenv("CTAX_CACHE_DIR", str(tmp_path / "cache"))
    api.clear_cache()
    yield copy_2013(tmp_path)
    api.clear_cache()


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "id_ed25519"  # stands for ~/.ssh/id_ed25519
    path.write_text(PRIVATE_KEY, encoding="utf-8")
    return path


def test_a_symlinked_rule_file_is_refused_and_its_target_never_shown(capsys, rules, secret):
    # the example: rules/<year>/tables/key.yaml -> ~/.ssh/id_ed25519
    (rules / "2013" / "tables" / "key.yaml").symlink_to(secret)
    status, out, err = run(capsys, "validate", "--rules", str(rules), "2013")
    assert status == 1
    assert "rules/2013/tables/key.yaml:1:1: is a symbolic link; a rule folder holds regular files only" in out
    assert SECRET not in out + err and "PRIVATE" not in out + err
    with pytest.raises(RuleSetError, match=r"key\.yaml:1:1: is a symbolic link") as caught:
        engine.evaluate(2013, "tax_calculation", INPUTS, rules=rules)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("link", ["ruleset.yaml", "tables/table_b.yaml", "tables", "worksheets"])
def test_symlinks_are_refused_wherever_they_stand(rules, tmp_path, link):
    # a link that replaces a real rule file or folder: its target (a valid rule file here) is still not read
    target = rules / "2013" / link
    moved = tmp_path / "elsewhere"
    target.rename(moved)
    target.symlink_to(moved)
    _, problems = check_ruleset(rules / "2013")
    assert any(p.file == f"rules/2013/{link}" and "symbolic link" in p.message for p in problems), problems


def test_a_symlinked_year_folder_is_refused(rules, tmp_path):
    (rules / "2013").rename(tmp_path / "real2013")
    (rules / "2013").symlink_to(tmp_path / "real2013")
    with pytest.raises(RuleSetError, match="2013:1:1: is a symbolic link"):
        engine.evaluate(2013, "tax_calculation", INPUTS, rules=rules)


def test_a_fifo_in_a_rules_folder_is_refused_without_hanging(rules):
    os.mkfifo(rules / "2013" / "tables" / "pipe.yaml")
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(check_ruleset(rules / "2013")), daemon=True)
    worker.start()
    worker.join(20)
    assert outcome, "reading the rules folder hung on a FIFO"
    ruleset, problems = outcome[0]
    assert ruleset is None
    assert [str(p) for p in problems] == ["rules/2013/tables/pipe.yaml:1:1: is a FIFO; a rule folder holds "
                                          "regular files only, and this one was not read"]


def test_a_fifo_given_as_an_inputs_file_is_refused(tmp_path):
    pipe = tmp_path / "inputs.yaml"
    os.mkfifo(pipe)
    with pytest.raises(CaseFileError, match=r"inputs\.yaml:1:1: is not a regular file"):
        read_yaml(pipe)


def test_a_key_copied_as_a_regular_rule_file_is_not_quoted(capsys, rules):
    (rules / "2013" / "tables" / "copied.yaml").write_text(PRIVATE_KEY, encoding="utf-8")
    status, out, err = run(capsys, "validate", "--rules", str(rules), "2013")
    assert status == 1
    assert "rules/2013/tables/copied.yaml:1:1: the file holds a single text value, not a mapping of keys" in out
    assert SECRET not in out + err and "BEGIN" not in out + err


def test_a_long_value_or_key_is_shown_as_a_short_escaped_excerpt(rules):
    table = rules / "2013" / "tables" / "table_b.yaml"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("title:", f"{SECRET * 3}: 1\ntitle:", 1), encoding="utf-8")
    _, problems = check_ruleset(rules / "2013")
    (problem,) = [p for p in problems if p.file.endswith("table_b.yaml")]
    assert "unknown key 'AAAAC3NzaC1lZDI1NTE5AAAAIKEYMATERIALKEYM' (cut)" in problem.message
    assert SECRET * 2 not in problem.message


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_sparse_file_over_1_mb_is_never_read(rules, tmp_path, monkeypatch, cache):
    # the issue: a 1.5 GB sparse file in tables/ cost 1.56 GB of memory through the cache fingerprint
    if cache == "off":
        monkeypatch.setenv("CTAX_CACHE_DIR", "off")
    engine.evaluate(2013, "tax_calculation", INPUTS, rules=rules)  # a cache entry exists when on
    with open(rules / "2013" / "tables" / "huge.yaml", "wb") as handle:
        handle.truncate(1_500_000_000)
    read = []
    real_read = os.read

    def counted(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counted)
    api.clear_cache()
    with pytest.raises(RuleSetError, match=f"huge.yaml:1:1: file is larger than {MAX_FILE_BYTES} bytes"):
        engine.evaluate(2013, "tax_calculation", INPUTS, rules=rules)
    assert sum(read) < 2 * MAX_FILE_BYTES  # the other files only (about 100 KB), none of the sparse one


def test_a_file_growing_past_1_mb_after_its_size_was_checked_is_still_refused(rules, monkeypatch):
    from engine.loading import snapshot

    grown = rules / "2013" / "tables" / "grown.yaml"
    grown.write_text("table: grown\n", encoding="utf-8")
    real_read_regular = snapshot._read_regular

    def grow_then_read(path: Path, info: os.stat_result) -> bytes:
        if path == grown:
            with open(path, "ab") as handle:
                handle.write(b"#" * (2 * MAX_FILE_BYTES))
        return real_read_regular(path, info)

    monkeypatch.setattr(snapshot, "_read_regular", grow_then_read)
    monkeypatch.setattr(snapshot, "_state", lambda entries: [])  # do not let the re-read hide the case
    result = read_snapshot(rules / "2013")
    assert "tables/grown.yaml" not in result.files
    assert any("file is larger than" in p.message for p in result.problems)


def test_invalid_utf8_is_a_located_problem(rules):
    table = rules / "2013" / "tables" / "table_b.yaml"
    table.write_bytes(table.read_bytes().replace(b"title:", b"title: \xff\xfe", 1))
    _, problems = check_ruleset(rules / "2013")
    assert any(p.file == "rules/2013/tables/table_b.yaml" and p.message == "file is not valid UTF-8 text"
               and p.line > 0 for p in problems), problems


def test_new_year_never_copies_a_symlink_target(capsys, rules, secret):
    (rules / "2013" / "tables" / "key.yaml").symlink_to(secret)
    status, out, err = run(capsys, "new-year", "2013", "2014", "--rules", str(rules))
    assert status == 1
    assert "rules/2013/tables/key.yaml:1:1: is a symbolic link" in err or "key.yaml" in err
    assert not (rules / "2014").exists(), "nothing is written when the source holds a link"
    assert SECRET not in out + err


@pytest.mark.parametrize("year", ["²", "٢٠١٤", "20141", "014", " 2014"])
def test_new_year_refuses_a_year_that_is_not_four_ascii_digits(capsys, rules, year):
    # '²'.isdigit() and '٢٠١٤'.isdigit() are True in Python: the check must be four ASCII digits
    status, _, err = run(capsys, "new-year", "2013", year, "--rules", str(rules))
    assert status == 1 and "four ASCII digits" in err
    assert sorted(p.name for p in rules.iterdir()) == ["2013"]


@pytest.mark.parametrize("name", ["²", "٢٠١٤", "20131", "13"])
def test_years_ignores_folders_not_named_by_four_ascii_digits(capsys, rules, name):
    # the issue: after 'ctax new-year 2024 ²' every command raised ValueError
    (rules / name).mkdir()
    assert engine.years(rules) == [2013]
    assert run(capsys, "validate", "--rules", str(rules))[0] == 0
    with pytest.raises(engine.UnknownYearError):
        engine.evaluate(name, "tax_calculation", INPUTS, rules=rules)
