"""The explainer in headless Chromium (Playwright driving the system's Chromium, found by
tests/browser.py: skips locally without one, fails on CI): load, fill, submit and read the rendered
worksheet against engine.evaluate; compare years; a shared link; keyboard only; a phone-width screen.
Screenshots are kept in pytest's tmp folder (the path is printed)."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from browser import CHROMIUM_FLAGS, chromium

import engine
from engine.present.text import show, substituted, table_rows
from engine.serve import create_app

SINGLE_60000 = {"filing_status": "single", "ct_agi": "60000"}


@pytest.fixture(scope="module")
def server():
    """The app on a free loopback port, in a thread, for the module's tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=[f for f in CHROMIUM_FLAGS
                                                                          if f != "--headless"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    # a script error or a failed load fails the test; a 422 answer is the expected reply to a bad input
    opened.on("console", lambda message: problems.append(message.text)
              if message.type == "error" and "status of 422" not in message.text else None)
    yield opened
    context.close()
    assert not problems, problems


def _shot(page, tmp_path: Path, name: str) -> None:
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 1000
    print(f"screenshot: {target}")


def _ready(page) -> None:
    page.wait_for_selector("body[data-state]", timeout=30_000)


def _done(page) -> None:
    page.wait_for_selector("body[data-state=done]", timeout=30_000)


def _fill(page, year: str, worksheet: str, inputs: dict[str, str]) -> None:
    if page.input_value("#year") != year:
        page.select_option("#year", year)
        page.wait_for_selector("body[data-state=ready]")
    if page.input_value("#worksheet") != worksheet:
        page.select_option("#worksheet", worksheet)
        page.wait_for_selector("body[data-state=ready]")
    for name, value in inputs.items():
        field = page.locator(f"#in-{name}")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _assert_page_matches_engine(page, year: int, worksheet: str, inputs: dict) -> None:
    result = engine.evaluate(year, worksheet, inputs)
    for name, value in result.outputs.items():
        assert page.inner_text(f"dd[data-output={name}]") == show(value)
    rows = page.locator("#result table.lines").first.locator("tbody tr")
    assert rows.count() == len(result.lines)
    for index, line in enumerate(result.lines):
        row = rows.nth(index)
        assert row.locator("td.line").inner_text() == line.line
        assert row.locator("td.label").inner_text() == line.label
        assert row.locator("td.value").inner_text() == show(line.value)
        assert row.locator("code.substituted").inner_text() == substituted(line)
        assert row.locator("td.table-row").inner_text() == table_rows(line)
        assert row.locator("td.cite").inner_text() == line.source.cite()


def test_load_fill_submit_and_read_the_worksheet(server, page, tmp_path):
    page.goto(server + "/")
    _ready(page)
    # the form is generated from the input schema: labels and help from the rule file
    _fill(page, "2024", "tax_calculation", SINGLE_60000)
    assert page.inner_text("label[for=in-ct_agi]").startswith("Connecticut adjusted gross income")
    assert page.inner_text("#in-ct_agi-help").startswith("Form CT-1040NR/PY filers use income")
    page.click("#submit")
    _done(page)
    _assert_page_matches_engine(page, 2024, "tax_calculation", SINGLE_60000)
    # By hand (see tests/test_serve_api.py): 2024 single, $60,000 -> $2,317
    assert page.inner_text("dd[data-output=ct_income_tax]") == "2317"
    _shot(page, tmp_path, "tax_calculation_2024")


def test_a_worksheet_with_steps_renders_every_step(server, page, tmp_path):
    inputs = {"filing_status": "married_filing_jointly", "federal_agi": "150000", "withholding": "4000"}
    page.goto(server + "/")
    _ready(page)
    _fill(page, "2024", "income_tax_return", inputs)
    page.click("#submit")
    _done(page)
    _assert_page_matches_engine(page, 2024, "income_tax_return", inputs)
    steps = [line for line in engine.evaluate(2024, "income_tax_return", inputs).lines if line.step]
    assert page.locator("#result table.lines").count() == 1 + len(steps)
    _shot(page, tmp_path, "income_tax_return_2024")


