"""Builds worksheets from schema-valid rule documents: input specs, lines compiled against the
names in scope, checks, and the links of steps to their worksheets (no cycles, bounded depth);
every problem is located in the file."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal

from engine.errors import CtaxError, Problem, did_you_mean
from engine.lang.expressions import Expression, ExpressionProblem, Scope, check
from engine.lang.registry import FUNCTIONS
from engine.loading.documents import Document
from engine.model.inputs import Fill, InputSpec
from engine.model.source import Source
from engine.model.status import FILING_STATUSES
from engine.model.tables import Table
from engine.model.worksheet import Check, Line, Worksheet


def _input_spec(doc: Document, name: str, data: dict, problems: list[Problem]) -> InputSpec:
    path = ("inputs", name)
    minimum = data.get("minimum")
    maximum = data.get("maximum")
    # 'optional: true' and 'default: null' say the same thing: the input may be left out and is then None
    optional = bool(data.get("optional", False))
    description = data.get("description")
    spec = InputSpec(name, data["type"], data["label"], "default" in data or optional, None,
                     tuple(data.get("choices", ())),
                     None if minimum is None else Decimal(minimum), None if maximum is None else Decimal(maximum),
                     description=description.strip() if isinstance(description, str) else None)
    if optional and "default" in data:
        problems.append(doc.problem(path + ("optional",), f"input '{name}' has both 'optional: true' and a "
                                                          f"'default'; give one (optional: true means no value)",
                                    key=True))
    if spec.type == "choice" and not spec.choices:
        problems.append(doc.problem(path, f"input '{name}' is a choice but lists no 'choices'"))
    if data.get("default") is not None:
        try:
            spec = replace(spec, default=spec.coerce(data["default"]))
        except CtaxError as error:
            problems.append(doc.problem(path + ("default",), f"default of input '{name}' is not valid: {error}"))
    return spec


def _report(doc: Document, where: tuple, prefix: str, problem: ExpressionProblem, problems: list[Problem]) -> None:
    """One located problem per message of ``problem`` (none when its cause is reported in another file)."""
    problems.extend(doc.problem(where, f"{prefix}: {message}") for message in problem.messages)


def _reused_line_numbers(doc: Document, entries: list[dict]) -> list[Problem]:
    """Printed line numbers are unique within a worksheet, so 'Line 7' names one line. The line right
    after a line may repeat its number: a question the form asks about that line (Form CT-W4P's Line 14
    is followed by 'Is Line 14 $1,000 or more?')."""
    problems = []
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        number = str(entry["line"])
        if number in first and str(entries[index - 1]["line"]) != number:
            problems.append(doc.problem(("lines", index, "line"), f"line {number} ({entry['id']}) repeats the "
                                        f"printed number of line {number} ({entries[first[number]]['id']}); "
                                        f"each printed line number names one line (7a, 7b for parts)"))
        first.setdefault(number, index)
    return problems


def _step_inputs(doc: Document, named: str, step: dict, path: tuple, known: set[str],
                 compile_at: Callable[[str, tuple], Expression | None],
                 problems: list[Problem]) -> dict[str, Expression]:
    """A step's inputs: each name in ``pass`` passed on as itself (``a`` meaning ``a: a``), then each
    ``inputs`` entry as an expression over this worksheet. A passed name must be an input or an earlier line."""
    texts: dict[str, tuple[str, tuple]] = {}
    given = step.get("inputs", {})
    for index, name in enumerate(step.get("pass", ())):
        where = path + ("pass", index)
        if name in given:
            problems.append(doc.problem(where, f"{named}: '{name}' is both passed and in "
                                               f"'inputs'; give it once"))
        elif name not in known:
            problems.append(doc.problem(where, f"{named}: cannot pass '{name}': it is not an "
                                               f"input or an earlier line of this worksheet"
                                               f"{did_you_mean(name, sorted(known))}"))
        else:
            texts[name] = (name, where)
    texts.update({name: (text, path + ("inputs", name)) for name, text in given.items()})
    return {name: c for name, (text, where) in texts.items() if (c := compile_at(text, where)) is not None}


def _step_entry_path(step: dict, name: str) -> tuple:
    """Where in a step's data the input ``name`` is given: its 'inputs' key, or its place in 'pass'."""
    passed = step.get("pass", [])
    if name not in step.get("inputs", {}) and name in passed:
        return ("pass", passed.index(name))
    return ("inputs", name)


