"""The evaluate command of the ctax CLI (issue 2): text table, JSON, --input files, clean errors."""
import json
import subprocess
import sys

from engine.cli import main


def test_evaluate_text_table(capsys):
    assert main(["evaluate", "2013", "tax_calculation", "filing_status=single", "ct_agi=60000"]) == 0
    out = capsys.readouterr().out
    assert "2013 Tax Calculation Schedule" in out and "2813" in out and "table_a" in out


def test_evaluate_json_is_to_dict(capsys):
    assert main(["evaluate", "2013", "tax_calculation", "filing_status=single", "ct_agi=60000",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "ctax.result/1" and data["outputs"]["ct_income_tax"] == "2813"


def test_evaluate_input_file_with_override(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text("inputs:\n  filing_status: single\n  federal_agi: 60000\n  payments_per_year: 12\n")
    assert main(["evaluate", "2013", "ct_w4p", "--input", str(case), "payments_per_year=4", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["withholding_per_payment"] == "703"  # 2,813 / 4 = 703.25


def test_errors_are_one_line_and_exit_1(capsys):
    assert main(["evaluate", "2013", "tax_calculation", "filing_status=singel", "ct_agi=1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: input 'filing_status' must be one of") and "Traceback" not in err
    assert main(["evaluate", "2013", "tax_calculation", "ct_agi"]) == 1
    assert "expected key=value" in capsys.readouterr().err


def test_python_dash_m_engine_works_the_same():
    done = subprocess.run([sys.executable, "-m", "engine", "evaluate", "2013", "tax_calculation",
                           "filing_status=married_filing_jointly", "ct_agi=1100000", "--format", "json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outputs"]["initial_tax"] == "68800"


def test_every_command_is_listed_for_help_and_for_an_unknown_command(capsys):
    # the parser is built for the command about to run only; help and a mistyped command still see them all
    commands = ("evaluate", "validate", "lint", "diff", "new-year", "review", "docs", "plot", "coverage", "years",
                "worksheets", "batch", "serve")
    for argv in (["--help"], ["-h", "evaluate"], ["evalute", "2024"]):
        try:
            main(argv)
        except SystemExit:
            pass
        captured = capsys.readouterr()
        listed = (captured.out + captured.err).split("{", 1)[1].split("}", 1)[0] if argv != ["evalute", "2024"] else \
            captured.err.split("choose from", 1)[1]
        assert all(name in listed for name in commands), (argv, listed)
    for argv in (["batch", "--help"], ["serve", "--help"]):
        try:
            main(argv)
        except SystemExit as done:
            assert done.code == 0
        assert "usage: ctax " + argv[0] in capsys.readouterr().out


def test_a_known_command_builds_only_its_own_subparser():
    # a cold ``ctax evaluate`` does not pay for the other commands' arguments (issue 13's cold start)
    from engine.cli import build_parser

    def commands(parser):
        return [name for action in parser._subparsers._group_actions for name in action.choices]

    assert commands(build_parser("evaluate")) == ["evaluate"]
    assert commands(build_parser("worksheets")) == ["worksheets"]
    assert len(commands(build_parser(None))) == 13
    assert len(commands(build_parser("batch"))) == 13  # batch and serve live in their own packages
