"""ctax plot (issue 14): the marginal rate averaged over a window, so the rate structure is readable;
years that overlap stay distinguishable; titles use the form's name."""
from __future__ import annotations

from decimal import Decimal

import pytest
from cli_helpers import run

from engine.present.plot import draw, form_name, taxes, windowed_marginal


def test_windowed_marginal_on_a_hand_made_schedule():
    incomes = [0, 250, 500, 750, 1000]
    tax = [Decimal(t) for t in (0, 0, 100, 100, 100)]  # one $100 cliff between 250 and 500
    # window 500: each point takes the change over [AGI - 250, AGI + 250], cut at both ends
    assert windowed_marginal(incomes, tax, 500) == [0.0, 100 / 500, 100 / 500, 0.0, 0.0]


@pytest.mark.parametrize("agi, rate", [
    # IP 2013(8) Table B, single: "more than $250,000 ... $14,300 plus 6.7% of the excess over $250,000";
    # Table D: "$75 for each $5,000, or fraction thereof, of Connecticut AGI over $200,000, up to $2,250".
    # 297,500 -> 302,500 crosses one recapture step: (6.7% x 5,000 + 75) / 5,000 = 0.067 + 0.015 = 0.082.
    (300_000, Decimal("0.082")),
    # the recapture is capped from 200,000 + 30 x 5,000 = 350,000: only the bracket rate is left.
    (400_000, Decimal("0.067")),
])
def test_windowed_marginal_2013_single_shows_the_statutory_rate(agi, rate):
    incomes, tax = taxes(2013, "single", top=agi + 2_500, step=250)
    assert windowed_marginal(incomes, tax, 5_000)[incomes.index(agi)] == pytest.approx(float(rate))


def test_titles_name_the_form_and_explain_the_average():
    import matplotlib.pyplot as plt

    figure = draw(["2013", "2023", "2024"], "single", top=20_000, step=250)
    try:
        upper, lower = figure.axes
        assert figure._suptitle.get_text() == ("Tax Calculation Schedule (Form CT-W4P 2013; Form CT-1040 2023, 2024): "
                                               "Connecticut income tax, single")
        assert lower.get_title().startswith(r"Marginal rate, averaged over \$5,000 of CT AGI")
        # 2023 and 2024 lie on top of each other over much of the range: no two years share a dash
        # pattern or a marker, and the earlier year is drawn wider underneath
        for axis in (upper, lower):
            lines = axis.get_lines()
            assert [line.get_label() for line in lines] == ["2013 (Form CT-W4P)", "2023 (Form CT-1040)",
                                                            "2024 (Form CT-1040)"]
            assert len({line.get_linestyle() for line in lines}) == 3
            assert len({line.get_marker() for line in lines}) == 3
            widths = [line.get_linewidth() for line in lines]
            assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3
    finally:
        plt.close(figure)


def test_form_name_of_one_year():
    import engine

    assert form_name([engine.load(2024).worksheets["tax_calculation"]]) == "Tax Calculation Schedule (Form CT-1040)"


def test_window_must_fit_the_step(capsys, tmp_path):
    status, out, err = run(capsys, "plot", "--years", "2013", "--step", "300", "--out", str(tmp_path / "x.png"))
    assert (status, out) == (1, "")
    assert err == "error: the window ($5,000) must be a whole number of twice the step ($600)\n"
    assert not (tmp_path / "x.png").exists()
