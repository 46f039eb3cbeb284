"""The public API: exported names, import layering, loading and scoring entry points."""

from __future__ import annotations

import ast as pyast
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "perfrules"
NANJING = ROOT / "frameworks" / "nanjing-2024"
RULES = NANJING / "framework.rules"
INPUTS = NANJING / "inputs-2024.yaml"

#: The documented public names (perfrules/__init__.py); a change here is an API change.
PUBLIC_NAMES = [
    "Diagnostic",
    "EvaluationError",
    "Framework",
    "FrameworkCheckError",
    "InputError",
    "InputProblem",
    "NodeResult",
    "PerfrulesError",
    "PreparedUnit",
    "Reason",
    "Result",
    "RuleFileError",
    "RuleSyntaxError",
    "Span",
    "UnitInputs",
    "__version__",
    "ast",
    "diagnose",
    "diagnose_file",
    "load",
    "loads",
    "parse",
    "read_inputs",
]

#: The pipeline's stages: a module may import only modules of a strictly lower stage.
#: errors/source ← ast ← syntax ← build/unparse ← check ← (inputs, compile, explain) ← framework
#: ← (api, report) ← cli. result and runtime are plain data/helpers with no perfrules imports.
STAGES = {
    "source": 0,
    "runtime": 0,
    "result": 0,
    "errors": 1,
    "ast": 2,
    "syntax": 3,
    "build": 4,
    "unparse": 4,  # the inverse of build: AST to text (uses syntax's terminals)
    "phrases": 4,  # official 评价要点 phrases to rules: a second grammar, beside build
    "render": 4,  # rules to official phrases: the inverse of phrases
    "bounds": 4,  # static score intervals: reads the AST, mirrors the runtime
    "check": 5,
    "inputs": 6,
    "compile": 6,
    "explain": 6,
    "framework": 7,
    "diff": 8,  # structural diff and impact analysis: reads framework, inputs, ast
    "api": 8,
    "importer": 8,  # `perfrules import`: table files to rule text (reads framework, unparse, phrases)
    "report": 8,
    "diff_report": 8.5,  # diff's table, JSON, HTML and command: reads diff and api
    "publish": 8,  # the published table (md, html, xlsx, csv): report's sibling
    "cli": 9,
    "testing": 9,  # hypothesis strategies for users: reads the public API, never imported by it
    "casetest": 8.5,  # `perfrules test`: case files, runner, branch coverage (reads the public API)
    "pytest_plugin": 10,  # collects cases.yaml files as pytest items (loaded by pytest only)
    "__init__": 10,
}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(perfrules modules, other top-level packages) that a module imports anywhere in its body."""
    tree = pyast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    internal: set[str] = set()
    external: set[str] = set()
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "perfrules":
                    if len(parts) > 1:
                        internal.add(parts[1])
                else:
                    external.add(parts[0])
        elif isinstance(node, pyast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and not module.startswith("perfrules"):
                external.add(module.split(".")[0])
                continue
            if node.level == 0:
                module = module.removeprefix("perfrules").lstrip(".")
            if module:
                internal.add(module.split(".")[0])
            else:  # from . import ast, build
                internal.update(alias.name for alias in node.names)
    return internal, external


def modules() -> dict[str, tuple[set[str], set[str]]]:
    """Every module of the package by name, with its imports."""
    return {path.stem: imports_of(path) for path in sorted(PACKAGE.glob("*.py"))}


# ------------------------------------------------------------------ public names


def test_all_is_the_documented_names() -> None:
    """`perfrules.__all__` is exactly the documented public names."""
    assert perfrules.__all__ == PUBLIC_NAMES


def test_all_is_sorted() -> None:
    """`__all__` is kept sorted, so additions are easy to review."""
    assert perfrules.__all__ == sorted(perfrules.__all__)


def test_every_public_name_resolves() -> None:
    """Every name in `__all__` is an attribute, and a star import binds exactly those names."""
    for name in perfrules.__all__:
        assert getattr(perfrules, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from perfrules import *", namespace)  # noqa: S102 - a fixed statement
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(perfrules.__all__)


def test_version_is_the_distribution_version() -> None:
    """`__version__` is the installed distribution's version string."""
    import importlib.metadata

    assert perfrules.__version__ == importlib.metadata.version("perfrules")


