"""Effective and marginal tax rates against Connecticut AGI (``ctax plot``), drawn with matplotlib.

The tax is ``tax_calculation``'s ``ct_income_tax`` for one filing status, evaluated every
``step`` dollars of CT AGI. The effective rate is tax / AGI; the marginal rate is the change in
tax over the change in AGI between neighbouring points, so a phase-out shows as a raised band
and a recapture step or a lost exemption as a spike (a cliff).
"""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from . import api
from .errors import CtaxError, MissingExtraError

WORKSHEET = "tax_calculation"
OUTPUT = "ct_income_tax"


def rate_curves(year: int | str, status: str, top: int = 600_000, step: int = 250,
                rules: str | os.PathLike | None = None) -> tuple[list[int], list[float], list[float]]:
    """AGI points, effective rates and marginal rates (as fractions) for one year and status."""
    ruleset = api.load(year, rules)
    sheet = ruleset.worksheets.get(WORKSHEET)
    if sheet is None:
        raise CtaxError(f"tax year {ruleset.year} has no worksheet '{WORKSHEET}' to plot")
    incomes = list(range(step, top + step, step))
    taxes = [sheet.run({"filing_status": status, "ct_agi": Decimal(agi)}, trace=False).outputs[OUTPUT]
             for agi in [0] + incomes]
    effective = [float(tax / agi) for tax, agi in zip(taxes[1:], incomes)]
    marginal = [float((b - a) / step) for a, b in zip(taxes, taxes[1:])]
    return incomes, effective, marginal


def plot(years: list[str], status: str, out: Path, top: int = 600_000, step: int = 250,
         rules: str | os.PathLike | None = None) -> Path:
    """Draw both rates for every year on two panels and save a PNG to ``out``."""
    try:
        import matplotlib
    except ModuleNotFoundError as error:
        raise MissingExtraError("ctax plot", error) from None
    matplotlib.use("Agg")  # no display: always render to a file
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    curves = {year: rate_curves(year, status, top, step, rules) for year in years}
    figure, (upper, lower) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    for year, (incomes, effective, marginal) in curves.items():
        upper.plot(incomes, effective, label=str(year), linewidth=1.4)
        lower.plot(incomes, marginal, label=str(year), linewidth=0.9)
    upper.set_title(f"Connecticut income tax ({WORKSHEET}), {status.replace('_', ' ')}")
    upper.set_ylabel("effective rate (tax / CT AGI)")
    lower.set_ylabel(f"marginal rate (per ${step:,} of CT AGI)")
    lower.set_xlabel("Connecticut AGI")
    for axis in (upper, lower):
        axis.yaxis.set_major_formatter(PercentFormatter(1.0))
        axis.grid(True, alpha=0.3)
        axis.legend()
    lower.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"${x:,.0f}"))
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        figure.savefig(out, dpi=110)
    except OSError as error:
        raise CtaxError(f"cannot write {out}: {error}") from None
    finally:
        plt.close(figure)
    return out
