"""One golden file per tax year: the Tax Calculation Schedule's outputs over a fixed grid of cases.

It runs for every year under rules/, so a year scaffolded with ``ctax new-year`` fails here until
its golden file is generated and reviewed, and a changed rate or table row shows up as a diff of
exactly the cases it moves (``python3 -m pytest --force-regen``, then read ``git diff tests/``).
"""
import pytest

import engine

AGIS = [-1000, 0, 12000, 15000, 19000, 24000, 30500, 38000, 45000, 48000, 56000, 60000, 75000, 100000,
        105001, 150000, 168001, 200001, 210001, 250000, 320001, 400001, 500001, 750000, 1000001, 2000000]


@pytest.mark.parametrize("year", engine.years())
def test_tax_calculation_outputs(year, data_regression):
    table = {}
    for status in engine.FILING_STATUSES:
        for agi in AGIS:
            result = engine.evaluate(year, "tax_calculation", {"filing_status": status, "ct_agi": agi}, trace=False)
            table[f"{status} {agi}"] = {name: str(value) for name, value in result.outputs.items()}
    data_regression.check(table, basename=f"tax_calculation_{year}")
