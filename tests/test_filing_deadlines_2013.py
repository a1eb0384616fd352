"""2013 filing_deadlines on a year whose printed dates fall on weekends: the 2014 scaffold of the 2013 rules
(``ctax new-year 2013 2014`` moves every ISO date a year forward, to dates in 2015).

IP 2013(8), Calendar of Duties and the Comparison of Federal and Connecticut Filing Rules: "If the due date
falls on a Saturday, Sunday, or legal holiday, the next business day is the due date." The source says that
of the payer's returns and statements, not of the CT-8508 and CT-8809 requests, which keep their dates.
"""
from __future__ import annotations

import datetime as dt

from cli_helpers import copy_2013, run

import engine


def test_weekend_due_dates_move_requests_do_not(capsys, tmp_path):
    rules = copy_2013(tmp_path)
    status, _, _ = run(capsys, "new-year", "2013", "2014", "--rules", str(rules))
    assert status == 0
    out = engine.evaluate(2014, "filing_deadlines", {}, rules=rules).outputs
    # January 31, 2015 is a Saturday: payee statements and Form CT-945 move to Monday, February 2.
    assert out["payee_statements_due"] == out["ct_945_due"] == dt.date(2015, 2, 2)
    # February 28, 2015 is a Saturday: Form CT-1096 on paper moves to Monday, March 2 ...
    assert out["ct_1096_paper_due"] == dt.date(2015, 3, 2)
    # ... the CT-8809 request keeps the printed "last day of February".
    assert out["ct_8809_paper_due"] == dt.date(2015, 2, 28)
    # February 10, 2015 (Tuesday), January 15, 2015 (Thursday), March 31, 2015 (Tuesday) stay.
    assert out["ct_945_timely_deposits_due"] == dt.date(2015, 2, 10)
    assert out["ct_8508_waiver_request_due"] == dt.date(2015, 1, 15)
    assert out["ct_1096_electronic_due"] == out["ct_8809_electronic_due"] == dt.date(2015, 3, 31)