def test_compare_with_another_year_marks_changed_lines_and_names_the_figures(server, page, tmp_path):
    page.goto(server + "/")
    _ready(page)
    _fill(page, "2024", "tax_calculation", SINGLE_60000)
    page.select_option("#compare", "2023")
    page.click("#submit")
    _done(page)
    final = page.locator("#compare-table tr[data-id=ct_income_tax]")
    # 2024 $2,317, 2023 $2,583 for the same inputs (README): marked changed, +266
    assert "changed" in final.get_attribute("class")
    assert final.locator("td.old").inner_text() == "2317" and final.locator("td.new").inner_text() == "2583"
    assert final.locator("td.change").inner_text() == "changed +266"
    initial = page.locator("#compare-table tr[data-id=initial_tax]")
    assert "table_b" in initial.locator("td.because").inner_text()  # the 2023/2024 rate change is named
    unchanged = page.locator("#compare-table tr[data-id=recapture]")
    assert not unchanged.get_attribute("class")
    _shot(page, tmp_path, "compare_2024_2023")


def test_the_shareable_url_holds_year_worksheet_and_inputs(server, page, browser, tmp_path):
    page.goto(server + "/")
    _ready(page)
    _fill(page, "2023", "tax_calculation", {"filing_status": "head_of_household", "ct_agi": "45000"})
    page.click("#submit")
    _done(page)
    shared = page.get_attribute("#share", "href")
    assert "year=2023" in shared and "worksheet=tax_calculation" in shared and "ct_agi=45000" in shared
    assert page.url.endswith(shared)
    other = browser.new_page()
    other.goto(server + shared)
    _done(other)
    expected = engine.evaluate(2023, "tax_calculation", {"filing_status": "head_of_household", "ct_agi": 45000})
    assert other.inner_text("dd[data-output=ct_income_tax]") == show(expected["ct_income_tax"])
    assert other.input_value("#in-ct_agi") == "45000" and other.input_value("#year") == "2023"
    other.close()


def test_keyboard_only(server, page, tmp_path):
    page.goto(server + "/?year=2024&worksheet=tax_calculation")
    _ready(page)
    page.wait_for_selector("#in-ct_agi")
    focused = lambda: page.evaluate("document.activeElement && document.activeElement.id")  # noqa: E731
    for _ in range(20):  # Tab through the page to the filing status
        page.keyboard.press("Tab")
        if focused() == "in-filing_status":
            break
    assert focused() == "in-filing_status"
    page.keyboard.type("single")  # a closed select picks the option typed
    assert page.input_value("#in-filing_status") == "single"
    page.keyboard.press("Tab")
    assert focused() == "in-ct_agi"
    page.keyboard.type("60000")
    page.keyboard.press("Enter")  # Enter in a field submits the form
    _done(page)
    assert page.inner_text("dd[data-output=ct_income_tax]") == "2317"
    assert focused() == "result-title"  # focus moves to the result for screen-reader and keyboard users
    _shot(page, tmp_path, "keyboard")


def test_a_bad_input_is_shown_with_the_engines_words_on_its_field(server, page):
    page.goto(server + "/?year=2024&worksheet=tax_calculation")
    _ready(page)
    _fill(page, "2024", "tax_calculation", {"filing_status": "single", "ct_agi": "sixty thousand"})
    page.click("#submit")
    page.wait_for_selector("body[data-state=error]")
    with pytest.raises(engine.InputError) as raised:
        engine.evaluate(2024, "tax_calculation", {"filing_status": "single", "ct_agi": "sixty thousand"})
    assert page.inner_text("#error") == str(raised.value)
    assert page.get_attribute("#in-ct_agi", "aria-invalid") == "true"


def test_narrow_phone_viewport(server, browser, tmp_path):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    page.goto(server + "/?year=2024&worksheet=tax_calculation&filing_status=single&ct_agi=60000&compare=2023")
    _done(page)
    assert page.inner_text("dd[data-output=ct_income_tax]") == "2317"
    # nothing wider than the screen: no sideways scrolling of the page
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(n => n.getBoundingClientRect().right > 361)
                            .map(n => n.tagName + '#' + n.id + '.' + n.className).slice(0, 5)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
    label = page.locator("#result table.lines tbody tr").first.locator("td.value")
    assert label.evaluate("node => getComputedStyle(node, '::before').content") == '"Value: "'
    _shot(page, tmp_path, "phone")
    phone.close()
