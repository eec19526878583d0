"""A tiny, safe arithmetic language for validation rules: `women + men <= total * 2`.

Numbers (ASCII or Bengali digits, with a decimal point), names (field keys),
`+ - * /`, unary minus and parentheses; nothing else. The text is tokenised and
parsed by hand into a small tree of tuples, then evaluated with Decimal
arithmetic: no eval(), no attribute access, no calls, bounded length and depth.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from daptar.lib.numerals import to_ascii_digits

MAX_LENGTH = 300
MAX_DEPTH = 30
# Rules compare figures that came out of a division: 10/3*3 must still equal 10.
COMPARE_PLACES = Decimal("1e-9")

COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

Node = tuple  # ("num", Decimal) | ("name", str) | ("neg", Node) | (op, Node, Node)

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


class ExpressionError(ValueError):
    """The text is not an expression of this language (the message says where)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    source = to_ascii_digits(text).rstrip()
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:  # pragma: no cover - the pattern's last branch takes any character
            break
        number, name, other = match.groups()
        if number is not None:
            tokens.append(("num", number))
        elif name is not None:
            tokens.append(("name", name))
        elif other in "+-*/()":
            tokens.append(("op", other))
        else:
            raise ExpressionError(f"unexpected character {other!r}")
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError("the expression ends too early")
        self.at += 1
        return token

    def expression(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token in (("op", "+"), ("op", "-")):
            self.take()
            node = (token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while (token := self.peek()) is not None and token in (("op", "*"), ("op", "/")):
            self.take()
            node = (token[1], node, self.factor())
        return node

    def factor(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply")
        kind, value = self.take()
        if kind == "num":
            node: Node = ("num", Decimal(value))
        elif kind == "name":
            node = ("name", value)
        elif value in "+-":
            inner = self.factor()
            node = ("neg", inner) if value == "-" else inner
        elif value == "(":
            node = self.expression()
            if self.take() != ("op", ")"):
                raise ExpressionError("a bracket is not closed")
        else:
            raise ExpressionError(f"unexpected {value!r}")
        self.depth -= 1
        return node


def parse(text: str) -> Node:
    """The expression's tree; ExpressionError when *text* is not a valid expression."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    tokens = _tokens(text)
    if not tokens:
        raise ExpressionError("the expression is empty")
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return node


def names(node: Node) -> set[str]:
    """Every name the expression reads."""
    kind = node[0]
    if kind == "num":
        return set()
    if kind == "name":
        return {node[1]}
    if kind == "neg":
        return names(node[1])
    return names(node[1]) | names(node[2])


def evaluate(node: Node, values: Mapping[str, Decimal]) -> Decimal:
    """The expression's value; KeyError for an unknown name, ArithmeticError for x/0."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        return values[node[1]]
    if kind == "neg":
        return -evaluate(node[1], values)
    left, right = evaluate(node[1], values), evaluate(node[2], values)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    if right == 0:
        raise ZeroDivisionError("division by zero")
    return left / right


def compare(left: Decimal, op: str, right: Decimal) -> bool:
    """`left op right` after rounding both sides to nine decimal places."""
    try:
        a, b = left.quantize(COMPARE_PLACES), right.quantize(COMPARE_PLACES)
    except InvalidOperation:  # too many digits to round: compare as they are
        a, b = left, right
    return COMPARISONS[op](a, b)
