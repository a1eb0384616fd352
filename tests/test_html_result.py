"""The HTML page of a result, read back from headless Chromium (issue 14): amounts as money, the
bottom line marked, the title's year once, each table row used linking to its ``ctax docs`` page,
and a page that fits a printed Letter sheet under the print styles.

Figures: 2013 single, CT AGI 60,000, hand-worked in tests/cases/2013/tax_calculation_hand_worked.yaml
(single_60000): L1 60,000; L8 0.02 (a decimal, not money); L9 57; L10 2,870 - 57 = 2,813.
"""
from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from browser import CHROMIUM_FLAGS, chromium, dump_dom
from cli_helpers import run

ARGS = ("evaluate", "2013", "tax_calculation", "filing_status=single", "ct_agi=60000", "--format", "html")


class _Rows(HTMLParser):
    """The rendered page's h1 text and its table rows: (class, [cell text], [hrefs in the row])."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = ""
        self.rows: list[tuple[str, list[str], list[str]]] = []
        self._in_h1 = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self._in_h1 = True
        elif tag == "tr":
            self.rows.append((attrs.get("class") or "", [], []))
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "a" and self.rows:
            self.rows[-1][2].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data
        if self._cell is not None:
            self._cell.append(data)


def rendered(capsys, tmp_path: Path, *extra: str) -> _Rows:
    status, out, _ = run(capsys, *ARGS, *extra)
    assert status == 0
    page = tmp_path / "worksheet.html"
    page.write_text(out, encoding="utf-8")
    reader = _Rows()
    reader.feed(dump_dom(page.as_uri(), tmp_path / "profile"))
    return reader


def test_amounts_money_bottom_line_and_title(capsys, tmp_path):
    page = rendered(capsys, tmp_path)
    assert page.h1 == "2013 Tax Calculation Schedule"  # was "2013 Tax Calculation Schedule (2013)"
    lines = {cells[0]: (cls, cells) for cls, cells, _ in page.rows if cells and cells[0].isdigit()}
    value = {number: cells[2] for number, (_, cells) in lines.items()}
    assert (value["1"], value["8"], value["9"], value["10"]) == ("$60,000", "0.02", "$57", "$2,813")
    marked = [number for number, (cls, _) in lines.items() if "bottom-line" in cls.split()]
    assert marked == ["10"]
    assert lines["10"][1][1].endswith("bottom line")


def test_each_table_row_links_to_its_docs_page(capsys, tmp_path):
    docs = tmp_path / "docs"
    assert run(capsys, "docs", "2013", "--out", str(docs))[0] == 0
    page = rendered(capsys, tmp_path, "--docs", docs.as_uri())
    with_rows = [(cells, hrefs) for _, cells, hrefs in page.rows if len(cells) == 6 and cells[0].isdigit() and cells[4]]
    # Lines 2, 4, 5, 6 and 8 read Tables A, B, C, D and E
    assert [cells[0] for cells, _ in with_rows] == ["2", "4", "5", "6", "8"]
    for cells, hrefs in with_rows:
        table = cells[4].split()[0]
        assert len(hrefs) == 1 and hrefs[0].endswith(f"/2013/tables/{table}.html")
        target = Path(unquote(urlparse(hrefs[0]).path))
        assert target.is_file() and table in target.read_text(encoding="utf-8")


# Letter paper, 8.5 in wide, less the print style's 1.5 cm margins: 8.5 x 96 - 2 x 1.5 / 2.54 x 96 = 703 CSS px
PRINT_WIDTH = 703
PROBE = """<script>
addEventListener("load", () => {
  const sizes = [...document.querySelectorAll("td, th, code, p, dt, dd, span")]
    .filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize));
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = `overflow=${document.documentElement.scrollWidth - innerWidth} smallest=${Math.min(...sizes)}`;
  document.body.append(out);
});
</script>"""


def measure_as_printed(html: str, tmp_path: Path, name: str) -> tuple[int, float]:
    # Chromium has no flag for print media: apply the print styles to the screen in a copy, at the width of
    # the printable area, and let a probe script (test-only; the page itself has none) measure the layout.
    page = tmp_path / f"{name}.html"
    page.write_text(html.replace("@media print", "@media all").replace("</body>", PROBE + "</body>"),
                    encoding="utf-8")
    done = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           f"--window-size={PRINT_WIDTH},1000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="probe">overflow=(-?\d+) smallest=([\d.]+)</pre>', done.stdout)
    assert found, done.stdout[-2000:]
    return int(found.group(1)), float(found.group(2))


def test_readable_when_printed(capsys, tmp_path):
    # the widest result: the return with its step worksheets and their long formulas
    status, out, _ = run(capsys, "evaluate", "2024", "income_tax_return", "filing_status=single",
                         "federal_agi=60000", "--format", "html")
    assert status == 0 and "@media print" in out
    overflow, smallest = measure_as_printed(out, tmp_path, "printed")
    assert overflow <= 0  # nothing cut off at the right edge of the sheet
    assert smallest >= round(7 * 96 / 72, 2)  # no text below 7 pt (9.33 CSS px)
