"""The ``--where`` expressions: a small, safe language of conditions over a store's outcomes.

An expression is read with Python's own parser (:mod:`ast`) and then checked
node by node against a whitelist, so nothing in it is ever executed as code:
it can only name values, do arithmetic and compare.

Grammar (Python's precedence)::

    condition  := condition "or" condition | condition "and" condition | "not" condition
                | sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)+
    sum        := sum ("+" | "-") product | product
    product    := product ("*" | "/") unary | unary
    unary      := "-" unary | atom
    atom       := NUMBER | "STRING" | value | "abs(" sum ")" | "(" condition ")"
    value      := [ARM "."] NAME ["[" INTEGER "]"]

- ``NAME`` is a summary key of the runs (``total_revenue``,
  ``revenue_growth_last_3_years``) or a factor (``spoiledness``); ``NAME[i]``
  is year ``i`` of a yearly list, counted from 0 (``annual_revenue[-1]`` is
  the last year).
- ``ARM.NAME`` is that value in the run of arm ``ARM`` of the same world:
  ``hunter_farmer.annual_revenue[-1] < status_quo.annual_revenue[-1]``. An
  arm is named by the value of the crossed factor (``design.cross``, usually
  ``scenario``); with several, by their values joined with ``+``. An arm
  name that is not a Python name is written in backticks:
  ```my_scenarios/a.toml`.total_revenue``.
- ``STRING`` compares with a text factor: ``structure == "hunter_farmer"``.

An expression with any ``ARM.NAME`` is *paired*: it is evaluated once per
world (the runs that share the sampled values and the seed), and a bare
``NAME`` must then be a factor of the world. Otherwise it is evaluated once
per run.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgmodel.experiments.spec import ExperimentError

_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITH: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_BACKTICK = re.compile(r"`([^`]+)`")
_HELP = 'write e.g. "hunter_farmer.total_revenue < status_quo.total_revenue" or "revenue_growth_last_3_years < 0.03"'


class WhereError(ExperimentError):
    """A ``--where`` expression is not in the grammar or names something the store lacks; one line saying which."""


@dataclass(frozen=True)
class Term:
    """One value an expression reads.

    Attributes:
        arm: the arm (paired), or None for the run's or world's own value.
        name: a summary key or a factor.
        index: the year of a yearly list, or None.

    """

    arm: str | None
    name: str
    index: int | None = None

    @property
    def outcome(self) -> str:
        """The name as :meth:`orgmodel.experiments.Results.outcome` takes it (``annual_revenue[-1]``)."""
        return self.name if self.index is None else f"{self.name}[{self.index}]"

    def __str__(self) -> str:
        arm = "" if self.arm is None else (f"{self.arm}." if self.arm.isidentifier() else f"`{self.arm}`.")
        return arm + self.outcome


@dataclass(frozen=True)
class Where:
    """A parsed, checked expression.

    Attributes:
        text: the expression as written.
        tree: its checked syntax tree.
        terms: the values it reads, in order of appearance, each once.

    """

    text: str
    tree: ast.expr
    terms: tuple[Term, ...]

    @property
    def paired(self) -> bool:
        """Whether the expression compares arms world by world."""
        return any(t.arm is not None for t in self.terms)

    @property
    def arms(self) -> list[str]:
        """The arms it names, in order of appearance."""
        return list(dict.fromkeys(t.arm for t in self.terms if t.arm is not None))

    def evaluate(self, values: Mapping[Term, Any]) -> np.ndarray:
        """The expression's value for each case, given each term's values (arrays of one length).

        Comparisons with a missing value (NaN) are false; :func:`orgmodel.analysis.cases.cases`
        leaves out cases with a missing value before it gets here.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(_eval(self.tree, values, self._names))

    @property
    def _names(self) -> dict[str, str]:
        return dict(_arm_names(self.text)[1])


