"""Parses rule-file expressions once (with simpleeval's parser) and compiles them to closures.

Only a small, safe part of Python's expression syntax is accepted: numbers, text, names of
inputs, earlier lines and tables, calls of the whitelisted functions and tables, arithmetic
(+ - * /), comparisons, and/or/not and ``a if condition else b``. Attribute access, subscripts,
powers, comprehensions, lambdas and keyword arguments are refused when the rules load, so a
rule file can never reach Python internals or spend unbounded time. Numbers are exact Decimals.
"""
from __future__ import annotations

import ast
import itertools
import operator
import warnings
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any, Callable, Iterator

import simpleeval

from engine.errors import EvaluationError, did_you_mean
from engine.lang.functions import FUNCTIONS
from engine.model.tables import Table

MAX_EXPRESSION_LENGTH = 2000
MAX_NODES = 400
MAX_NUMBER_CHARACTERS = 40
MAX_MAGNITUDE = 20  # a constant's size: below 10**21 and not smaller than 10**-20

Closure = Callable[[dict, "list | None"], Any]

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
           ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
           ast.MatMult: "@"}


class ExpressionProblem(Exception):
    """An expression is not acceptable; the message is a plain sentence.

    ``messages`` lists each problem on its own (several unknown names give one each); it is empty
    when the only fault is a name of a file that failed to load, which is reported at that file.
    """

    def __init__(self, message: str, messages: list[str] | None = None):
        super().__init__(message)
        self.messages = [message] if messages is None else messages


@dataclass
class Scope:
    """The names an expression may use, and the later lines it must not."""

    values: set[str]
    tables: dict[str, Table]
    later: dict[str, str] = field(default_factory=dict)  # later line id -> its printed line number
    itself: str | None = None
    functions: dict = field(default_factory=lambda: FUNCTIONS)
    broken: frozenset[str] = frozenset()  # tables whose file failed to load: known to exist, not usable
    kinds: dict[str, str] = field(default_factory=dict)  # name -> kind of its value, where known (see KINDS)

    def all_names(self) -> Iterator[str]:
        """Every name in scope, unsorted (did_you_mean picks deterministically): no sort per unknown name."""
        return itertools.chain(self.values, self.tables, self.functions, self.later)


@dataclass
class Compiled:
    """A compiled expression: call ``run(env, recorder)``; ``reads`` lists the values it uses and
    ``kind`` is the kind of its result when it is known before running (one of KINDS), else None."""

    text: str
    run: Closure
    reads: tuple[str, ...]
    tables: tuple[str, ...]
    kind: str | None = None


# What an expression's result is, where the parts say so before any input is known. Text and lists
# never take part in arithmetic: 'x' * n (n built from booleans, a line or an input) would build a
# string or list of any size, so both are refused when the rules load and again when a line runs.
KINDS = ("number", "boolean", "text", "date", "list")
_NOT_ARITHMETIC = (str, bytes, list, tuple, dict)
_PLAIN_NUMBERS = frozenset({Decimal, int, bool})  # the usual operands: one set lookup, no isinstance


def _no_sequences(left: Any, right: Any, text: str) -> None:
    if isinstance(left, _NOT_ARITHMETIC) or isinstance(right, _NOT_ARITHMETIC):
        raise EvaluationError(f"text or a list cannot be used in arithmetic in '{text}'")


class UnknownName(ExpressionProblem):
    """An expression uses a name its scope does not have."""


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


