"""The Nanjing 2024 framework scored by hand: the yardstick for perfrules' generated evaluator.

This is what a competent programmer would write for this one framework with no rule
language at all: every rule of ``frameworks/nanjing-2024/framework.rules`` written out
directly as Decimal arithmetic, constants hoisted to module level, nothing interpreted.
It uses the same arithmetic as perfrules (the same decimal context: 28 digits, half-up
rounding, traps on invalid operations; divisions rounded to 0.01 half up; steps counted
per full step), so it must produce exactly the same scores — ``benchmarks/run.py``
checks that before it times anything.

It takes already-validated inputs, as perfrules' evaluator does:

* ``values``: input name → coerced value (``PreparedUnit.valid.values``): bools, Decimals
  (percent inputs in percentage points), and the awards as ``(item, award)`` pairs;
* ``judgements`` and ``adjustments``: code → an object with a ``score`` (Decimal)
  (``PreparedUnit.valid.judgements`` / ``.adjustments``).

The Nanjing framework states no 不适用 policy (validation rejects 不适用 marks) and no
vetoes, so neither appears here. Every node may be adjusted, and an adjusted score is what
its parent adds up.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CONTEXT = decimal.Context(
    prec=28,
    rounding=ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO = Decimal(0)
HALF = Decimal("0.5")
ONE = Decimal(1)
TWO = Decimal(2)
TWO_AND_A_HALF = Decimal("2.5")
THREE = Decimal(3)
FIVE = Decimal(5)
TEN = Decimal(10)
THIRTY = Decimal(30)
SIXTY = Decimal(60)
EIGHTY = Decimal(80)
NINETY = Decimal(90)
NINETY_FIVE = Decimal(95)
NINETY_NINE = Decimal(99)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

#: F1: 受到国务院嘉奖加 3 分，省级嘉奖加 2 分，市级考核一等奖加 1 分，二等奖加 0.5 分.
AWARD_POINTS = {
    "国务院嘉奖": THREE,
    "省级嘉奖": TWO,
    "市级考核一等奖": ONE,
    "市级考核二等奖": HALF,
}

localcontext = decimal.localcontext


def score(
    values: Mapping[str, Any], judgements: Mapping[str, Any], adjustments: Mapping[str, Any]
) -> tuple[dict[str, Decimal], Decimal, str]:
    """Every indicator's score (tree order), the total and the grade of one unit."""
    v = values
    adj = adjustments
    with localcontext(CONTEXT):
        # ---------------------------------------------------------------- A 部门决策 15
        A11 = TWO if v["decision_system_complete"] else ZERO
        if "A11" in adj:
            A11 = adj["A11"].score
        A12 = TWO if v["decision_process_sound"] else ZERO
        if "A12" in adj:
            A12 = adj["A12"].score
        A13 = TWO if v["decision_supervision"] else ZERO
        if "A13" in adj:
            A13 = adj["A13"].score
        A1 = A11 + A12 + A13
        if "A1" in adj:
            A1 = adj["A1"].score

        A21 = ONE if v["long_term_plan_clear"] else ZERO
        if "A21" in adj:
            A21 = adj["A21"].score
        A22 = ONE if v["long_term_plan_matches"] else ZERO
        if "A22" in adj:
            A22 = adj["A22"].score
        A2 = A21 + A22
        if "A2" in adj:
            A2 = adj["A2"].score

        A31 = ONE if v["annual_plan_exists"] else ZERO
        if "A31" in adj:
            A31 = adj["A31"].score
        A32 = ONE if v["annual_plan_matches"] else ZERO
        if "A32" in adj:
            A32 = adj["A32"].score
        A3 = A31 + A32
        if "A3" in adj:
            A3 = adj["A3"].score

        A41 = judgements["A41"].score
        if "A41" in adj:
            A41 = adj["A41"].score
        A42 = TWO_AND_A_HALF if v["budget_matches_priorities"] else ZERO
        if "A42" in adj:
            A42 = adj["A42"].score
        A4 = A41 + A42
        if "A4" in adj:
            A4 = adj["A4"].score

        A = A1 + A2 + A3 + A4
        if "A" in adj:
            A = adj["A"].score

        # ---------------------------------------------------------------- B 部门管理 20
        B11 = TWO if v["budget_execution_rate"] >= NINETY else ZERO
        if "B11" in adj:
            B11 = adj["B11"].score
        B12 = TWO if v["three_public_overspend"] <= ZERO else ZERO
        if "B12" in adj:
            B12 = adj["B12"].score
        B13 = TWO if v["budget_disclosed"] else ZERO
        if "B13" in adj:
            B13 = adj["B13"].score
        B1 = B11 + B12 + B13
        if "B1" in adj:
            B1 = adj["B1"].score

        B21 = TWO if v["finance_rules"] else ZERO
        if "B21" in adj:
            B21 = adj["B21"].score
        B22 = TWO if v["finance_rules_followed"] else ZERO
        if "B22" in adj:
            B22 = adj["B22"].score
        B2 = B21 + B22
        if "B2" in adj:
            B2 = adj["B2"].score

        B31 = ONE if v["asset_rules"] else ZERO
        if "B31" in adj:
            B31 = adj["B31"].score
        B32 = ONE if v["asset_rules_followed"] else ZERO
        if "B32" in adj:
            B32 = adj["B32"].score
        B3 = B31 + B32
        if "B3" in adj:
            B3 = adj["B3"].score

        B41 = ONE if v["procurement_rules"] else ZERO
        if "B41" in adj:
            B41 = adj["B41"].score
        B42 = ONE if v["procurement_rules_followed"] else ZERO
        if "B42" in adj:
            B42 = adj["B42"].score
        B4 = B41 + B42
        if "B4" in adj:
            B4 = adj["B4"].score

        B51 = ONE if v["internal_control_built"] else ZERO
        if "B51" in adj:
            B51 = adj["B51"].score
        B52 = ONE if v["internal_control_followed"] else ZERO
        if "B52" in adj:
            B52 = adj["B52"].score
        B53 = ONE if v["audit_report_issued"] else ZERO
        if "B53" in adj:
            B53 = adj["B53"].score
        B5 = B51 + B52 + B53
        if "B5" in adj:
            B5 = adj["B5"].score

        B61 = ONE if v["performance_system_built"] else ZERO
        if "B61" in adj:
            B61 = adj["B61"].score
        B62 = ONE if v["performance_reports_done"] else ZERO
        if "B62" in adj:
            B62 = adj["B62"].score
        B63 = ONE if v["performance_disclosed"] else ZERO
        if "B63" in adj:
            B63 = adj["B63"].score
        B6 = B61 + B62 + B63
        if "B6" in adj:
            B6 = adj["B6"].score

        B = B1 + B2 + B3 + B4 + B5 + B6
        if "B" in adj:
            B = adj["B"].score

        # ---------------------------------------------------------------- C 部门履职 30
        # At or above the bound: full; below 60%: 0; else 2 points off per full 5% short.
        rate = v["document_handling_rate"]
        if rate >= NINETY_NINE:
            C11 = TEN
        elif rate < SIXTY:
            C11 = ZERO
        else:
            C11 = TEN - (NINETY_NINE - rate) // FIVE * TWO
            if C11 < ZERO:
                C11 = ZERO
        if "C11" in adj:
            C11 = adj["C11"].score
        C1 = C11
        if "C1" in adj:
            C1 = adj["C1"].score

        rate = v["meeting_satisfaction"]
        if rate >= NINETY_FIVE:
            C21 = FIVE
        elif rate < SIXTY:
            C21 = ZERO
        else:
            C21 = FIVE - (NINETY_FIVE - rate) // FIVE * TWO
            if C21 < ZERO:
                C21 = ZERO
        if "C21" in adj:
            C21 = adj["C21"].score
        rate = v["research_satisfaction"]
        if rate >= NINETY:
            C22 = FIVE
        elif rate < SIXTY:
            C22 = ZERO
        else:
            C22 = FIVE - (NINETY - rate) // FIVE * TWO
            if C22 < ZERO:
                C22 = ZERO
        if "C22" in adj:
            C22 = adj["C22"].score
        C2 = C21 + C22
        if "C2" in adj:
            C2 = adj["C2"].score

        rate = v["supervision_completion_rate"]
        if rate >= NINETY:
            C31 = TEN
        elif rate < SIXTY:
            C31 = ZERO
        else:
            C31 = TEN - (NINETY - rate) // FIVE * TWO
            if C31 < ZERO:
                C31 = ZERO
        if "C31" in adj:
            C31 = adj["C31"].score
        C3 = C31
        if "C3" in adj:
            C3 = adj["C3"].score

        C = C1 + C2 + C3
        if "C" in adj:
            C = adj["C"].score

        # ---------------------------------------------------------------- D 履职绩效 30
        # Three parts of 10 points, each 10 × rate / benchmark rounded to 0.01, at most 10.
        emergency = (TEN * v["emergency_closure_rate"] / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        if emergency > TEN:
            emergency = TEN
        deputies = (TEN * v["deputy_satisfaction"] / NINETY_FIVE).quantize(CENT, ROUND_HALF_UP)
        if deputies > TEN:
            deputies = TEN
        cppcc = (TEN * v["cppcc_agreement_rate"] / NINETY_FIVE).quantize(CENT, ROUND_HALF_UP)
        if cppcc > TEN:
            cppcc = TEN
        D11 = emergency + deputies + cppcc
        if "D11" in adj:
            D11 = adj["D11"].score
        D1 = D11
        if "D1" in adj:
            D1 = adj["D1"].score
        D = D1
        if "D" in adj:
            D = adj["D"].score

        # ---------------------------------------------------------------- E 可持续发展能力 5
        E11 = FIVE if v["online_office_full_coverage"] else ZERO
        if "E11" in adj:
            E11 = adj["E11"].score
        E1 = E11
        if "E1" in adj:
            E1 = adj["E1"].score
        E = E1
        if "E" in adj:
            E = adj["E"].score

        # ---------------------------------------------------------------- F 加减分项 5
        # F1: per work item only its best award counts; items add up; at most 5.
        best: dict[str, Decimal] = {}
        for item, award in v["honours"]:
            points = AWARD_POINTS[award]
            if item not in best or points > best[item]:
                best[item] = points
        F1 = sum(best.values(), ZERO)
        if F1 > FIVE:
            F1 = FIVE
        if "F1" in adj:
            F1 = adj["F1"].score
        F2 = judgements["F2"].score  # a deduction
        if "F2" in adj:
            F2 = adj["F2"].score
        F = F1 - F2
        if "F" in adj:
            F = adj["F"].score

        # ---------------------------------------------------------------- total and grade
        total = A + B + C + D + E + F
        if total < ZERO:
            total = ZERO
        elif total > HUNDRED:
            total = HUNDRED
        if total >= NINETY:
            grade = "优秀"
        elif total >= EIGHTY:
            grade = "良好"
        elif total >= SIXTY:
            grade = "中"
        else:
            grade = "差"

    scores = {
        "A": A, "A1": A1, "A11": A11, "A12": A12, "A13": A13,
        "A2": A2, "A21": A21, "A22": A22, "A3": A3, "A31": A31, "A32": A32,
        "A4": A4, "A41": A41, "A42": A42,
        "B": B, "B1": B1, "B11": B11, "B12": B12, "B13": B13,
        "B2": B2, "B21": B21, "B22": B22, "B3": B3, "B31": B31, "B32": B32,
        "B4": B4, "B41": B41, "B42": B42, "B5": B5, "B51": B51, "B52": B52, "B53": B53,
        "B6": B6, "B61": B61, "B62": B62, "B63": B63,
        "C": C, "C1": C1, "C11": C11, "C2": C2, "C21": C21, "C22": C22, "C3": C3, "C31": C31,
        "D": D, "D1": D1, "D11": D11,
        "E": E, "E1": E1, "E11": E11,
        "F": F, "F1": F1, "F2": F2,
    }  # fmt: skip
    return scores, total, grade
