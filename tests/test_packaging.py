"""The built wheel: its contents, and a clean install that scores Nanjing outside the checkout."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NANJING = ROOT / "frameworks" / "nanjing-2024"

#: pip's messages when it cannot reach an index or find a dependency there.
_NO_INDEX = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Failed to establish a new connection",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Max retries exceeded",
    "ProxyError",
)


def clean_env() -> dict[str, str]:
    """The environment without anything that would let the checkout shadow the installed copy."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONIOENCODING"] = "utf-8"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def pip(python: str | Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run pip under ``python``; the caller checks the outcome."""
    return subprocess.run(
        [str(python), "-m", "pip", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", errors="replace", cwd=cwd,
        env=clean_env(), timeout=600, check=False,
    )


def skip_if_no_index(done: subprocess.CompletedProcess[str], what: str) -> None:
    """Skip (with pip's words) when pip failed for want of an index; fail on any other error."""
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    if any(words in output for words in _NO_INDEX):
        pytest.skip(f"{what}: pip cannot reach a package index ({output.strip().splitlines()[-1]})")
    pytest.fail(f"{what} failed:\n{output}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the checkout by pip (hatchling backend)."""
    out = tmp_path_factory.mktemp("wheelhouse")
    # With hatchling already installed, build without isolation: no index needed for the backend.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    done = pip(sys.executable, "wheel", ROOT, "--no-deps", *isolation, "-w", out, cwd=out)
    skip_if_no_index(done, "building the wheel")
    (built,) = out.glob("perfrules-*.whl")
    return built


def test_wheel_contains_grammar_and_marker(wheel: Path) -> None:
    """The wheel ships the grammar as package data and the py.typed marker."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "perfrules/grammars/perfrules.lark" in names
    assert "perfrules/py.typed" in names
    assert "perfrules/__init__.py" in names and "perfrules/cli.py" in names
    grammar = zipfile.ZipFile(wheel).read("perfrules/grammars/perfrules.lark").decode("utf-8")
    assert grammar == (ROOT / "grammars" / "perfrules.lark").read_text(encoding="utf-8")


def test_wheel_metadata(wheel: Path) -> None:
    """The wheel declares its runtime dependencies and the `perfrules` console script."""
    archive = zipfile.ZipFile(wheel)
    dist_info = next(
        n.split("/")[0] for n in archive.namelist() if n.endswith(".dist-info/METADATA")
    )
    metadata = archive.read(f"{dist_info}/METADATA").decode("utf-8")
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    for dependency in ("lark", "attrs", "PyYAML"):
        assert any(dependency.lower() in line.lower() and "extra ==" not in line
                   for line in requires), dependency
    assert not any("hypothesis" in line and "extra ==" not in line for line in requires)
    entry_points = archive.read(f"{dist_info}/entry_points.txt").decode("utf-8")
    assert "perfrules = perfrules.cli:main" in entry_points


def test_installed_wheel_scores_nanjing(wheel: Path, tmp_path: Path) -> None:
    """In a fresh venv, the installed wheel checks and scores Nanjing from outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300,
                   env=clean_env(), cwd=tmp_path, capture_output=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    # The dependencies (lark, attrs, PyYAML) come from the configured index.
    skip_if_no_index(pip(python, "install", wheel, cwd=tmp_path), "installing the wheel")

    work = tmp_path / "elsewhere"
    shutil.copytree(NANJING, work / "nanjing")
    env = clean_env()

    where = subprocess.run(
        [str(python), "-c", "import perfrules; print(perfrules.__file__)"],
        capture_output=True, text=True, encoding="utf-8", cwd=work, env=env, timeout=120,
        check=True,
    )
    installed_at = Path(where.stdout.strip()).resolve()
    assert venv.resolve() in installed_at.parents, installed_at
    assert ROOT not in installed_at.parents

    script = str(bin_dir / "perfrules")
    check = subprocess.run([script, "check", "nanjing"], capture_output=True, text=True,
                           encoding="utf-8", cwd=work, env=env, timeout=120, check=False)
    assert check.returncode == 0, check.stderr
    assert "0 error(s)" in check.stdout

    score = subprocess.run(
        [script, "score", "nanjing", "nanjing/inputs-2024.yaml", "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", cwd=work, env=env, timeout=120,
        check=False,
    )
    assert score.returncode == 0, score.stderr
    data = json.loads(score.stdout)
    assert data["total"] == 99
    assert data["grade"] == "优秀"

    table = subprocess.run([script, "score", "nanjing", "nanjing/inputs-2024.yaml"],
                           capture_output=True, text=True, encoding="utf-8", cwd=work, env=env,
                           timeout=120, check=False)
    assert table.returncode == 0, table.stderr
    assert "未完成指标原因分析" in table.stdout
    assert "优秀" in table.stdout