def _arm_names(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text with backtick-quoted arm names replaced by placeholders, and the placeholders' names."""
    names: list[tuple[str, str]] = []

    def swap(m: re.Match[str]) -> str:
        placeholder = f"__arm{len(names)}__"
        names.append((placeholder, m.group(1)))
        return placeholder

    return _BACKTICK.sub(swap, text), names


def parse(text: str) -> Where:
    """Parse and check an expression (see the module's grammar).

    Raises:
        WhereError: one line naming what is not allowed.

    """
    if not text.strip():
        raise WhereError(f"--where is empty: {_HELP}")
    if text.count("`") % 2:
        raise WhereError("--where has an unmatched backtick: quote an arm name as `name`")
    source, placeholders = _arm_names(text)
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise WhereError(f"--where is not a valid expression ({exc.msg}): {_HELP}") from None
    terms: list[Term] = []
    kind = _check(tree, terms, dict(placeholders))
    if kind != "bool":
        raise WhereError(f"--where must be a condition (a comparison, or conditions joined by and/or), got {text.strip()!r}")
    return Where(text=text.strip(), tree=tree, terms=tuple(dict.fromkeys(terms)))


def _term(node: ast.expr, names: dict[str, str]) -> Term | None:
    """The term a Name, Attribute or Subscript node reads, or None if it is not one."""
    index = None
    if isinstance(node, ast.Subscript):
        sl = node.slice
        if isinstance(sl, ast.UnaryOp) and isinstance(sl.op, ast.USub) and isinstance(sl.operand, ast.Constant):
            raw: Any = -sl.operand.value if isinstance(sl.operand.value, int) else None
        else:
            raw = sl.value if isinstance(sl, ast.Constant) else None
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise WhereError(f"a year index must be a whole number, as in annual_revenue[-1]; got {ast.unparse(node)!r}")
        index, node = raw, node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            raise WhereError(f"`{names[node.id]}` is an arm: name one of its outcomes, e.g. `{names[node.id]}`.total_revenue")
        return Term(None, node.id, index)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return Term(names.get(node.value.id, node.value.id), node.attr, index)
    if index is not None:
        raise WhereError(f"only a summary key can take a year index, got {ast.unparse(node)!r}")
    return None


def _check(node: ast.expr, terms: list[Term], names: dict[str, str]) -> str:
    """Check a node against the grammar; return its kind: 'bool', 'number' or 'text'."""
    term = _term(node, names)
    if term is not None:
        terms.append(term)
        return "value"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float, str)):
            raise WhereError(f"only numbers and quoted text are allowed as constants, got {ast.unparse(node)!r}")
        return "text" if isinstance(node.value, str) else "number"
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            if _check(v, terms, names) != "bool":
                raise WhereError(f"'and'/'or' join conditions, got {ast.unparse(v)!r}")
        return "bool"
    if isinstance(node, ast.UnaryOp):
        kind = _check(node.operand, terms, names)
        if isinstance(node.op, ast.Not) and kind == "bool":
            return "bool"
        if isinstance(node.op, (ast.USub, ast.UAdd)) and kind in ("number", "value"):
            return "number"
        raise WhereError(f"{ast.unparse(node)!r} is not allowed: 'not' takes a condition, '-' a number")
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ARITH:
            raise WhereError(f"only + - * / are allowed in arithmetic, got {ast.unparse(node)!r}")
        for side in (node.left, node.right):
            if _check(side, terms, names) not in ("number", "value"):
                raise WhereError(f"arithmetic needs numbers, got {ast.unparse(side)!r}")
        return "number"
    if isinstance(node, ast.Compare):
        kinds = [_check(x, terms, names) for x in (node.left, *node.comparators)]
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise WhereError(f"only < <= > >= == != compare, got {ast.unparse(node)!r}")
        if "bool" in kinds:
            raise WhereError(f"cannot compare a condition, got {ast.unparse(node)!r}; join conditions with and/or")
        if "text" in kinds and not all(type(op) in (ast.Eq, ast.NotEq) for op in node.ops):
            raise WhereError(f"text compares with == or != only, got {ast.unparse(node)!r}")
        return "bool"
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id == "abs" and len(node.args) == 1 and not node.keywords):
            raise WhereError(f"the only function is abs(x), got {ast.unparse(node)!r}")
        if _check(node.args[0], terms, names) not in ("number", "value"):
            raise WhereError(f"abs() takes a number, got {ast.unparse(node.args[0])!r}")
        return "number"
    raise WhereError(f"{ast.unparse(node)!r} is not allowed in --where: {_HELP}")


def _eval(node: ast.expr, values: Mapping[Term, Any], names: dict[str, str]) -> Any:
    term = _term(node, names)
    if term is not None:
        return values[term]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BoolOp):
        parts = [np.asarray(_eval(v, values, names), dtype=bool) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        out = parts[0]
        for p in parts[1:]:
            out = combine(out, p)
        return out
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, names)
        if isinstance(node.op, ast.Not):
            return np.logical_not(operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](_eval(node.left, values, names), _eval(node.right, values, names))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values, names)
        out: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, values, names)
            out = np.logical_and(out, _COMPARE[type(op)](left, right))
            left = right
        return out
    if isinstance(node, ast.Call):
        return np.abs(_eval(node.args[0], values, names))
    raise WhereError(f"{ast.unparse(node)!r} is not allowed in --where")  # unreachable after parse()


__all__ = ["Term", "Where", "WhereError", "parse"]
