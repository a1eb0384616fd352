"""ctax docs: a navigable site checked in a browser, and output written safely (issues 14 and 11)."""
from __future__ import annotations

import re

import pytest
from browser import dump_dom
from cli_helpers import run


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from engine.cli import main

    out = tmp_path_factory.mktemp("site")
    assert main(["docs", "2013", "2024", "--out", str(out)]) == 0
    return out


def _links(dom: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', dom)


def test_navigate_from_the_index_to_a_line_and_its_table_and_back(site, tmp_path):
    # the site index lists the years; a year's index its tables and worksheets
    dom = dump_dom((site / "index.html").as_uri(), tmp_path / "p1")
    assert "2013/index.html" in _links(dom) and "2024/index.html" in _links(dom)
    dom = dump_dom((site / "2024" / "index.html").as_uri(), tmp_path / "p2")
    assert "worksheets/tax_calculation.html" in _links(dom) and "tables/table_b.html" in _links(dom)
    assert "citations.html" in _links(dom)
    # the worksheet's Line 4 ("Tax calculation: See Table B") links to Table B's page
    dom = dump_dom((site / "2024" / "worksheets" / "tax_calculation.html").as_uri(), tmp_path / "p3")
    row = re.search(r'<tr id="line-initial_tax">(.*?)</tr>', dom, re.S).group(1)
    assert '<a href="../tables/table_b.html">table_b</a>' in row
    # ... and Table B's page links back to that very line
    dom = dump_dom((site / "2024" / "tables" / "table_b.html").as_uri(), tmp_path / "p4")
    assert '<a href="../worksheets/tax_calculation.html#line-initial_tax">tax_calculation</a>' in dom
    assert "CT-1040 2024 Instructions" in dom  # its citation
    # every relative link of these pages leads to a page that exists
    for page in ("index.html", "2024/index.html", "2024/worksheets/tax_calculation.html", "2024/tables/table_b.html"):
        base = (site / page).parent
        for href in _links((site / page).read_text()):
            assert (base / href.split("#")[0]).resolve().is_file(), (page, href)


def test_citations_page_lists_each_publication_with_the_pages_citing_it(site, tmp_path):
    dom = dump_dom((site / "2013" / "citations.html").as_uri(), tmp_path / "p")
    assert "<h2>IP 2013(8)</h2>" in dom
    assert 'href="worksheets/tax_calculation.html#line-ct_income_tax"' in dom


def test_search_box_finds_pages_in_the_browser(site, tmp_path):
    dom = dump_dom((site / "search.html").as_uri() + "?q=table_b+2024", tmp_path / "p")
    results = re.search(r'<ul id="results">(.*?)</ul>', dom, re.S).group(1)
    # Table B itself and the one 2024 worksheet that uses it
    assert _links(results) == ["2024/tables/table_b.html", "2024/worksheets/tax_calculation.html"]
    assert "2 page(s) match" in dom
    # every page carries the box, pointing at the search page
    page = (site / "2024" / "tables" / "table_b.html").read_text()
    assert '<form class="search" role="search" action="../../search.html" method="get">' in page


# ---------------------------------------------------------------- writing (issue 11)


def test_docs_never_writes_through_a_symlink_nor_over_a_users_file(tmp_path, capsys):
    out = tmp_path / "site"
    outside = tmp_path / "bashrc"
    outside.write_text("original\n")
    out.mkdir()
    (out / "index.md").symlink_to(outside)
    status, _, err = run(capsys, "docs", "2013", "--out", str(out))
    assert status == 1 and f"{out / 'index.md'} is a symlink" in err and "nothing was written" in err
    assert sorted(p.name for p in out.iterdir()) == ["index.md"]  # nothing written half-way
    # --force replaces the link itself; the file it pointed to is untouched
    status, _, err = run(capsys, "docs", "2013", "--out", str(out), "--force")
    assert status == 0, err
    assert outside.read_text() == "original\n" and not (out / "index.md").is_symlink()
    assert (out / "index.md").read_text().startswith("# Connecticut income tax rules")


def test_docs_refuses_to_replace_a_file_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("my own page\n")
    status, _, err = run(capsys, "docs", "2013", "--out", str(out))
    assert status == 1 and "index.html is a file ctax did not write" in err
    assert (out / "index.html").read_text() == "my own page\n"
    assert run(capsys, "docs", "2013", "--out", str(out), "--force")[0] == 0
    # ctax's own files are replaced on the next run without --force ...
    assert run(capsys, "docs", "2013", "--out", str(out))[0] == 0
    # ... unless someone edited one since
    page = out / "2013" / "tables" / "table_b.md"
    page.write_text(page.read_text() + "\nmy note\n")
    status, _, err = run(capsys, "docs", "2013", "--out", str(out))
    assert status == 1 and "table_b.md is a file ctax did not write" in err


def test_docs_does_not_enter_a_symlinked_folder(tmp_path, capsys):
    out = tmp_path / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "2013").symlink_to(elsewhere, target_is_directory=True)
    status, _, err = run(capsys, "docs", "2013", "--out", str(out), "--force")
    assert status == 1 and "2013" in err and "not a folder" in err
    assert list(elsewhere.iterdir()) == []


def test_writer_refuses_paths_leaving_the_folder(tmp_path):
    from engine.present.outputs import OutputError, write_files

    for bad in ("../x.md", "/etc/x", "a/../../x"):
        with pytest.raises(OutputError, match="not a plain path"):
            write_files(tmp_path, {bad: "x"})


# ---------------------------------------------------------------- Markdown escaping (issue 11)


def test_markdown_pages_escape_rule_text():
    from engine.present.docs import Link, to_markdown

    hostile = "Table\ntouch /tmp/pwned\n# [click](http://evil) <img src=x> `x` *y* | z"
    text = to_markdown("2013/tables/t", hostile, [("p", hostile), ("p", "1. not a list"), ("quote", "- not a list"),
                                                 ("table", ["A"], [[hostile]]),
                                                 ("links", [Link(hostile, "2013/index")])])
    lines = text.splitlines()
    assert lines[0] == ("# Table touch /tmp/pwned \\# \\[click\\](http://evil) \\<img src=x\\> \\`x\\` \\*y\\* "
                        "\\| z")  # one line: a newline in a title cannot start a command or a heading
    assert not any(line.startswith("touch") for line in lines)
    assert "1\\. not a list" in lines and "> \\- not a list" in lines
    assert "](http://evil)" not in text.replace("\\](http://evil)", "")  # no live link
    assert "<img" not in text.replace("\\<img", "")
    assert "- [Table touch /tmp/pwned \\# \\[click\\]" in text  # link text escaped, target ours


def test_html_pages_escape_rule_text():
    from engine.present.docs import to_html

    page = to_html("2013/tables/t", "a\n<script>alert(1)</script>", [("p", "<b>x</b>")])
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x&lt;/b&gt;" in page