# The kind of value (engine.lang.typed.KINDS) each input type gives an expression.
_INPUT_KINDS = {"money": "number", "number": "number", "integer": "number", "boolean": "boolean",
                "filing_status": "text", "choice": "text", "date": "date"}


def build_worksheet(doc: Document, tables: Mapping[str, Table], year: int,
                    broken: frozenset[str] = frozenset(), *, steps: Mapping[str, Worksheet] | None = None,
                    draft: bool = False) -> tuple[Worksheet, list[Problem]]:
    """Compile a schema-valid worksheet document; every problem is located in the file.

    ``broken`` names the tables whose files failed to load: a use of one is not reported again here.
    ``steps`` holds the worksheets its steps run, already built (see step_order); a step whose worksheet
    is not there (unknown, or in a cycle: check_steps reports it) has no target. ``draft``: the year's
    files still carry review markers.
    """
    data = doc.data
    problems: list[Problem] = []
    inputs = {name: _input_spec(doc, name, spec, problems) for name, spec in data["inputs"].items()}
    kinds = {name: _INPUT_KINDS[spec.type] for name, spec in inputs.items() if spec.type in _INPUT_KINDS}
    choices = {name: FILING_STATUSES if spec.type == "filing_status" else spec.choices
               for name, spec in inputs.items() if spec.type in ("filing_status", "choice")}
    for name in inputs:
        if name in tables or name in FUNCTIONS:
            problems.append(doc.problem(("inputs", name), f"input '{name}' has the same name as a "
                                                          f"{'table' if name in tables else 'function'}", key=True))
    for name, spec_data in data["inputs"].items():
        if "required_if" in spec_data:
            scope = Scope(values=set(inputs) - {name}, tables=tables, itself=name, broken=broken, kinds=kinds,
                          choices=choices)
            try:
                inputs[name] = replace(inputs[name], required_if=check(spec_data["required_if"], scope))
            except ExpressionProblem as problem:
                _report(doc, ("inputs", name, "required_if"), f"required_if of input '{name}'", problem, problems)

    all_lines = {entry["id"]: str(entry["line"]) for entry in data["lines"]}
    known = set(inputs)
    lines: list[Line] = []
    for index, entry in enumerate(data["lines"]):
        path = ("lines", index)
        line_id = entry["id"]
        if line_id in known or line_id in tables or line_id in FUNCTIONS:
            what = "an input" if line_id in inputs else "an earlier line" if line_id in known else \
                "a table" if line_id in tables else "a function"
            problems.append(doc.problem(path + ("id",), f"line id '{line_id}' is already used by {what}"))
        later = {k: v for k, v in all_lines.items() if k not in known and k != line_id}
        scope = Scope(values=set(known), tables=tables, later=later, itself=line_id, broken=broken, kinds=kinds,
                      choices=choices)
        where = path + ("expression",) if "expression" in entry else path + ("step",)
        row, column = doc.where(where)
        named = f"line {entry['line']} ({line_id})"

        def compile_at(text: str, where: tuple, scope: Scope = scope, named: str = named) -> Expression | None:
            try:
                return check(text, scope)
            except ExpressionProblem as problem:
                _report(doc, where, named, problem, problems)
                return None

        expression, step_inputs, step = None, {}, entry.get("step", {})
        if "expression" in entry:
            expression = compile_at(entry["expression"], path + ("expression",))
            if expression is not None and expression.kind is not None:
                kinds[line_id] = expression.kind
        else:
            step_inputs = _step_inputs(doc, named, step, path + ("step",), known, compile_at, problems)
        lines.append(Line(line_id, str(entry["line"]), entry["label"], Source.required(entry["source"]),
                          entry.get("round", "none"), bool(entry.get("output", False)), expression,
                          step.get("worksheet"), step_inputs, step.get("output"),
                          (steps or {}).get(step["worksheet"]) if step else None, entry.get("note"),
                          f"{doc.file}:{row}:{column}"))
        known.add(line_id)

    checks = []
    for index, entry in enumerate(data.get("checks", [])):
        rejects_inputs = bool(entry.get("rejects_inputs", False))
        scope = Scope(values=set(inputs) if rejects_inputs else set(known), tables=tables, broken=broken, kinds=kinds,
                      choices=choices)
        try:
            checks.append(Check(entry["id"], entry["label"], Source.required(entry["source"]),
                                check(entry["expression"], scope), rejects_inputs))
        except ExpressionProblem as problem:
            _report(doc, ("checks", index, "expression"), f"check {entry['id']}", problem, problems)
    problems.extend(_reused_line_numbers(doc, data["lines"]))
    if not any(line.output for line in lines):
        problems.append(doc.problem(("lines",), "no line is marked 'output: true'; a worksheet needs an output"))
    worksheet = Worksheet(data["worksheet"], data["title"], data.get("form"), Source.required(data["source"]),
                          inputs, lines, checks, doc.file, year, draft)
    return worksheet, problems