def test_errors_form_one_hierarchy() -> None:
    """Every perfrules error derives from PerfrulesError, and InputError is a ValueError."""
    for error in (perfrules.RuleFileError, perfrules.RuleSyntaxError,
                  perfrules.FrameworkCheckError, perfrules.InputError, perfrules.EvaluationError):
        assert issubclass(error, perfrules.PerfrulesError)
    assert issubclass(perfrules.RuleSyntaxError, perfrules.RuleFileError)
    assert issubclass(perfrules.FrameworkCheckError, perfrules.RuleFileError)
    assert issubclass(perfrules.InputError, ValueError)


def test_import_does_not_load_test_tools() -> None:
    """Importing perfrules (and its CLI) does not import hypothesis or pytest."""
    code = (
        "import sys, perfrules, perfrules.cli\n"
        "bad = sorted(m for m in ('hypothesis', 'pytest') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


# ------------------------------------------------------------------ layering


def test_every_module_has_a_stage() -> None:
    """Each module of the package is placed in the layering (a new module must be placed too)."""
    assert set(modules()) == set(STAGES)


@pytest.mark.parametrize("module", sorted(STAGES))
def test_no_module_imports_a_later_stage(module: str) -> None:
    """A module imports only modules of earlier stages of the pipeline, never later ones."""
    path = PACKAGE / f"{module}.py"
    if not path.exists():
        pytest.fail(f"perfrules/{module}.py is listed in STAGES but does not exist")
    internal, _ = imports_of(path)
    unknown = internal - set(STAGES)
    assert not unknown, f"{module} imports modules not in STAGES: {sorted(unknown)}"
    later = sorted(name for name in internal if STAGES[name] >= STAGES[module])
    assert not later, f"{module} (stage {STAGES[module]}) imports {later}"


def test_only_the_front_ends_import_lark() -> None:
    """lark stays behind the two front ends — syntax/build for rule files, phrases for
    评价要点 phrasings; nothing later depends on it."""
    users = sorted(name for name, (_, external) in modules().items() if "lark" in external)
    assert users == ["build", "phrases", "syntax"]


def test_runtime_is_imported_only_by_the_evaluator() -> None:
    """runtime (the generated code's arithmetic) is imported only by compile, framework,
    explain, and bounds, whose static intervals must round exactly as the evaluator does."""
    users = {name for name, (internal, _) in modules().items() if "runtime" in internal}
    assert users <= {"compile", "framework", "explain", "bounds"}
    assert "compile" in users


def test_imports_parser_handles_relative_forms(tmp_path: Path) -> None:
    """The import scanner sees `from . import x`, `from .x import y`, absolute and nested ones."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from . import ast, build\nfrom .check import check\nimport perfrules.api\n"
        "import lark\nfrom yaml import safe_load\n"
        "def f():\n    from .cli import main\n",
        encoding="utf-8",
    )
    internal, external = imports_of(sample)
    assert internal == {"ast", "build", "check", "api", "cli"}
    assert external == {"lark", "yaml"}


# ------------------------------------------------------------------ loading


@pytest.mark.parametrize("where", [NANJING, RULES, str(NANJING), str(RULES)],
                         ids=["dir-path", "file-path", "dir-str", "file-str"])
def test_load_accepts_folder_or_file(where: str | Path) -> None:
    """`perfrules.load` takes the folder holding framework.rules or the file, as str or Path."""
    framework = perfrules.load(where)
    assert isinstance(framework, perfrules.Framework)
    assert Path(framework.source_name).resolve() == RULES
    assert len(framework.codes) == 53


def test_loads_equals_load() -> None:
    """`loads` on the file's text gives the same framework as `load` on the file."""
    by_text = perfrules.loads(RULES.read_text(encoding="utf-8"), source=str(RULES))
    by_path = perfrules.load(RULES)
    assert by_text.codes == by_path.codes
    assert by_text.ast == by_path.ast


def test_load_missing_file_raises_rule_file_error(tmp_path: Path) -> None:
    """A missing rule file (or a folder without framework.rules) raises RuleFileError naming it."""
    with pytest.raises(perfrules.RuleFileError, match="framework.rules"):
        perfrules.load(tmp_path)
    with pytest.raises(perfrules.RuleFileError, match="nothing.rules"):
        perfrules.load(tmp_path / "nothing.rules")


def test_parse_and_diagnose() -> None:
    """`parse` gives the syntax tree; `diagnose` lists the Nanjing file's warnings, no errors."""
    tree = perfrules.parse(RULES.read_text(encoding="utf-8"))
    assert isinstance(tree, perfrules.ast.Framework)
    assert [node.code for node in tree.indicators] == ["A", "B", "C", "D", "E", "F"]
    diagnostics = perfrules.diagnose(RULES.read_text(encoding="utf-8"))
    assert diagnostics and not any(d.is_error for d in diagnostics)
    source, from_file = perfrules.diagnose_file(NANJING)
    assert source.name == str(RULES)
    assert [d.code for d in from_file] == [d.code for d in diagnostics]


def test_loads_raises_for_syntax_errors() -> None:
    """Text outside the language raises RuleSyntaxError with the diagnostic's position."""
    with pytest.raises(perfrules.RuleSyntaxError) as caught:
        perfrules.loads('framework "x" {\n  year 2024\n}\nA "a" 10 {\n  A1 "b" 10 { full if }\n}\n',
                        source="t.rules")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (5, 23)


# ------------------------------------------------------------------ scoring entry points


def summary(result: perfrules.Result) -> dict[str, object]:
    """Every node's score and the total and grade, for comparing results."""
    return {"total": result.total, "grade": result.grade,
            **{code: result[code].score for code in result}}


def test_score_accepts_every_input_shape() -> None:
    """`Framework.score` takes a plain mapping, the file's shape, or UnitInputs, with one result."""
    framework = perfrules.load(NANJING)
    unit_inputs = perfrules.read_inputs(INPUTS)
    assert isinstance(unit_inputs, perfrules.UnitInputs)
    plain = dict(unit_inputs.values)
    file_shape = {
        "unit": unit_inputs.unit,
        "inputs": plain,
        "judgements": dict(unit_inputs.judgements),
        "adjustments": dict(unit_inputs.adjustments),
    }
    from_unit_inputs = framework.score(unit_inputs)
    from_file_shape = framework.score(file_shape)
    from_plain = framework.score(
        plain,
        judgements=dict(unit_inputs.judgements),
        adjustments=dict(unit_inputs.adjustments),
        unit=unit_inputs.unit,
    )
    prepared = framework.prepare(unit_inputs)
    assert isinstance(prepared, perfrules.PreparedUnit)
    from_prepared = framework.score(prepared)
    expected = summary(from_unit_inputs)
    assert expected["total"] == Decimal(99)
    for other in (from_file_shape, from_plain, from_prepared):
        assert summary(other) == expected
        assert other.unit == "南京市人民政府办公厅"
        assert other.to_dict() == from_unit_inputs.to_dict()


def test_plain_mapping_without_judgements_is_an_input_error() -> None:
    """A plain mapping without the judged indicators' scores raises InputError naming A41 and F2."""
    framework = perfrules.load(NANJING)
    values = dict(perfrules.read_inputs(INPUTS).values)
    with pytest.raises(perfrules.InputError) as caught:
        framework.score(values, unit="某单位")
    assert caught.value.unit == "某单位"
    assert {p.name for p in caught.value.problems} == {"A41", "F2"}


def test_results_are_deterministic() -> None:
    """Scoring the same unit twice, or with a freshly loaded framework, gives identical results."""
    first = perfrules.load(NANJING)
    second = perfrules.load(NANJING)
    data = perfrules.read_inputs(INPUTS)
    results = [first.score(data), first.score(data), second.score(data)]
    dicts = [r.to_dict() for r in results]
    assert dicts[0] == dicts[1] == dicts[2]
    assert first.python_source == second.python_source
    assert list(results[0]) == list(first.codes)


def test_json_output_independent_of_hash_seed() -> None:
    """The CLI's JSON is byte-identical across processes with different hash seeds."""
    outputs = []
    for seed in ("0", "1", "12345"):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.update(PYTHONHASHSEED=seed, PYTHONIOENCODING="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "perfrules.cli", "score", str(NANJING), str(INPUTS),
             "--format", "json"],
            capture_output=True, env=env, cwd=ROOT, timeout=120, check=False,
        )
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
