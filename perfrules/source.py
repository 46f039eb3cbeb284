"""Source text and positions inside it."""

from __future__ import annotations

import unicodedata

from attrs import field, frozen


@frozen
class Source:
    """A rule file's name (a path or ``<string>``) and its whole text."""

    name: str
    text: str = field(repr=False)

    def line(self, number: int) -> str:
        """The text of 1-based line ``number`` without its line break ('' past the end).

        Lines end at "\n" only, as lark counts them (not at \f, \r or U+2028).
        """
        lines = [line.removesuffix("\r") for line in self.text.split("\n")]
        return lines[number - 1] if 1 <= number <= len(lines) else ""


@frozen
class Span:
    """A region of a source: 1-based line and column, end exclusive (lark's convention)."""

    source: str
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def from_meta(cls, meta: object, source: str) -> Span | None:
        """The span of a lark node or token, or None when lark recorded no position."""
        line = getattr(meta, "line", None)
        if line is None:
            return None
        return cls(
            source,
            line,
            getattr(meta, "column"),
            getattr(meta, "end_line"),
            getattr(meta, "end_column"),
        )

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}"


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: East-Asian wide and full-width characters take two."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width