def step_order(documents: Mapping[str, Document]) -> list[str]:
    """The worksheets' names in an order that builds each after the worksheets its steps run (leaves
    first). A cycle is cut where it closes (check_steps reports it), so every name appears once."""
    order: list[str] = []
    seen: set[str] = set()
    for root in sorted(documents):
        if root in seen:
            continue
        stack = [(root, iter(_step_targets(documents[root])))]
        seen.add(root)
        while stack:
            name, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                order.append(name)
                stack.pop()
            elif target in documents and target not in seen:
                seen.add(target)
                stack.append((target, iter(_step_targets(documents[target]))))
    return order


def _step_targets(doc: Document) -> list[str]:
    return [entry["step"]["worksheet"] for entry in doc.data["lines"] if "step" in entry]


def check_steps(worksheets: dict[str, Worksheet], documents: dict[str, Document],
                broken: frozenset[str] = frozenset()) -> list[Problem]:
    """Check each step against its worksheet (known, its inputs and output), and refuse cycles.

    A step to a worksheet in ``broken`` (its file failed to load, reported there) is not reported again.
    """
    problems: list[Problem] = []
    for worksheet in worksheets.values():
        doc = documents[worksheet.name]
        for index, line in enumerate(worksheet.lines):
            if line.step_worksheet is None:
                continue
            path = ("lines", index, "step")
            target = worksheets.get(line.step_worksheet)
            if target is None and line.step_worksheet in broken:
                continue
            if target is None:
                hint = did_you_mean(line.step_worksheet, worksheets)
                problems.append(doc.problem(path + ("worksheet",), f"line {line.line} uses unknown worksheet "
                                                                   f"'{line.step_worksheet}'{hint}"))
                continue
            step = doc.data["lines"][index]["step"]
            for name in line.step_inputs:
                if name not in target.inputs:
                    where = _step_entry_path(step, name)
                    problems.append(doc.problem(path + where, f"line {line.line}: worksheet "
                                                f"'{target.name}' has no input '{name}'", key=where[0] == "inputs"))
            given_at = path + next(((key,) for key in ("inputs", "pass") if key in step), ())
            for name, spec in target.inputs.items():
                if spec.fill is Fill.REQUIRED and name not in line.step_inputs:
                    problems.append(doc.problem(given_at, f"line {line.line}: worksheet '{target.name}' "
                                                          f"needs input '{name}'"))
            if line.step_output not in target.outputs:
                problems.append(doc.problem(path + ("output",), f"line {line.line}: worksheet '{target.name}' has "
                                                                f"no output '{line.step_output}'; outputs: "
                                                                f"{', '.join(target.outputs)}"))
    cycles = _cycles(worksheets, documents)
    problems.extend(cycles or _step_bounds(worksheets, documents))
    return problems


