"""Parses rule-file expressions (with simpleeval's parser) and checks them into the typed form.

Only a small, safe part of Python's expression syntax is accepted: numbers, text, names of
inputs, earlier lines and tables, calls of the registry's functions and of tables, arithmetic
(+ - * /), comparisons, and/or/not and ``a if condition else b``. Attribute access, subscripts,
powers, comprehensions, lambdas and keyword arguments are refused when the rules load, so a
rule file can never reach Python internals or spend unbounded time. Numbers are exact Decimals.

The check also knows kinds (engine.lang.typed.KINDS): text and lists never take part in
arithmetic, the two branches of ``a if c else b`` give the same kind, only like kinds are
compared, and functions and tables get the kinds they take. A rule that breaks one of these is
refused when the rules load (``ctax validate``), not when some income reaches it.
"""
from __future__ import annotations

import ast
import itertools
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import simpleeval

from engine.errors import did_you_mean
from engine.lang import typed
from engine.lang.registry import FUNCTIONS, Function

MAX_EXPRESSION_LENGTH = 2000
MAX_NODES = 400
MAX_NUMBER_CHARACTERS = 40
MAX_MAGNITUDE = 20  # a constant's size: below 10**21 and not smaller than 10**-20

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
            ast.In: "in", ast.NotIn: "not in"}
_SYMBOL = {ast.Pow: "**", ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&",
           ast.BitOr: "|", ast.BitXor: "^", ast.MatMult: "@"}
_KIND_WORDS = {"number": "a number", "boolean": "a true/false value", "text": "text", "date": "a date",
               "list": "a list", "none": "None"}


def _word(kind: str | None) -> str:
    """A kind as a sentence names it."""
    return _KIND_WORDS.get(kind or "", "a value")


class ExpressionProblem(Exception):
    """An expression is not acceptable; the message is a plain sentence.

    ``messages`` lists each problem on its own (several unknown names give one each); it is empty
    when the only fault is a name of a file that failed to load, which is reported at that file.
    """

    def __init__(self, message: str, messages: list[str] | None = None):
        super().__init__(message)
        self.messages = [message] if messages is None else messages


class UnknownName(ExpressionProblem):
    """An expression uses a name its scope does not have."""


