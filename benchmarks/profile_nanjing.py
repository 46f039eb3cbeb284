"""Where the time of scoring the Nanjing framework goes (a diagnostic, not a benchmark).

    python benchmarks/profile_nanjing.py

1. cProfile of ``framework.score(prepared)`` on the 2024 inputs: what surrounds the
   generated evaluator (grade, Result, properties) and which runtime helpers it calls.
2. Experiments on the generated evaluator: the same source with one thing changed at a
   time (done here, on a copy of ``framework.python_source``; perfrules is not touched),
   timed against the unchanged source and the hand-written scorer. An experiment whose
   pattern no longer matches the generated code is reported as "n/a".
3. The pieces of ``Framework.score`` around the evaluator, timed one by one.
"""

from __future__ import annotations

import cProfile
import decimal
import io
import pstats
import re
import sys
import timeit
from collections.abc import Callable
from decimal import ROUND_HALF_UP
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import handwritten_nanjing  # noqa: E402
import perfrules  # noqa: E402
from perfrules import runtime  # noqa: E402

FRAMEWORK_DIR = HERE.parent / "frameworks" / "nanjing-2024"


def best_us(stmt: str, namespace: dict, number: int = 20000, repeat: int = 7) -> float:
    return min(timeit.Timer(stmt, globals=namespace).repeat(repeat, number)) / number * 1e6


def _no_facts(source: str) -> str:
    source = re.sub(r"f(\d+) = \('(met|missed|cutoff|judged|band)',[^)]*\)", r"f\1 = None", source)
    source = re.sub(r"f(\d+) = \('(short|met|within|outside|beyond|deduct)', [^)]*\)",
                    r"f\1 = None", source)
    source = re.sub(r"; g(\d+) = \('ratio', r\)", "", source)
    source = re.sub(r"f(\d+) = \('parts'.*", r"f\1 = None", source)
    return re.sub(r"; f(\d+) = \('awards', w, h\)", r"; f\1 = None", source)


def _inline_rounded_clamp(source: str) -> str:
    source = re.sub(
        r"r = rounded\((.*)\)\n(\s+)(q\d+) = clamp\(r, (K\[\d+\])\)",
        r"r = (\1).quantize(CENT, ROUND_HALF_UP)\n\2\3 = r if r <= \4 else \4",
        source,
    )
    return re.sub(
        r"(\s+)(s\d+) = clamp\(([^,]+), (K\[\d+\])\)",
        r"\1\2 = \3\1if \2 > \4: \2 = \4",
        source,
    )


def _no_na(source: str) -> str:
    return re.sub(
        r"    if NA and \d+ in NA:\n        s\d+ = NA\[\d+\]; f\d+ = None\n    else:\n",
        "    if True:\n",
        source,
    )


EXPERIMENTS: dict[str, Callable[[str], str]] = {
    "constants K[n] -> global names K_n": lambda s: re.sub(r"K\[(\d+)\]", r"K_\1", s),
    "no facts tuples (explanations lost)": _no_facts,
    "rounded()/clamp() written inline": _inline_rounded_clamp,
    "awards_highest() skipped when no awards": lambda s: re.sub(
        r"w, h = awards_highest\((I\[\d+\]), (K\[\d+\])\)",
        r"w, h = awards_highest(\1, \2) if \1 else (ZERO, ())",
        s,
    ),
    "no per-node not-applicable test (an NA-free function)": lambda s: _no_na(s),
}
EXPERIMENTS["the last three together"] = lambda s: _no_na(
    EXPERIMENTS["awards_highest() skipped when no awards"](_inline_rounded_clamp(s))
)


def main() -> int:
    framework = perfrules.load(FRAMEWORK_DIR)
    prepared = framework.prepare(perfrules.read_inputs(FRAMEWORK_DIR / "inputs-2024.yaml"))
    valid = prepared.valid
    evaluator = framework._evaluator
    args = (prepared.slots, prepared.judged, prepared.adjusted, prepared.replaced)

    # 1. cProfile of score(prepared)
    profiler = cProfile.Profile()
    score = framework.score
    profiler.enable()
    for _ in range(30000):
        score(prepared)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
    print("cProfile: framework.score(prepared) × 30000, by own time")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])

    # 2. experiments on the generated source
    extra = {"CENT": runtime.CENT, "ROUND_HALF_UP": ROUND_HALF_UP}
    extra |= {f"K_{i}": value for i, value in enumerate(evaluator.constants)}
    expected = evaluator_output(evaluator.function, args)
    variants = {"generated (unchanged)": evaluator.python_source}
    for name, change in EXPERIMENTS.items():
        changed = change(evaluator.python_source)
        variants[name] = changed if changed != evaluator.python_source else None
    namespace = {"lc": decimal.localcontext, "ctx": runtime.CONTEXT, "args": args}
    timings: dict[str, list[float]] = {name: [] for name in variants}
    hand_ns = {"hand": handwritten_nanjing.score, "v": valid.values, "j": valid.judgements,
               "a": valid.adjustments}
    timings["hand-written"] = []
    functions = {}
    for name, source in variants.items():
        if source is None:
            continue
        scope = {"__builtins__": {}, "K": evaluator.constants, **runtime.EXPORTED, **extra}
        exec(compile(source, f"<experiment {name}>", "exec"), scope)  # noqa: S102
        function = scope["evaluate"]
        assert evaluator_output(function, args)[0] == expected[0], name
        functions[name] = function
    for _ in range(25):  # interleaved rounds, short: the best round misses the noise
        for name, function in functions.items():
            timings[name].append(best_us("with lc(ctx): f(*args)", namespace | {"f": function},
                                         number=3000, repeat=1))
        timings["hand-written"].append(best_us("hand(v, j, a)", hand_ns, number=3000, repeat=1))
    base = min(timings["generated (unchanged)"])
    print("\nThe bare evaluator (in the decimal context), one change at a time, 2024 inputs:")
    for name in [*variants, "hand-written"]:
        if name in variants and variants[name] is None:
            print(f"  {name:56}      n/a (pattern not found)")
            continue
        us = min(timings[name])
        print(f"  {name:56} {us:6.2f} µs  ({us - base:+.2f})")

    # 3. the pieces of Framework.score around the evaluator
    from decimal import Decimal

    pieces = {
        "framework.score(prepared)": "fw.score(p)",
        "  bare evaluator in localcontext": "with lc(ctx): ev(*args)",
        "  framework.codes (rebuilt per call)": "fw.codes",
        "  framework._grade(total, values)": "fw._grade(total, p.valid.values)",
        "  framework.prepare(prepared) (returns it)": "fw.prepare(p)",
        "score(prepared) with codes computed once": "fw_cached.score(p)",
    }
    codes = framework.codes

    class CachedCodes(perfrules.Framework):  # the experiment: codes as a stored tuple
        @property
        def codes(self) -> tuple[str, ...]:
            return codes

    scope = {"fw_cached": CachedCodes(framework._checked, evaluator), "fw": framework,
             "p": prepared, "lc": decimal.localcontext, "ctx": runtime.CONTEXT,
             "ev": evaluator.function, "args": args, "total": Decimal("99.00")}
    print("\nframework.score(prepared) and its parts (µs per call, best of 7):")
    for label, stmt in pieces.items():
        print(f"  {label:44} {best_us(stmt, scope):6.2f}")
    return 0


def evaluator_output(function: Callable, args: tuple) -> tuple:
    with decimal.localcontext(runtime.CONTEXT):
        return function(*args)


if __name__ == "__main__":
    sys.exit(main())
