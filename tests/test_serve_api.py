"""``ctax serve``'s JSON API through Starlette's TestClient: listing, describing, evaluating, batches,
problem+json errors with the engine's wording, limits, and hostile requests that must never 500."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from starlette.testclient import TestClient

import engine
from engine.serve import create_app
from engine.serve.limits import Limits

PROBLEM = "application/problem+json"
TAX = "/years/2024/worksheets/tax_calculation"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def _problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    data = response.json()
    assert data["status"] == status and data["title"] and data["detail"] and data["type"].startswith("urn:ctax:")
    assert "Traceback" not in response.text
    if field is not None:
        assert data["field"] == field
    return data


# ---------------------------------------------------------------- reading the rules


def test_years_and_worksheets(client):
    assert client.get("/years").json() == {"years": engine.years()}
    listed = client.get("/years/2024/worksheets").json()["worksheets"]
    assert [w["name"] for w in listed] == engine.worksheets(2024)
    tax = next(w for w in listed if w["name"] == "tax_calculation")
    assert tax["inputs"] == ["filing_status", "ct_agi"] and tax["outputs"][-1] == "ct_income_tax"


def test_openapi_lists_every_worksheet_of_every_year(client):
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    for year in engine.years():
        for name in engine.worksheets(year):
            for suffix in ("", "/evaluate", "/evaluate-batch"):
                assert f"/years/{year}/worksheets/{name}{suffix}" in document["paths"]
            schema = document["components"]["schemas"][f"Inputs_{year}_{name}"]
            assert set(schema["properties"]) == set(engine.load(year).worksheet(name).inputs)


def test_worksheet_inputs_as_json_schema_with_labels_defaults_and_choices(client):
    described = client.get("/years/2024/worksheets/income_tax_return").json()
    props = described["inputs"]["properties"]
    # rules/2024/worksheets/income_tax_return.yaml: residency is a choice, default resident.
    # null, like leaving it out, means the default
    assert props["residency"]["enum"] == ["resident", "part_year_resident", "nonresident", None]
    assert props["residency"]["default"] == "resident"
    assert props["residency"]["title"] == "Residency for 2024 (see the residency worksheet)"
    assert props["filing_status"]["enum"][0] == "single"
    assert props["federal_agi"]["type"] == ["number", "string"]
    assert "filing_status" in described["inputs"]["required"] and "residency" not in described["inputs"]["required"]
    tax = client.get(TAX).json()
    # the help text is the input's 'description' in the rule file
    assert tax["inputs"]["properties"]["ct_agi"]["description"].startswith("Form CT-1040NR/PY filers use income")
    line2 = next(line for line in tax["lines"] if line["line"] == "2")
    assert line2["expression"] == "table_a(filing_status, connecticut_agi)"
    assert line2["citation"] == "CT-1040 2024 Instructions, 2024 Tax Calculation Schedule, Line 2, p. 20-22"
    assert [o["id"] for o in tax["outputs"]][-1] == "ct_income_tax"


def test_table_rows_with_citation(client):
    table = client.get("/years/2024/tables/table_b").json()
    single = next(c for c in table["columns"] if "single" in c["filing_statuses"])
    # Table B 2024, single: "more than $10,000, less than or equal to $50,000: $200 plus 4.5% of the excess
    # over $10,000"
    assert single["rows"][1]["row"] == ("more than $10,000, less than or equal to $50,000: $200 plus 4.5% of "
                                        "the excess over $10,000")
    assert table["citation"].startswith("CT-1040 2024 Instructions")


# ---------------------------------------------------------------- evaluating


def test_evaluate_returns_the_result_document(client):
    response = client.post(f"{TAX}/evaluate", json={"filing_status": "single", "ct_agi": 60000})
    assert response.status_code == 200
    data = response.json()
    # By hand, 2024 single, CT AGI $60,000: Table A exemption $0 (phased out); Table B: $2,000 plus 5.5% of
    # $10,000 = $2,550; Table C "more than $56,500, less than or equal to $61,500": $25 -> $2,575; Table E
    # "more than $33,300, less than or equal to $60,000": .10 -> credit $257.50 rounds to $258; tax $2,317.
    assert data["format"] == "ctax.result/1" and data["outputs"]["ct_income_tax"] == "2317"
    assert data == engine.evaluate(2024, "tax_calculation", {"filing_status": "single", "ct_agi": 60000}).to_dict()
    assert data["lines"][0]["citation"]
    brief = client.post(f"{TAX}/evaluate?trace=false", json={"filing_status": "single", "ct_agi": 60000}).json()
    assert brief["lines"] == [] and brief["outputs"] == data["outputs"]


def test_exact_decimals_from_json(client):
    # 0.1 + 0.2 read as binary floats would not be exact; JSON numbers are read as decimals.
    data = client.post("/years/2013/worksheets/tax_calculation/evaluate",
                       content=b'{"filing_status": "single", "ct_agi": 60000.49}',
                       headers={"content-type": "application/json"}).json()
    assert data["inputs"]["ct_agi"] == "60000.49"


def test_batch_json_with_bad_rows_reported_per_row(client):
    rows = [{"filing_status": "single", "ct_agi": 60000}, {"ct_agi": 1}, 5, {"filing_status": "single", "x": 1}]
    response = client.post(f"{TAX}/evaluate-batch", json=rows)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    out = response.json()
    assert [r["row"] for r in out] == [0, 1, 2, 3]
    assert out[0]["outputs"]["ct_income_tax"] == "2317" and out[0]["error"] is None
    for row, inputs in ((1, rows[1]), (3, rows[3])):
        with pytest.raises(engine.InputError) as error:
            engine.evaluate(2024, "tax_calculation", inputs)
        assert (out[row]["error_field"], out[row]["error"]) == (error.value.field, str(error.value))
    assert out[2]["error_field"] == "inputs" and out[2]["outputs"] is None


def test_batch_csv_in_csv_out(client):
    body = "id,filing_status,ct_agi\na,single,60000\nb,single,not-a-number\nc,married_filing_jointly,\"$120,000\"\n"
    response = client.post(f"{TAX}/evaluate-batch", content=body, headers={"content-type": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    import pandas as pd

    out = pd.read_csv(io.StringIO(response.text), dtype=str, keep_default_na=False)
    assert list(out["id"]) == ["a", "b", "c"]
    assert out.loc[0, "ct_income_tax"] == "2317"
    assert out.loc[1, "error"] == "input 'ct_agi' must be a number; got 'not-a-number'"
    expected = engine.evaluate(2024, "tax_calculation", {"filing_status": "married_filing_jointly",
                                                         "ct_agi": 120000})["ct_income_tax"]
    assert Decimal(out.loc[2, "ct_income_tax"]) == expected


def test_batch_parquet_in_parquet_out(client):
    sink = io.BytesIO()
    pq.write_table(pa.table({"filing_status": ["single", "bogus"], "ct_agi": [60000, 1]}), sink)
    response = client.post(f"{TAX}/evaluate-batch", content=sink.getvalue(),
                           headers={"content-type": "application/vnd.apache.parquet"})
    assert response.status_code == 200
    out = pq.read_table(io.BytesIO(response.content)).to_pylist()
    assert out[0]["ct_income_tax"] == 2317 and out[0]["error"] is None
    assert out[1]["error_field"] == "filing_status" and out[1]["ct_income_tax"] is None


def test_compare_with_another_year_names_the_changed_figures(client):
    data = client.post(f"{TAX}/compare/2023", json={"filing_status": "single", "ct_agi": 60000}).json()
    assert data["years"] == [2024, 2023]
    final = next(line for line in data["lines"] if line["id"] == "ct_income_tax")
    # the same inputs: 2024 $2,317 (above); 2023 $2,583 (README): change +266
    assert (final["old"], final["new"], final["change"]) == ("2317", "2583", "+266")
    initial = next(line for line in data["lines"] if line["id"] == "initial_tax")
    # Line 3 $60,000 falls in Table B's third single bracket ($50,000-$100,000), whose printed base tax
    # changed: 2024 2% x 10,000 + 4.5% x 40,000 = $2,000; 2023 3% x 10,000 + 5% x 40,000 = $2,300.
    # Only the row this case read is named, not every changed figure of the column.
    assert [(c["table"], c["figure"], c["old"], c["new"]) for c in initial["because"]] == \
        [("table_b", "bracket 3 base tax", "2000", "2300")]


# ---------------------------------------------------------------- errors


def test_unknown_year_worksheet_table_are_404_with_the_engines_words(client):
    for url, field, error in (("/years/1999/worksheets", "year", engine.UnknownYearError),
                              ("/years/2024/worksheets/nope", "worksheet", engine.UnknownWorksheetError),
                              ("/years/2024/worksheets/nope/evaluate", "worksheet", engine.UnknownWorksheetError)):
        response = client.post(url, json={}) if url.endswith("evaluate") else client.get(url)
        data = _problem(response, 404, field)
        with pytest.raises(error) as raised:
            engine.load("1999") if field == "year" else engine.load(2024).worksheet("nope")  # a URL year is text
        assert data["detail"] == str(raised.value)
    assert "tables:" in _problem(client.get("/years/2024/tables/nope"), 404, "table")["detail"]


@pytest.mark.parametrize("inputs, field", [
    ({"filing_status": "single", "ct_agi": "abc"}, "ct_agi"),
    ({"filing_status": "single", "ct_agi": True}, "ct_agi"),
    ({"filing_status": "single", "ct_agi": [1]}, "ct_agi"),
    ({"filing_status": "single", "ct_agi": {"a": 1}}, "ct_agi"),
    ({"filing_status": 5, "ct_agi": 1}, "filing_status"),
    ({"filing_status": "single", "ct_agi": 10 ** 30}, "ct_agi"),
    ({"filing_status": "single"}, "ct_agi"),
    ({"filing_status": "single", "ct_agi": 1, "ct_agl": 2}, "ct_agl"),
])
def test_bad_inputs_are_422_naming_the_field_with_the_engines_words(client, inputs, field):
    data = _problem(client.post(f"{TAX}/evaluate", json=inputs), 422, field)
    with pytest.raises(engine.InputError) as raised:
        engine.evaluate(2024, "tax_calculation", inputs)
    assert data["detail"] == str(raised.value)


@pytest.mark.parametrize("body", [
    b"{", b"not json", b"[1, 2", b'{"ct_agi": 1e400, "filing_status": "single"}', b'{"ct_agi": NaN}',
    b'{"ct_agi": ' + b"9" * 5000 + b"}", b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe", b'"text"', b"[]", b"null",
    b'{"filing_status": "single", "ct_agi": -Infinity}',
])
def test_malformed_or_hostile_json_is_422(client, body):
    response = client.post(f"{TAX}/evaluate", content=body, headers={"content-type": "application/json"})
    _problem(response, 422)


@pytest.mark.parametrize("body, kind", [
    (b"filing_status,ct_agi\nsingle,1,2,3\n", "text/csv"), (b"\x00\x01garbage", "application/vnd.apache.parquet"),
    (b"", "text/csv"), (b'{"a": 1}', "application/json"), (b"[", "application/json"),
])
def test_malformed_batches_are_4xx_problems(client, body, kind):
    response = client.post(f"{TAX}/evaluate-batch", content=body, headers={"content-type": kind})
    assert response.status_code in (404, 422), response.text
    _problem(response, response.status_code)


def test_unsupported_batch_format_is_415(client):
    _problem(client.post(f"{TAX}/evaluate-batch", content=b"x", headers={"content-type": "text/plain"}), 415,
             "Content-Type")


def test_query_parameter_trace_is_checked(client):
    _problem(client.post(f"{TAX}/evaluate?trace=maybe", json={}), 422, "trace")


def test_serves_nothing_outside_the_rule_sets_and_its_pages(client):
    for path in ("/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/..%2f..%2fpyproject.toml",
                 "/years/..%2f..%2fetc/worksheets", "/years/%2e%2e/worksheets", "/rules/2024/ruleset.yaml",
                 "/engine/api.py", "/static/../../README.md"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "tax_calculation" not in response.text and "import" not in response.text
    _problem(client.delete(TAX), 405)


def test_unexpected_errors_are_a_500_problem_without_a_traceback(monkeypatch, client):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine.api, "years", broken)
    data = _problem(client.get("/years"), 500)
    assert "secret" not in json.dumps(data)


# ---------------------------------------------------------------- limits


def test_body_size_limit_is_413(monkeypatch):
    with TestClient(create_app(limits=Limits(max_body_bytes=100))) as small:
        big = {"filing_status": "single", "ct_agi": 1, "padding": "x" * 200}
        data = _problem(small.post(f"{TAX}/evaluate", json=big), 413)
        assert data["limit"] == 100
        # without a Content-Length (a streamed body) the limit holds too
        chunks = iter([b'{"filing_status": "single", ', b'"ct_agi": 1' + b" " * 200 + b"}"])
        _problem(small.post(f"{TAX}/evaluate", content=chunks, headers={"content-type": "application/json"}), 413)
        assert small.post(f"{TAX}/evaluate", json={"filing_status": "single", "ct_agi": 1}).status_code == 200


def test_batch_row_limit_is_413():
    with TestClient(create_app(limits=Limits(max_batch_rows=2))) as small:
        rows = [{"filing_status": "single", "ct_agi": 1}] * 3
        assert _problem(small.post(f"{TAX}/evaluate-batch", json=rows), 413)["limit"] == 2
        csv = "filing_status,ct_agi\n" + "single,1\n" * 3
        _problem(small.post(f"{TAX}/evaluate-batch", content=csv, headers={"content-type": "text/csv"}), 413)
        assert small.post(f"{TAX}/evaluate-batch", json=rows[:2]).status_code == 200


def test_time_limit_is_503():
    with TestClient(create_app(limits=Limits(time_limit=1e-9))) as hurried:
        data = _problem(hurried.post(f"{TAX}/evaluate", json={"filing_status": "single", "ct_agi": 1}), 503)
        assert data["limit"] == 1e-9
        _problem(hurried.post(f"{TAX}/evaluate-batch", json=[{"filing_status": "single", "ct_agi": 1}]), 503)


def test_rules_folder_is_configurable(tmp_path):
    import shutil

    shutil.copytree(engine.loading.ruleset.rules_dir() / "2013", tmp_path / "2013")
    with TestClient(create_app(rules=tmp_path)) as only_2013:
        assert only_2013.get("/years").json() == {"years": [2013]}
        _problem(only_2013.get("/years/2024/worksheets"), 404, "year")


def test_a_csv_column_that_is_not_an_input_is_copied_and_a_missing_input_reported_per_row(client):
    # as ctax batch does: other columns pass through unchanged, the row names the missing input
    response = client.post(f"{TAX}/evaluate-batch", content="filing_status,bogus\nsingle,1\n",
                           headers={"content-type": "text/csv"})
    import pandas as pd

    out = pd.read_csv(io.StringIO(response.text), dtype=str, keep_default_na=False)
    assert out.loc[0, "bogus"] == "1" and out.loc[0, "error_field"] == "ct_agi"


# ---------------------------------------------------------------- the engine's fuzz inputs, through HTTP

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_properties import SHEETS, junk  # noqa: E402


def _as_json(value):
    """A junk value as JSON carries it: what JSON cannot hold is sent as its text."""
    return json.dumps(value, default=str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHEETS), st.data())
def test_every_fuzz_input_is_an_answer_or_a_problem_never_a_500(client, sheet, data):
    year, name = sheet
    fields = list(engine.load(year).worksheets[name].inputs)
    given_inputs = {field: data.draw(junk) for field in fields if data.draw(st.booleans())}
    if data.draw(st.booleans()):
        given_inputs[data.draw(st.text(max_size=8))] = data.draw(junk)
    try:
        body = _as_json(given_inputs)
    except (ValueError, TypeError):  # e.g. a key JSON cannot hold
        return
    response = client.post(f"/years/{year}/worksheets/{name}/evaluate", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code == 200:
        assert response.json()["format"] == "ctax.result/1"
        return
    problem = _problem(response, response.status_code)
    # the same JSON in Python gives the same error, word for word
    with pytest.raises(engine.CtaxError) as raised:
        engine.evaluate(year, name, json.loads(body, parse_float=Decimal))
    assert problem["detail"] == str(raised.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_fuzzed_year_and_worksheet_in_the_url(client, year, worksheet):
    from urllib.parse import quote

    response = client.post(f"/years/{quote(year, safe='')}/worksheets/{quote(worksheet, safe='')}/evaluate",
                           json={"filing_status": "single", "ct_agi": 1})
    # "." and ".." are resolved by the client before sending, which can reach another route (405)
    assert response.status_code in (200, 404, 405), response.text
    if response.status_code != 200:
        _problem(response, response.status_code)


def test_the_explainer_page_loads_nothing_from_elsewhere(client):
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    script = client.get("/static/explainer.js").text
    assert "http://" not in script and "https://" not in script


def test_explain_prints_each_line_as_the_engine_renders_it(client):
    from engine.present.text import show, substituted, table_rows

    data = client.post(f"{TAX}/explain", json={"filing_status": "single", "ct_agi": 60000}).json()
    result = engine.evaluate(2024, "tax_calculation", {"filing_status": "single", "ct_agi": 60000})
    assert [o["id"] for o in data["outputs"]] == list(result.outputs)
    for shown, line in zip(data["lines"], result.lines, strict=True):
        assert (shown["value"], shown["substituted"], shown["table_row"], shown["citation"]) == (
            show(line.value), substituted(line), table_rows(line), line.source.cite())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(junk, junk), min_size=1, max_size=6))
def test_batch_fuzz_rows_through_http_give_results_or_row_errors(client, rows):
    # the engine's batch fuzz rows, as a JSON array and as a CSV of their text
    objects = [{"filing_status": status, "ct_agi": agi} for status, agi in rows]
    try:
        body = _as_json(objects)
    except (ValueError, TypeError):
        return
    answer = client.post("/years/2013/worksheets/tax_calculation/evaluate-batch", content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        _problem(answer, 422)
        return
    for given_row, out in zip(json.loads(body, parse_float=Decimal), answer.json(), strict=True):
        try:
            expected = engine.evaluate(2013, "tax_calculation", given_row, trace=False)["ct_income_tax"]
        except engine.CtaxError as error:
            assert out["error"] == str(error) and out["outputs"] is None
        else:
            assert out["outputs"]["ct_income_tax"] == str(expected) and out["error"] is None
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["filing_status", "ct_agi"])
    writer.writerows([[str(status), str(agi)] for status, agi in rows])
    answer = client.post("/years/2013/worksheets/tax_calculation/evaluate-batch", content=text.getvalue(),
                         headers={"content-type": "text/csv"})
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        _problem(answer, 422)


@pytest.mark.parametrize("column", [
    pa.array([["single"], ["x"]]), pa.array([b"single", b"\xff"]), pa.array([True, None]),
    pa.array([float("nan"), float("inf")]), pa.array([2 ** 64 - 1, 0], pa.uint64()),
    pa.array([{"a": 1}, {"a": 2}]), pa.array([None, None], pa.null()),
    pa.array(["single", "single"]).dictionary_encode(),
])
def test_hostile_parquet_columns_give_row_errors_never_a_500(client, column):
    sink = io.BytesIO()
    pq.write_table(pa.table({"filing_status": column, "ct_agi": column}), sink)
    answer = client.post(f"{TAX}/evaluate-batch", content=sink.getvalue(),
                         headers={"content-type": "application/vnd.apache.parquet"})
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 200:
        out = pq.read_table(io.BytesIO(answer.content)).to_pylist()
        assert len(out) == 2 and all(row["error"] for row in out)  # no such row is a valid return


def test_openapi_declares_every_path_parameter(client):
    import re

    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for operation in operations.values():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_input_schemas_are_json_schemas_that_accept_and_refuse_as_the_engine_does(client):
    from jsonschema import Draft202012Validator

    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name, schema in schemas.items():
        if name.startswith("Inputs_"):
            Draft202012Validator.check_schema(schema)
    tax = Draft202012Validator(schemas["Inputs_2024_tax_calculation"])
    assert tax.is_valid({"filing_status": "single", "ct_agi": 60000})
    assert tax.is_valid({"filing_status": "single", "ct_agi": "$60,000"})  # text amounts, as in Python
    assert not tax.is_valid({"ct_agi": 1})  # filing_status is required
    assert not tax.is_valid({"filing_status": "single", "ct_agi": 1, "ct_agl": 1})  # no unknown inputs
    assert not tax.is_valid({"filing_status": "Single", "ct_agi": 1})
    ret = Draft202012Validator(schemas["Inputs_2024_income_tax_return"])
    assert ret.is_valid({"filing_status": "single", "federal_agi": 1, "residency": None})  # null: the default
