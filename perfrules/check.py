"""Semantic checks: an AST in, a CheckedFramework (or every diagnostic found) out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from attrs import frozen

from . import ast
from .errors import Diagnostic, FrameworkCheckError
from .source import Source


@frozen
class CheckedFramework:
    """A framework that passed every check, with the indexes later stages need.

    Attributes:
        framework: the AST.
        source_name: the rule file's name (a path or ``<string>``).
        nodes: every indicator in pre-order; a node's index is its position here.
        parents: for each node, its parent's index (None for a top-level node).
        levels: for each node, its depth (1 for 一级指标).
        inputs: the declared inputs by name, in declaration order.
        warnings: diagnostics of severity "warning" (the file is still usable).
    """

    framework: ast.Framework
    source_name: str
    nodes: tuple[ast.Indicator, ...]
    parents: tuple[int | None, ...]
    levels: tuple[int, ...]
    inputs: Mapping[str, ast.InputDecl]
    warnings: tuple[Diagnostic, ...] = ()

    def counting(self, steps: ast.Steps) -> ast.Counting:
        """The step counting in force for ``steps``: its own, else the framework's default."""
        counting = steps.counting or self.framework.counting
        assert counting is not None, "check() rejects steps whose counting is unstated"
        return counting


Check = Callable[[ast.Framework], Iterator[Diagnostic]]

#: Every check, run in order; each yields diagnostics and never raises for a user mistake.
CHECKS: tuple[Check, ...] = ()


def diagnose(framework: ast.Framework) -> list[Diagnostic]:
    """Every diagnostic (errors and warnings) for a framework, sorted by position."""
    found: list[Diagnostic] = []
    for check in CHECKS:
        found.extend(check(framework))
    return sorted(found, key=Diagnostic.sort_key)


def index(framework: ast.Framework, source_name: str, warnings: tuple[Diagnostic, ...] = ()) -> CheckedFramework:
    """Build the node indexes of a framework (no checks)."""
    nodes: list[ast.Indicator] = []
    parents: list[int | None] = []
    levels: list[int] = []
    stack: list[tuple[ast.Indicator, int | None, int]] = [
        (node, None, 1) for node in reversed(framework.indicators)
    ]
    while stack:
        node, parent, level = stack.pop()
        position = len(nodes)
        nodes.append(node)
        parents.append(parent)
        levels.append(level)
        stack.extend((child, position, level + 1) for child in reversed(node.children))
    return CheckedFramework(
        framework,
        source_name,
        tuple(nodes),
        tuple(parents),
        tuple(levels),
        {decl.name: decl for decl in framework.inputs},
        warnings,
    )


def check(framework: ast.Framework, source: Source) -> CheckedFramework:
    """Check a framework.

    Raises:
        FrameworkCheckError: with every error diagnostic found (warnings ride along).
    """
    diagnostics = diagnose(framework)
    if any(d.is_error for d in diagnostics):
        raise FrameworkCheckError(diagnostics, source)
    return index(framework, source.name, tuple(d for d in diagnostics if not d.is_error))
