"""``ctax serve`` as a user starts it: a real uvicorn process on loopback whose OpenAPI document
lists every worksheet of every year, and whose limits come from the command line."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import engine
from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--port", str(port), "--max-body-bytes",
                                "200", "--log-level", "warning"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/years", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "ctax serve did not answer within 60 s"
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(30)


def test_ctax_serve_answers_with_every_worksheet_of_every_year_in_its_openapi(served):
    with urllib.request.urlopen(served + "/openapi.json", timeout=30) as answer:
        paths = json.load(answer)["paths"]
    for year in engine.years():
        for name in engine.worksheets(year):
            assert f"/years/{year}/worksheets/{name}/evaluate" in paths
    big = json.dumps({"filing_status": "single", "ct_agi": 1, "padding": "x" * 300}).encode()
    request = urllib.request.Request(served + "/years/2024/worksheets/tax_calculation/evaluate", data=big,
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413  # --max-body-bytes 200 reached the worker
    assert refused.value.headers["content-type"] == "application/problem+json"


def test_serve_options_are_checked(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--workers", "0"])
    assert "must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["serve", "--time-limit", "-1"])
    assert "must be more than 0" in capsys.readouterr().err