def _cycles(worksheets: dict[str, Worksheet], documents: dict[str, Document]) -> list[Problem]:
    """Every step cycle, located at the step that closes it. Iterative: a chain of thousands of
    worksheets must give a located error (see _step_bounds), not a RecursionError."""
    edges = {name: [(i, step_line.step_worksheet) for i, step_line in enumerate(w.lines)
                    if step_line.step_worksheet in worksheets]
             for name, w in worksheets.items()}
    problems, state = [], {}
    for root in sorted(worksheets):
        if root in state:
            continue
        state[root] = "open"
        trail, stack = [root], [iter(edges[root])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[trail.pop()] = "done"
                stack.pop()
                continue
            index, target = step
            if state.get(target) == "open":
                cycle = trail[trail.index(target):] + [target]
                problems.append(documents[trail[-1]].problem(("lines", index, "step", "worksheet"),
                                                             "worksheet cycle: " + " -> ".join(cycle)))
            elif target not in state:
                state[target] = "open"
                trail.append(target)
                stack.append(iter(edges[target]))
    return problems


MAX_STEP_DEPTH = 40  # worksheets nested through steps; the shipped rules nest 3 deep
MAX_LINES_PER_EVALUATION = 20_000  # lines one evaluation runs, steps counted in full; the shipped rules run under 40


def _step_bounds(worksheets: dict[str, Worksheet], documents: dict[str, Document]) -> list[Problem]:
    """Refuse step chains nested deeper than MAX_STEP_DEPTH, and worksheets whose steps fan out to
    more than MAX_LINES_PER_EVALUATION lines (6 worksheets of 30 steps each ran 30**6 lines).
    The step graph has no cycle here; worksheets are visited leaves first, without recursion."""
    depth: dict[str, int] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for root in sorted(worksheets):
        stack = [root]
        while stack:
            name = stack[-1]
            if name in depth:
                stack.pop()
                continue
            targets = [step_line.step_worksheet for step_line in worksheets[name].lines
                       if step_line.step_worksheet in worksheets]
            pending = [t for t in targets if t not in depth]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            depth[name] = 1 + max((depth[t] for t in targets), default=0)
            lines[name] = sum(1 + (lines[step_line.step_worksheet] if step_line.step_worksheet in worksheets else 0)
                              for step_line in worksheets[name].lines)
    for name, sheet in sorted(worksheets.items()):
        steps = [(i, step_line, step_line.step_worksheet) for i, step_line in enumerate(sheet.lines)
                 if step_line.step_worksheet in worksheets]
        if not steps:
            continue
        index, deepest, _ = max(steps, key=lambda s: (depth[s[2]], lines[s[2]]))
        where = ("lines", index, "step", "worksheet")
        if depth[name] > MAX_STEP_DEPTH:
            problems.append(documents[name].problem(where, f"steps nest {depth[name]} worksheets deep through "
                                                           f"'{deepest.step_worksheet}'; at most {MAX_STEP_DEPTH}"))
        elif lines[name] > MAX_LINES_PER_EVALUATION:
            index, heaviest, _ = max(steps, key=lambda s: lines[s[2]])
            problems.append(documents[name].problem(("lines", index, "step", "worksheet"),
                                                    f"one evaluation of '{name}' would run {lines[name]:,} lines "
                                                    f"through its steps (most through '{heaviest.step_worksheet}'); "
                                                    f"at most {MAX_LINES_PER_EVALUATION:,}"))
    return problems
