"""The perfrules exception hierarchy, diagnostics, and how both are rendered for people."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from .source import Source, Span, display_width

#: How many diagnostics an exception message lists before "… and N more".
MAX_LISTED = 20


@frozen
class Diagnostic:
    """One problem found in a rule file.

    Attributes:
        code: a stable kebab-case identifier (``undeclared-input``); see docs/errors.md.
        message: one line saying what is wrong and what was expected.
        span: where in the file, or None for a problem of the whole file.
        hint: an optional suggestion (``did you mean 'file_rate'?``).
        severity: ``"error"`` or ``"warning"``.
    """

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: str = "error"
    #: The file a position-less diagnostic is about (a file that cannot be read).
    file: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[int, int, str]:
        if self.span is None:
            return (0, 0, self.code)
        return (self.span.line, self.span.column, self.code)

    def render(self, source: Source | None = None) -> str:
        """Render as ``file:line:col: error[code]: message`` with an excerpt and a caret."""
        if self.span is not None:
            where = str(self.span)
        else:
            where = self.file or (source.name if source else "perfrules")
        head = f"{where}: {self.severity}[{self.code}]: {self.message}"
        lines = [head]
        if source is not None and self.span is not None:
            lines.extend(_excerpt(source, self.span))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }
        if self.file is not None:
            out["file"] = self.file
        if self.span is not None:
            out.update(
                file=self.span.source,
                line=self.span.line,
                column=self.span.column,
                end_line=self.span.end_line,
                end_column=self.span.end_column,
            )
        if self.hint:
            out["hint"] = self.hint
        return out


#: Lines up to this many display cells are shown whole; longer ones are windowed.
EXCERPT_CELLS = 160


def _excerpt(source: Source, span: Span) -> list[str]:
    text = source.line(span.line)
    if not text and span.line > source.text.count("\n") + 1:
        return []
    start = max(span.column - 1, 0)
    if span.end_line == span.line and span.end_column > span.column:
        end = span.end_column - 1
    else:
        end = start + 1
    # Window long lines so an excerpt never prints more than about EXCERPT_CELLS cells.
    if display_width(text) <= EXCERPT_CELLS:
        first, last = 0, len(text)
    else:
        first, last = _window(text, start, end)
    end = min(end, last)
    before = ("…" if first > 0 else "") + text[first:start]
    shown = before + text[start:last] + ("…" if last < len(text) else "")
    marked = text[start:end] or " "
    gutter = f"{span.line:>5} | "
    # The caret is placed by display cells, not characters, so it stays under CJK text.
    pad = " " * display_width(before.expandtabs())
    carets = "^" * max(display_width(marked), 1)
    return [gutter + shown, " " * (len(gutter) - 2) + "| " + pad + carets]


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """Where to cut a long line: half the cells before the column, the rest after it."""
    first = start
    while first > 0 and display_width(text[first - 1 : start]) < EXCERPT_CELLS // 2:
        first -= 1
    last = min(len(text), end)
    while last < len(text) and display_width(text[first:last]) < EXCERPT_CELLS:
        last += 1
    return first, last


def render_all(diagnostics: Iterable[Diagnostic], source: Source | None = None) -> str:
    """Render diagnostics one after another, listing at most MAX_LISTED of them."""
    items = list(diagnostics)
    shown = [d.render(source) for d in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(f"… and {len(items) - MAX_LISTED} more")
    return "\n".join(shown)


class PerfrulesError(Exception):
    """Base class of every error perfrules raises on purpose."""


class RuleFileError(PerfrulesError):
    """A rule file cannot be used; ``diagnostics`` says every reason found, sorted by position."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: Source | None = None):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(diagnostics, key=Diagnostic.sort_key)
        )
        self.source = source
        super().__init__(render_all(self.diagnostics, source))


class RuleSyntaxError(RuleFileError):
    """The text is not in the rule language (exactly one diagnostic)."""


class FrameworkCheckError(RuleFileError):
    """The text parses but describes an unsound framework (one or more error diagnostics)."""


@frozen
class InputProblem:
    """One thing wrong with a unit's inputs: which input (or indicator code) and what was expected."""

    name: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.message}" + (f" (hint: {self.hint})" if self.hint else "")


class InputError(PerfrulesError, ValueError):
    """A unit's inputs do not fit the framework's declarations; ``problems`` lists all of them."""

    def __init__(self, unit: str | None, problems: Iterable[InputProblem], file: str | None = None):
        self.unit = unit
        self.file = file
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        who = f"unit '{unit}'" if unit else "the unit"
        where = f"{file}: " if file else ""
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{where}{who} has {len(self.problems)} input problem(s):\n{body}")


class EvaluationError(PerfrulesError):
    """An internal invariant broke while scoring (a bug in perfrules); names the indicator."""

    def __init__(self, message: str, code: str | None = None, span: Span | None = None):
        self.code = code
        self.span = span
        where = f"{span}: " if span else ""
        super().__init__(f"{where}{message}" + (f" (indicator {code})" if code else ""))

