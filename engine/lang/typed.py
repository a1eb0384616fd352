"""The typed form of an expression: a small tree that both evaluators run.

The checker (``engine.lang.check``) builds it once, when the rules load, from the parsed text:
every name resolved (to an input or earlier line, a table or a function of the registry), every
node's kind known where the parts say it, arity and kinds checked. The scalar evaluator
(``engine.run.scalar``) turns it into closures over exact Decimals; the column evaluator
(``engine.run.column``) into numpy operations over scaled integers. Neither re-reads the text.

Kinds (``KINDS``): number, boolean, text, date, list, and "none" for the constant None (an
optional input compared with None). A kind of None means "not known before running".
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.lang.registry import Function

KINDS = ("number", "boolean", "text", "date", "list", "none")
Kind = str | None  # one of KINDS, or None: not known before running


@dataclass(frozen=True, eq=False)
class Node:
    """A node of the typed form; ``offset`` is where it starts in the expression's text (0-based)."""

    kind: Kind
    offset: int


@dataclass(frozen=True, eq=False)
class Constant(Node):
    """A number (a Decimal), true or false, a text or None, written in the expression."""

    value: Decimal | bool | str | None


@dataclass(frozen=True, eq=False)
class Name(Node):
    """An input or an earlier line; ``choices`` lists the values a text input can take (a filing
    status or a choice), where known."""

    name: str
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True, eq=False)
class Items(Node):
    """A tuple or list written in the expression: ('single', 'head_of_household')."""

    elements: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Negate(Node):
    """``-operand``: a number's negative."""

    operand: Node


@dataclass(frozen=True, eq=False)
class Not(Node):
    """``not operand``: true or false."""

    operand: Node


@dataclass(frozen=True, eq=False)
class Arithmetic(Node):
    """``left op right`` with op one of + - * /."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, eq=False)
class Compare(Node):
    """A chain ``a < b <= c``: ``ops[i]`` compares ``operands[i]`` with ``operands[i + 1]``.
    ops are ==, !=, <, <=, >, >=, in, not in."""

    ops: tuple[str, ...]
    operands: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Logic(Node):
    """``a and b and ...`` (op "and") or ``a or b or ...`` (op "or"); true or false, short-circuit."""

    op: str
    parts: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Choose(Node):
    """``body if test else orelse``: only the branch the test picks is evaluated."""

    test: Node
    body: Node
    orelse: Node


@dataclass(frozen=True, eq=False)
class Call(Node):
    """A function of the registry, with its exact (Decimal) and, where it has one, column meaning."""

    function: Function
    args: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Lookup(Node):
    """A table lookup: ``table(filing_status, amount)``, ``table(amount)``, ``table(filing_status)``
    or a plain ``table``. ``table`` is the model's Table (engine.model.tables)."""

    table: Any
    status: Node | None
    amount: Node | None


def walk(node: Node) -> list[Node]:
    """``node`` and every node below it, parents first."""
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (Negate, Not)):
        return (node.operand,)
    if isinstance(node, Arithmetic):
        return (node.left, node.right)
    if isinstance(node, Compare):
        return node.operands
    if isinstance(node, Logic):
        return node.parts
    if isinstance(node, Choose):
        return (node.test, node.body, node.orelse)
    if isinstance(node, (Call,)):
        return node.args
    if isinstance(node, Items):
        return node.elements
    if isinstance(node, Lookup):
        return tuple(n for n in (node.status, node.amount) if n is not None)
    return ()
