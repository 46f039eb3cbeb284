"""The only helpers that generated evaluators may call, and the decimal context they run in.

Everything here is pure arithmetic on Decimals and tuples: generated code gets exactly the
names in ``EXPORTED`` and no builtins.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

#: The arithmetic context of every evaluation: 50 significant digits (inputs have at most
#: 28 and literals at most 25, so sums and products stay exact), exact unless a division
#: does not terminate; traps make an impossible operation fail loudly.
CONTEXT = decimal.Context(
    prec=50,
    rounding=ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: Scores that come out of a division are rounded to this, half up.
CENT = Decimal("0.01")


_ONE = Decimal(1)


def rounded(value: Decimal) -> Decimal:
    """A division's result rounded to 0.01, half up, without trailing zeros (10, 5.6)."""
    result = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if result == result.to_integral_value():
        return result.quantize(_ONE)
    return result.normalize()


def clamp(value: Decimal, cap: Decimal) -> Decimal:
    """``value`` kept within [0, cap]."""
    if value < ZERO:
        return ZERO
    if value > cap:
        return cap
    return value


def steps_full(distance: Decimal, size: Decimal) -> Decimal:
    """Whole steps of ``size`` in ``distance`` (floor)."""
    return (distance / size).to_integral_value(rounding=ROUND_FLOOR)


def steps_started(distance: Decimal, size: Decimal) -> Decimal:
    """Started steps (ceil), and at least one: the bound was missed."""
    steps = (distance / size).to_integral_value(rounding=ROUND_CEILING)
    return steps if steps > ZERO else Decimal(1)


def steps_pro_rata(distance: Decimal, size: Decimal) -> Decimal:
    """Steps as a fraction (linear)."""
    return distance / size


def absolute(value: Decimal | int) -> Decimal | int:
    """|value| for Decimals and whole counts alike (generated code has no builtins)."""
    return -value if value < 0 else value


def occurrences(flag: bool) -> Decimal:
    return Decimal(1) if flag else ZERO


def awards_highest(
    entries: Sequence[tuple[str, str]], points: dict[str, Decimal]
) -> tuple[Decimal, tuple[tuple[str, str, Decimal, bool], ...]]:
    """Per work item only its best award counts; items add up.

    Returns the sum and, per entry, (item, award, points, counted).
    """
    if not entries:
        return ZERO, ()
    best: dict[str, tuple[Decimal, int]] = {}
    for position, (item, award) in enumerate(entries):
        value = points.get(award, ZERO)
        if item not in best or value > best[item][0]:
            best[item] = (value, position)
    counted = {position for _, position in best.values()}
    total = sum((value for value, _ in best.values()), ZERO)
    detail = tuple(
        (item, award, points.get(award, ZERO), position in counted)
        for position, (item, award) in enumerate(entries)
    )
    return total, detail


def awards_all(
    entries: Sequence[tuple[str, str]], points: dict[str, Decimal]
) -> tuple[Decimal, tuple[tuple[str, str, Decimal, bool], ...]]:
    """Every award adds."""
    if not entries:
        return ZERO, ()
    detail = tuple((item, award, points.get(award, ZERO), True) for item, award in entries)
    return sum((p for _, _, p, _ in detail), ZERO), detail


def rescaled_sum(
    scores: Sequence[Decimal | None], caps: Sequence[Decimal], cap: Decimal
) -> tuple[Decimal | None, bool]:
    """Children's sum with not-applicable (None) children excluded and the rest rescaled.

    Returns (score, rescaled); score is None when every child is excluded.
    """
    applicable = [(s, c) for s, c in zip(scores, caps, strict=True) if s is not None]
    if not applicable:
        return None, False
    total = sum((s for s, _ in applicable), ZERO)
    if len(applicable) == len(caps):
        return total, False
    applicable_caps = sum((c for _, c in applicable), ZERO)
    if applicable_caps == ZERO:
        return ZERO, True
    return rounded(total * cap / applicable_caps), True


def minimum(values: Sequence[Decimal]) -> Decimal:
    smallest = values[0]
    for value in values[1:]:
        if value < smallest:
            smallest = value
    return smallest


def maximum(values: Sequence[Decimal]) -> Decimal:
    largest = values[0]
    for value in values[1:]:
        if value > largest:
            largest = value
    return largest


EXPORTED = {
    f.__name__: f
    for f in (
        rounded,
        clamp,
        steps_full,
        steps_started,
        steps_pro_rata,
        absolute,
        occurrences,
        awards_highest,
        awards_all,
        rescaled_sum,
        minimum,
        maximum,
    )
} | {"ZERO": ZERO, "HUNDRED": HUNDRED}