class _Compiler:
    def __init__(self, text: str, scope: Scope):
        self.text = text
        self.scope = scope
        self.reads: list[str] = []
        self.tables: list[str] = []

    def kind(self, node: ast.AST) -> str | None:
        """The kind (one of KINDS) of ``node``'s value when its form alone says it, else None."""
        if isinstance(node, ast.Constant):
            value = node.value
            return ("boolean" if isinstance(value, bool) else "text" if isinstance(value, str)
                    else "number" if isinstance(value, (int, float)) else None)
        if isinstance(node, ast.Name):
            return self.scope.kinds.get(node.id)
        if isinstance(node, (ast.Tuple, ast.List)):
            return "list"
        if isinstance(node, ast.BinOp):
            return "number"
        if isinstance(node, ast.UnaryOp):
            return "boolean" if isinstance(node.op, ast.Not) else "number"
        if isinstance(node, (ast.BoolOp, ast.Compare)):
            return "boolean"
        if isinstance(node, ast.IfExp):
            body, orelse = self.kind(node.body), self.kind(node.orelse)
            return body if body == orelse else None
        return None

    def compile(self, node: ast.AST) -> Closure:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExpressionProblem(self._refusal(node))
        return method(node)

    def _refusal(self, node: ast.AST) -> str:
        kind = type(node).__name__
        reasons = {
            "Attribute": "attribute access (x.y) is not allowed",
            "Subscript": "subscripts (x[...]) are not allowed",
            "Lambda": "lambda is not allowed",
            "ListComp": "comprehensions are not allowed", "SetComp": "comprehensions are not allowed",
            "DictComp": "comprehensions are not allowed", "GeneratorExp": "comprehensions are not allowed",
            "NamedExpr": "assignment (:=) is not allowed", "JoinedStr": "f-strings are not allowed",
            "Starred": "* unpacking is not allowed", "Dict": "dictionaries are not allowed",
            "Set": "sets are not allowed", "Await": "await is not allowed", "Yield": "yield is not allowed",
        }
        return reasons.get(kind, f"{kind} is not allowed in an expression")

    def _Constant(self, node: ast.Constant) -> Closure:
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return lambda env, rec, value=value: value
        if isinstance(value, (int, float)):
            raw = ast.get_source_segment(self.text.strip(), node) or repr(value)
            if len(raw) > MAX_NUMBER_CHARACTERS:
                raise ExpressionProblem(f"number {raw[:20]}... is too long")
            number = Decimal(raw.replace("_", ""))
            if not number.is_finite() or (number and abs(number.adjusted()) > MAX_MAGNITUDE):
                # keeps every product of a few terms far inside Decimal's exact range
                raise ExpressionProblem(f"number {raw} is out of range (more than {MAX_MAGNITUDE} digits)")
            return lambda env, rec, number=number: number
        raise ExpressionProblem(f"constant {value!r} is not allowed")

    def _Name(self, node: ast.Name) -> Closure:
        name = node.id  # True and False parse as constants, never as names
        if name in self.scope.values:
            if name not in self.reads:
                self.reads.append(name)
            return lambda env, rec: env[name]
        if name in self.scope.tables and self.scope.tables[name].arity == 0:
            return self._table_call(self.scope.tables[name], [])
        if name in self.scope.tables or name in self.scope.functions:
            raise ExpressionProblem(f"'{name}' must be called with arguments, as {name}(...)")
        raise _unknown(name, self.scope)

    def _Tuple(self, node: ast.Tuple) -> Closure:
        items = [self.compile(e) for e in node.elts]
        return lambda env, rec: tuple(item(env, rec) for item in items)

    _List = _Tuple

    def _UnaryOp(self, node: ast.UnaryOp) -> Closure:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda env, rec: -operand(env, rec)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env, rec: not operand(env, rec)
        raise ExpressionProblem("operator ~ is not allowed")

    def _BinOp(self, node: ast.BinOp) -> Closure:
        function = _BINARY.get(type(node.op))
        if function is None:
            raise ExpressionProblem(f"operator {_SYMBOL.get(type(node.op), '?')} is not allowed; use + - * /")
        for side in (node.left, node.right):
            kind = self.kind(side)
            if kind in ("text", "list"):
                # 'x' * 10**9 would build a huge string: text never takes part in arithmetic
                raise ExpressionProblem("text cannot be used in arithmetic" if kind == "text"
                                        else "a list cannot be used in arithmetic")
        left, right = self.compile(node.left), self.compile(node.right)
        text = self.text
        if isinstance(node.op, ast.Div):
            def divide(env, rec):
                denominator = right(env, rec)  # first, as before: traces list the table rows in this order
                numerator = left(env, rec)
                _no_sequences(numerator, denominator, text)
                if denominator == 0:
                    raise EvaluationError(f"division by zero in '{text}'")
                return numerator / denominator
            return divide

        def arithmetic(env, rec):
            a, b = left(env, rec), right(env, rec)
            if a.__class__ not in _PLAIN_NUMBERS or b.__class__ not in _PLAIN_NUMBERS:
                _no_sequences(a, b, text)  # a value whose kind was not known when the rules loaded
            return function(a, b)
        return arithmetic

    def _BoolOp(self, node: ast.BoolOp) -> Closure:
        parts = [self.compile(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda env, rec: all(p(env, rec) for p in parts)
        return lambda env, rec: any(p(env, rec) for p in parts)

    def _Compare(self, node: ast.Compare) -> Closure:
        first = self.compile(node.left)
        steps = [(_COMPARE[type(op)], self.compile(c)) for op, c in zip(node.ops, node.comparators)
                 if type(op) in _COMPARE]
        if len(steps) != len(node.ops):
            raise ExpressionProblem("'is' comparisons are not allowed; use == or !=")

        def compare(env, rec):
            left = first(env, rec)
            for function, comparator in steps:
                right = comparator(env, rec)
                if not function(left, right):
                    return False
                left = right
            return True
        return compare

    def _IfExp(self, node: ast.IfExp) -> Closure:
        test, body, orelse = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
        return lambda env, rec: body(env, rec) if test(env, rec) else orelse(env, rec)

    def _Call(self, node: ast.Call) -> Closure:
        if not isinstance(node.func, ast.Name):
            raise ExpressionProblem("only named functions and tables can be called")
        if node.keywords:
            raise ExpressionProblem("keyword arguments are not allowed")
        name = node.func.id
        args = [self.compile(a) for a in node.args]
        if name in self.scope.tables:
            return self._table_call(self.scope.tables[name], args)
        if name in self.scope.functions:
            function, low, high, _ = self.scope.functions[name]
            if not low <= len(args) <= high:
                expected = str(low) if low == high else f"{low} to {high}"
                raise ExpressionProblem(f"{name}() takes {expected} argument(s), not {len(args)}")
            return lambda env, rec: function(*(a(env, rec) for a in args))
        if name in self.scope.values:
            raise ExpressionProblem(f"'{name}' is a value, not a function or table")
        raise _unknown(name, self.scope)

    def _table_call(self, table: Table, args: list[Closure]) -> Closure:
        if len(args) != table.arity:
            shape = {0: f"{table.name}", 1: f"{table.name}(filing_status)" if table.by_status else f"{table.name}(amount)",
                     2: f"{table.name}(filing_status, amount)"}[table.arity]
            raise ExpressionProblem(f"table '{table.name}' is used as {shape}; it was given {len(args)} argument(s)")
        if table.name not in self.tables:
            self.tables.append(table.name)
        lookup = table.lookup
        if table.arity == 0:
            def call(env, rec):
                value, match = lookup(None, None)
                if rec is not None:
                    rec.append(match)
                return value
        elif table.arity == 1 and table.by_status:
            status_of = args[0]

            def call(env, rec):
                value, match = lookup(status_of(env, rec), None)
                if rec is not None:
                    rec.append(match)
                return value
        else:
            status_of = args[0] if table.by_status else (lambda env, rec: None)
            amount_of = args[-1]

            def call(env, rec):
                value, match = lookup(status_of(env, rec), amount_of(env, rec))
                if rec is not None:
                    rec.append(match)
                return value
        return call


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


def compile_expression(text: str, scope: Scope) -> Compiled:
    """Parse and compile ``text`` once; raises ExpressionProblem with a plain sentence."""
    tree = parse(text)
    compiler = _Compiler(text, scope)
    try:
        closure = compiler.compile(tree)
    except UnknownName:
        _check_names(tree, scope)  # report every unknown name, not the first only
        raise
    kind = compiler.kind(tree)

    def run(env: dict, rec: list | None) -> Any:
        try:
            return closure(env, rec)
        except EvaluationError:
            raise
        except (TypeError, InvalidOperation, DivisionByZero, KeyError, ArithmeticError) as error:
            raise EvaluationError(f"cannot compute '{text}': {error}") from None

    return Compiled(text, run, tuple(compiler.reads), tuple(compiler.tables), kind)
