"""pytest plugin: a framework's ``cases.yaml`` runs as tests next to the Python tests.

Installed with perfrules (entry point ``pytest11``), so ``pytest frameworks/`` collects every
``cases.yaml`` that sits beside a ``framework.rules``: one test item per case, named after
the case. A failing case shows the expected and actual values and the explanation of every
indicator that differs; an invalid case or rule file is a collection error naming the
problem. Coverage is not measured here: run ``perfrules test`` for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import api, casetest
from .errors import PerfrulesError


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A ``cases.yaml`` beside a ``framework.rules`` is a file of test cases."""
    if file_path.name != casetest.CASES_FILE:
        return None
    if not (file_path.parent / casetest.RULES_FILE).is_file():
        return None
    return CasesFile.from_parent(parent, path=file_path)


class CaseFailed(Exception):
    """A case's result differs from its expectations (the outcome says how)."""

    def __init__(self, outcome: casetest.CaseOutcome):
        super().__init__(outcome.name)
        self.outcome = outcome


class CasesFile(pytest.File):
    """A framework's case file: loads the framework once, yields one item per case."""

    def collect(self) -> Iterator[CaseItem]:
        rules = self.path.parent / casetest.RULES_FILE
        try:
            framework = api.load(rules)
            cases = casetest.load_cases(self.path, framework)
        except PerfrulesError as error:
            raise self.CollectError(str(error)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case, framework=framework)


class CaseItem(pytest.Item):
    """One case of a case file."""

    def __init__(self, *, case: casetest.Case, framework: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.framework = framework

    def runtest(self) -> None:
        outcome, _ = casetest.run_case(self.framework, self.case)
        if not outcome.passed:
            raise CaseFailed(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            where = self.case.where(self.nodeid.split("::")[0])
            return f"case '{self.case.name}' ({where}) failed:\n" + (
                excinfo.value.outcome.failure_text())
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = None if self.case.line is None else self.case.line - 1
        return self.path, line, f"case: {self.case.name}"
