"""Effective and marginal tax rates against Connecticut AGI (``ctax plot``), drawn with matplotlib.

The tax is ``tax_calculation``'s ``ct_income_tax`` for one filing status, evaluated every
``step`` dollars of CT AGI. The effective rate is tax / AGI. The marginal rate is averaged over a
window of CT AGI centred on each point (the change in tax across the window over its width): the
tables move in $5,000 (or smaller) steps, so a per-step difference is mostly zero with a spike at
each step; averaged over a window as wide as a step, the rate structure shows as a reader sees it
in the law: the bracket rates, a phase-out as a raised band, a recapture or lost credit as a bump.
"""
from __future__ import annotations

import os
import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from engine import api
from engine.errors import CtaxError, MissingExtraError
from engine.model.worksheet import Worksheet
from engine.run import scalar

WORKSHEET = "tax_calculation"
OUTPUT = "ct_income_tax"
WINDOW = 5_000  # the width of the tables' phase-out and recapture steps (Tables C, D and E)
# Overlapping years must stay distinguishable: each year has its own dash pattern and marker, and
# earlier years are drawn wider underneath later ones.
STYLES = (("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ((0, (5, 1, 1, 1)), "v"), ((0, (1, 3)), "P"))


def _sheet(year: int | str, rules: str | os.PathLike | None) -> Worksheet:
    ruleset = api.load(year, rules)
    sheet = ruleset.worksheets.get(WORKSHEET)
    if sheet is None:
        raise CtaxError(f"tax year {ruleset.year} has no worksheet '{WORKSHEET}' to plot")
    return sheet


def taxes(year: int | str, status: str, top: int, step: int,
          rules: str | os.PathLike | None = None) -> tuple[list[int], list[Decimal]]:
    """CT AGI from 0 to ``top`` every ``step`` dollars, and the tax at each."""
    sheet = _sheet(year, rules)
    incomes = list(range(0, top + step, step))
    return incomes, [scalar.evaluate(sheet, {"filing_status": status, "ct_agi": Decimal(agi)},
                                     trace=False).outputs[OUTPUT]
                     for agi in incomes]


def rate_curves(year: int | str, status: str, top: int = 600_000, step: int = 250,
                rules: str | os.PathLike | None = None) -> tuple[list[int], list[float], list[float]]:
    """AGI points, effective rates and per-step marginal rates (as fractions) for one year and status."""
    incomes, tax = taxes(year, status, top, step, rules)
    effective = [float(t / agi) for t, agi in zip(tax[1:], incomes[1:])]
    marginal = [float((b - a) / step) for a, b in pairwise(tax)]
    return incomes[1:], effective, marginal


def windowed_marginal(incomes: list[int], tax: list[Decimal], window: int) -> list[float]:
    """At each AGI point, (tax at AGI + window/2 - tax at AGI - window/2) / window, the window cut at both ends
    of the points given (``incomes`` evenly spaced, ``window`` a multiple of twice their spacing)."""
    step = incomes[1] - incomes[0]
    half = window // (2 * step)
    rates = []
    for index in range(len(incomes)):
        low, high = max(0, index - half), min(len(incomes) - 1, index + half)
        rates.append(float((tax[high] - tax[low]) / (incomes[high] - incomes[low])))
    return rates


def form_name(sheets: list[Worksheet]) -> str:
    """The worksheet's title without its year ("Tax Calculation Schedule"), and each year's form."""
    titles = list(dict.fromkeys(re.sub(r"\b(19|20)\d\d\b", "", s.title).strip() for s in sheets))
    forms: dict[str, list[str]] = {}
    for sheet in sheets:
        forms.setdefault(sheet.form or "", []).append(str(sheet.year))
    where = "; ".join(f"{form} {', '.join(years)}" if len(forms) > 1 else form for form, years in forms.items() if form)
    return f"{' / '.join(titles)}" + (f" ({where})" if where else "")


def draw(years: list[str], status: str, top: int = 600_000, step: int = 250,
         rules: str | os.PathLike | None = None, window: int = WINDOW) -> Any:
    """The matplotlib figure of both rates for every year, on two panels (the caller closes it)."""
    if window % (2 * step):
        raise CtaxError(f"the window (${window:,}) must be a whole number of twice the step (${2 * step:,})")
    try:
        import matplotlib
    except ModuleNotFoundError as error:
        raise MissingExtraError("ctax plot", error) from None
    matplotlib.use("Agg")  # no display: always render to a file
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    sheets = [_sheet(year, rules) for year in years]
    dollars = "\\$"  # a plain dollar sign: two "$" in a matplotlib text would start mathematical notation
    figure, (upper, lower) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    for index, (year, sheet) in enumerate(zip(years, sheets)):
        incomes, tax = taxes(year, status, top + window // 2, step, rules)
        shown = [i for i, agi in enumerate(incomes) if 0 < agi <= top]
        marginal = windowed_marginal(incomes, tax, window)
        dash, marker = STYLES[index % len(STYLES)]
        style = dict(label=f"{sheet.year}" + (f" ({sheet.form})" if sheet.form else ""), linestyle=dash,
                     marker=marker, markevery=(index * 13 % 100 + 10, 100), markersize=6, markerfacecolor="none",
                     linewidth=max(1.0, 2.8 - 0.6 * index), zorder=2 + index)
        upper.plot([incomes[i] for i in shown], [float(tax[i] / incomes[i]) for i in shown], **style)
        lower.plot([incomes[i] for i in shown], [marginal[i] for i in shown], **style)
    figure.suptitle(f"{form_name(sheets)}: Connecticut income tax, {status.replace('_', ' ')}", fontsize=13)
    upper.set_title("Effective rate: Connecticut income tax / CT AGI", fontsize=10)
    lower.set_title(f"Marginal rate, averaged over {dollars}{window:,} of CT AGI: (tax at AGI + "
                    f"{dollars}{window // 2:,} - tax at AGI - {dollars}{window // 2:,}) / {dollars}{window:,}.\n"
                    "Bracket rates show as steps, a phase-out as a raised band, a recapture or a lost credit as a "
                    "bump", fontsize=10)
    upper.set_ylabel("effective rate")
    lower.set_ylabel("marginal rate")
    lower.set_xlabel("Connecticut AGI")
    for axis in (upper, lower):
        axis.yaxis.set_major_formatter(PercentFormatter(1.0))
        axis.grid(True, alpha=0.3)
        axis.legend()
    lower.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"${x:,.0f}"))
    figure.tight_layout()
    return figure


def plot(years: list[str], status: str, out: Path, top: int = 600_000, step: int = 250,
         rules: str | os.PathLike | None = None, window: int = WINDOW) -> Path:
    """Draw both rates for every year on two panels and save a PNG to ``out``."""
    figure = draw(years, status, top, step, rules, window)
    import matplotlib.pyplot as plt

    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        figure.savefig(out, dpi=110)
    except OSError as error:
        raise CtaxError(f"cannot write {out}: {error}") from None
    finally:
        plt.close(figure)
    return out