@dataclass
class Scope:
    """The names an expression may use, and the later lines it must not.

    ``tables`` maps a name to a table of the model: the check reads its ``name``, ``arity``,
    ``by_status`` and ``value_kind``. ``kinds`` gives the kind of a value where known, and
    ``choices`` the values a text input can take (filing statuses, a choice's list).
    """

    values: set[str]
    tables: Mapping[str, Any]
    later: dict[str, str] = field(default_factory=dict)  # later line id -> its printed line number
    itself: str | None = None
    functions: dict[str, Function] = field(default_factory=lambda: FUNCTIONS)
    broken: frozenset[str] = frozenset()  # tables whose file failed to load: known to exist, not usable
    kinds: dict[str, str] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def all_names(self) -> Iterator[str]:
        """Every name in scope, unsorted (did_you_mean picks deterministically): no sort per unknown name."""
        return itertools.chain(self.values, self.tables, self.functions, self.later)


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression: its text, its typed form, the values and tables it reads, its kind."""

    text: str
    node: typed.Node
    reads: tuple[str, ...]
    tables: tuple[str, ...]

    @property
    def kind(self) -> str | None:
        return self.node.kind


def _unknown(name: str, scope: Scope) -> ExpressionProblem:
    if name == scope.itself:
        return UnknownName(f"'{name}' refers to this line itself")
    if name in scope.later:
        return UnknownName(f"'{name}' is line {scope.later[name]}, which comes later; a line may use only "
                           f"inputs and earlier lines")
    return UnknownName(f"unknown name '{name}'{did_you_mean(name, scope.all_names())}")


def parse(text: str) -> ast.expr:
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionProblem(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", simpleeval.MultipleExpressions)
            warnings.simplefilter("error", SyntaxWarning)  # '1e20x' and the like: an error, not stderr noise
            statement = simpleeval.SimpleEval.parse(text)
    except simpleeval.MultipleExpressions:
        raise ExpressionProblem("only one expression is allowed") from None
    except SyntaxError as error:
        raise ExpressionProblem(f"syntax error: {error.msg}") from None
    except (simpleeval.InvalidExpression, ValueError, RecursionError, MemoryError) as error:
        raise ExpressionProblem(f"cannot parse expression: {error}") from None
    if not isinstance(statement, ast.Expr):
        raise ExpressionProblem("only an expression is allowed (no assignment, import or other statement)")
    if sum(1 for _ in ast.walk(statement)) > MAX_NODES:
        raise ExpressionProblem(f"expression is too complex (more than {MAX_NODES} parts)")
    return statement.value


_REFUSALS = {
    "Attribute": "attribute access (x.y) is not allowed",
    "Subscript": "subscripts (x[...]) are not allowed",
    "Lambda": "lambda is not allowed",
    "ListComp": "comprehensions are not allowed", "SetComp": "comprehensions are not allowed",
    "DictComp": "comprehensions are not allowed", "GeneratorExp": "comprehensions are not allowed",
    "NamedExpr": "assignment (:=) is not allowed", "JoinedStr": "f-strings are not allowed",
    "Starred": "* unpacking is not allowed", "Dict": "dictionaries are not allowed",
    "Set": "sets are not allowed", "Await": "await is not allowed", "Yield": "yield is not allowed",
}


class _Checker:
    def __init__(self, text: str, scope: Scope):
        self.text = text
        self.source = text.strip()
        self.scope = scope
        self.reads: list[str] = []
        self.tables: list[str] = []

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def check(self, node: ast.AST) -> typed.Node:
        method: Callable[[ast.AST], typed.Node] | None = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExpressionProblem(_REFUSALS.get(type(node).__name__, f"{type(node).__name__} is not allowed in an "
                                                                        f"expression"))
        return method(node)

    def offset(self, node: ast.AST) -> int:
        return getattr(node, "col_offset", 0)

    def want(self, part: typed.Node, node: ast.AST, kind: str, role: str) -> None:
        """Refuse ``part`` (written as ``node``) unless its kind is ``kind`` or not known before running."""
        if part.kind is not None and part.kind != kind:
            raise ExpressionProblem(f"{role} needs {_word(kind)}, but '{self.segment(node)}' is "
                                    f"{_word(part.kind)}")

    def _Constant(self, node: ast.Constant) -> typed.Node:
        value = node.value
        at = self.offset(node)
        if isinstance(value, bool):
            return typed.Constant("boolean", at, value)
        if value is None:
            return typed.Constant("none", at, None)
        if isinstance(value, str):
            return typed.Constant("text", at, value)
        if isinstance(value, (int, float)):
            raw = ast.get_source_segment(self.source, node) or repr(value)
            if len(raw) > MAX_NUMBER_CHARACTERS:
                raise ExpressionProblem(f"number {raw[:20]}... is too long")
            number = Decimal(raw.replace("_", ""))
            if not number.is_finite() or (number and abs(number.adjusted()) > MAX_MAGNITUDE):
                # keeps every product of a few terms far inside Decimal's exact range
                raise ExpressionProblem(f"number {raw} is out of range (more than {MAX_MAGNITUDE} digits)")
            return typed.Constant("number", at, number)
        raise ExpressionProblem(f"constant {value!r} is not allowed")

    def _Name(self, node: ast.Name) -> typed.Node:
        name = node.id  # True and False parse as constants, never as names
        if name in self.scope.values:
            if name not in self.reads:
                self.reads.append(name)
            return typed.Name(self.scope.kinds.get(name), self.offset(node), name, self.scope.choices.get(name))
        if name in self.scope.tables and self.scope.tables[name].arity == 0:
            return self._lookup(node, self.scope.tables[name], [], [])
        if name in self.scope.tables or name in self.scope.functions:
            raise ExpressionProblem(f"'{name}' must be called with arguments, as {name}(...)")
        raise _unknown(name, self.scope)

    def _Tuple(self, node: ast.Tuple | ast.List) -> typed.Node:
        return typed.Items("list", self.offset(node), tuple(self.check(e) for e in node.elts))

    _List = _Tuple

    def _UnaryOp(self, node: ast.UnaryOp) -> typed.Node:
        operand = self.check(node.operand)
        if isinstance(node.op, ast.UAdd):
            self.want(operand, node.operand, "number", "'+'")
            return operand
        if isinstance(node.op, ast.USub):
            self.want(operand, node.operand, "number", "'-'")
            return typed.Negate("number", self.offset(node), operand)
        if isinstance(node.op, ast.Not):
            return typed.Not("boolean", self.offset(node), operand)
        raise ExpressionProblem("operator ~ is not allowed")

    def _BinOp(self, node: ast.BinOp) -> typed.Node:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise ExpressionProblem(f"operator {_SYMBOL.get(type(node.op), '?')} is not allowed; use + - * /")
        left, right = self.check(node.left), self.check(node.right)
        for part, side in ((left, node.left), (right, node.right)):
            # 'x' * 10**9 would build a huge string: text never takes part in arithmetic, nor do
            # true/false values (True + True) or dates (days_between and add_days say what is meant)
            if part.kind is not None and part.kind != "number":
                raise ExpressionProblem(f"{_word(part.kind)} cannot be used in arithmetic: "
                                        f"'{self.segment(side)}' in '{self.segment(node)}'")
        return typed.Arithmetic("number", self.offset(node), op, left, right)

    def _BoolOp(self, node: ast.BoolOp) -> typed.Node:
        parts = tuple(self.check(v) for v in node.values)
        return typed.Logic("boolean", self.offset(node), "and" if isinstance(node.op, ast.And) else "or", parts)

    def _Compare(self, node: ast.Compare) -> typed.Node:
        ops: list[str] = []
        for written_op in node.ops:
            if type(written_op) not in _COMPARE:
                raise ExpressionProblem("'is' comparisons are not allowed; use == or !=")
            ops.append(_COMPARE[type(written_op)])
        written = [node.left, *node.comparators]
        operands = [self.check(part) for part in written]
        for op, (left, right), (left_node, right_node) in zip(ops, itertools.pairwise(operands),
                                                              itertools.pairwise(written)):
            if op in ("in", "not in"):
                self.want(right, right_node, "list", f"'{op}'")
                continue
            kinds = {left.kind, right.kind} - {None}
            if op in ("==", "!=") and "none" in kinds:
                continue  # an optional value compared with None
            if len(kinds) == 2:
                raise ExpressionProblem(f"'{self.segment(left_node)}' ({_word(left.kind)}) cannot be compared "
                                        f"with '{self.segment(right_node)}' ({_word(right.kind)})")
            if op not in ("==", "!=") and kinds & {"boolean", "list", "none"}:
                raise ExpressionProblem(f"'{op}' cannot order {_word(kinds.pop())}")
        return typed.Compare("boolean", self.offset(node), tuple(ops), tuple(operands))

    def _IfExp(self, node: ast.IfExp) -> typed.Node:
        test, body, orelse = self.check(node.test), self.check(node.body), self.check(node.orelse)
        kinds = {body.kind, orelse.kind} - {None, "none"}
        if len(kinds) == 2:
            raise ExpressionProblem(f"the two branches of '{self.segment(node)}' give different kinds of value: "
                                    f"'{self.segment(node.body)}' is {_word(body.kind)} and "
                                    f"'{self.segment(node.orelse)}' is {_word(orelse.kind)}")
        kind = body.kind if body.kind == orelse.kind else (kinds.pop() if kinds and None not in
                                                           (body.kind, orelse.kind) else None)
        return typed.Choose(kind, self.offset(node), test, body, orelse)

    def _Call(self, node: ast.Call) -> typed.Node:
        if not isinstance(node.func, ast.Name):
            raise ExpressionProblem("only named functions and tables can be called")
        if node.keywords:
            raise ExpressionProblem("keyword arguments are not allowed")
        name = node.func.id
        args = [self.check(a) for a in node.args]
        if name in self.scope.tables:
            return self._lookup(node, self.scope.tables[name], args, node.args)
        if name in self.scope.functions:
            function = self.scope.functions[name]
            if not function.low <= len(args) <= function.high:
                expected = str(function.low) if function.low == function.high else f"{function.low} to {function.high}"
                raise ExpressionProblem(f"{name}() takes {expected} argument(s), not {len(args)}")
            result = function.result
            if function.argument == "orderable":
                kinds = {a.kind for a in args} - {None}
                if len(kinds) > 1 or kinds - {"number", "date"}:
                    raise ExpressionProblem(f"{name}() needs all numbers or all dates, but its arguments are "
                                            f"{' and '.join(sorted(_word(k) for k in kinds))}")
                result = kinds.pop() if len(kinds) == 1 and None not in {a.kind for a in args} else None
            elif function.argument is not None:
                for part, written in zip(args, node.args):
                    if part.kind != "none":
                        self.want(part, written, function.argument, f"{name}()")
            return typed.Call(result, self.offset(node), function, tuple(args))
        if name in self.scope.values:
            raise ExpressionProblem(f"'{name}' is a value, not a function or table")
        raise _unknown(name, self.scope)

    def _lookup(self, node: ast.AST, table: Any, args: list[typed.Node], written: list[ast.expr]) -> typed.Node:
        if len(args) != table.arity:
            shape = {0: f"{table.name}",
                     1: f"{table.name}(filing_status)" if table.by_status else f"{table.name}(amount)",
                     2: f"{table.name}(filing_status, amount)"}[table.arity]
            raise ExpressionProblem(f"table '{table.name}' is used as {shape}; it was given {len(args)} argument(s)")
        if table.name not in self.tables:
            self.tables.append(table.name)
        status = args[0] if table.by_status else None
        amount = args[-1] if table.arity and table.kind != "scalar" else None
        if status is not None:
            self.want(status, written[0], "text", f"table '{table.name}' (a filing status)")
        if amount is not None:
            self.want(amount, written[-1], "number", f"table '{table.name}' (an amount)")
        return typed.Lookup(table.value_kind, self.offset(node), table, status, amount)


def _check_names(tree: ast.expr, scope: Scope) -> None:
    """Raise one ExpressionProblem naming every unknown name, in the order they are written."""
    known = scope.values | set(scope.tables) | set(scope.functions)
    names = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in known),
                   key=lambda n: (n.lineno, n.col_offset))
    unknown = list(dict.fromkeys(n.id for n in names))
    messages = [str(_unknown(name, scope)) for name in unknown if name not in scope.broken]
    if unknown:
        cause = "; ".join(messages) or f"uses {', '.join(unknown)}, whose file failed to load"
        raise ExpressionProblem(cause, messages)


def check(text: str, scope: Scope) -> Expression:
    """Parse ``text`` and check it into the typed form; raises ExpressionProblem with a plain sentence."""
    tree = parse(text)
    checker = _Checker(text, scope)
    try:
        node = checker.check(tree)
    except UnknownName:
        _check_names(tree, scope)  # report every unknown name, not the first only
        raise
    return Expression(text, node, tuple(checker.reads), tuple(checker.tables))
