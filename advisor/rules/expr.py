"""A small, safe condition language for rules: parsed with `ast`, never `eval`-ed.

Grammar (a subset of Python expressions)::

    expr    := expr "and" expr | expr "or" expr | "not" expr | compare | "(" expr ")"
    compare := operand (("<" | "<=" | ">" | ">=" | "==" | "!=" | "in" | "not in") operand)+
    operand := FIELD | NUMBER | STRING | true/false/none | "[" literal, ... "]"
             | "abs(" operand ")" | "-" operand | operand ("+" | "-" | "*" | "/") operand

A comparison that involves an undefined statistic (None) is false, so a rule never fires
on a statistic the profile could not compute. Every field a condition reads is recorded as
evidence.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class _Undefined:
    """Propagates through arithmetic when a statistic is None; comparisons become false."""


_UNDEFINED = _Undefined()


_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b != 0 else _UNDEFINED,
}
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {"abs": abs}
_CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False}


class ExpressionError(ValueError):
    """The condition text is not in the rule language."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its source text, the fields it reads, and its syntax tree."""

    text: str
    fields: tuple[str, ...]
    tree: ast.Expression

    def evaluate(self, lookup: Callable[[str], Any]) -> bool:
        """True when the condition holds; ``lookup`` maps a field name to its value."""
        return bool(_Evaluator(lookup).visit(self.tree.body))


def parse_condition(text: str, known_fields: frozenset[str] | None = None) -> Condition:
    """Parse ``text``; raise ExpressionError naming the first unsupported construct."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("condition must be a non-empty string")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    fields: list[str] = []
    for node in ast.walk(tree):
        _check_node(node, text)
        if isinstance(node, ast.Name) and node.id not in _CONSTANTS and node.id not in _FUNCTIONS:
            if known_fields is not None and node.id not in known_fields:
                raise ExpressionError(f"unknown field {node.id!r} in {text!r}")
            if node.id not in fields:
                fields.append(node.id)
    return Condition(text=text.strip(), fields=tuple(fields), tree=tree)


_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Call,
    ast.BinOp,
    *_COMPARE,
    *_ARITHMETIC,
)


def _check_node(node: ast.AST, text: str) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExpressionError(f"{type(node).__name__} is not allowed in {text!r}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise ExpressionError(f"only abs(...) may be called in {text!r}")
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"abs takes one argument in {text!r}")
    if isinstance(node, ast.Constant) and not isinstance(
        node.value, (int, float, str, bool, type(None))
    ):
        raise ExpressionError(f"constant {node.value!r} is not allowed in {text!r}")


class _Evaluator(ast.NodeVisitor):
    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self.lookup = lookup

    def visit_BoolOp(self, node: ast.BoolOp) -> bool:
        if isinstance(node.op, ast.And):
            return all(self._truth(v) for v in node.values)
        return any(self._truth(v) for v in node.values)

    def _truth(self, node: ast.AST) -> bool:
        value = self.visit(node)
        return value is not _UNDEFINED and bool(value)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        if isinstance(node.op, ast.Not):
            return not self._truth(node.operand)
        value = self.visit(node.operand)
        return _UNDEFINED if value is _UNDEFINED or value is None else -value

    def visit_Compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if _undefined(left) or _undefined(right):
                if isinstance(op, (ast.Eq, ast.NotEq)) and (left is None or right is None):
                    if not _COMPARE[type(op)](left, right):
                        return False
                    left = right
                    continue
                return False
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False
            left = right
        return True

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.visit(node.left), self.visit(node.right)
        if _undefined(left) or _undefined(right):
            return _UNDEFINED
        try:
            return _ARITHMETIC[type(node.op)](left, right)
        except TypeError:
            return _UNDEFINED

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        value = self.lookup(node.id)
        return value

    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_List(self, node: ast.List) -> Any:
        return [self.visit(e) for e in node.elts]

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self.visit(e) for e in node.elts)

    def visit_Call(self, node: ast.Call) -> Any:
        assert isinstance(node.func, ast.Name)
        value = self.visit(node.args[0])
        if _undefined(value):
            return _UNDEFINED
        return _FUNCTIONS[node.func.id](value)

    def generic_visit(self, node: ast.AST) -> Any:
        raise ExpressionError(f"{type(node).__name__} is not allowed")


def _undefined(value: Any) -> bool:
    if value is None or value is _UNDEFINED:
        return True
    return isinstance(value, float) and math.isnan(value)
