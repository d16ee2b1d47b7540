"""The one door to the terminal: stored text is printed as written, never as markup or control.

Names, course titles, file names and error messages hold whatever a file or a user put in
them. Printed through rich with markup on, a last name ``[/]`` crashed ``muster status`` and
``[link=…]x[/link]`` hid a link; a raw ESC would drive the terminal. So the CLI's consoles
parse no markup and no emoji codes, and every string they render (``print`` arguments, table
cells, titles) has its control and format characters (ESC, bidi overrides, zero-width
characters) shown as ``\\x1b`` / ``\\u202e`` instead of sent. Colour is asked for
explicitly, with ``styled`` or ``style=``, never by text inside a string.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text

__all__ = ["markup_safe", "paragraph", "plain_console", "styled", "visible"]

# Control (Cc), format (Cf: bidi overrides, zero-width), line/paragraph separators, surrogates.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_KEPT = frozenset("\n\t")  # the CLI's own layout; stored text cannot hold them (ledger.fields)


def visible(text: str) -> str:
    """``text`` with every control or invisible format character spelled out."""
    if text.isprintable():
        return text  # the common case, in C
    out = []
    for char in text:
        if char in _KEPT or unicodedata.category(char) not in _HIDDEN:
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def markup_safe(text: str) -> str:
    """For the few places that must build rich markup (progress bar templates)."""
    from rich.markup import escape

    return escape(visible(text))


def styled(*parts: str | tuple[str, str]) -> Text:
    """One line from plain parts and ``(text, style)`` parts, every part shown as written."""
    from rich.text import Text

    line = Text()
    for part in parts:
        if isinstance(part, tuple):
            line.append(visible(part[0]), style=part[1])
        else:
            line.append(visible(part))
    return line


def paragraph(text: str | Text, indent: int = 0, *, bullet: str = "") -> RenderableType:
    """``text`` wrapped at words to the console's width (a word longer than a line is
    folded, never cut short), ``indent`` spaces in, no trailing spaces; with a ``bullet``,
    the lines after the first hang under the text, not under the bullet."""
    return _Paragraph(styled(text) if isinstance(text, str) else text, indent, bullet)


class _Paragraph:
    def __init__(self, text: Text, indent: int, bullet: str) -> None:
        self.text, self.indent, self.bullet = text, indent, visible(bullet)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        hang = len(self.bullet) + 1 if self.bullet else 0
        width = max(options.max_width - self.indent - hang, 8)
        for number, line in enumerate(self.text.wrap(console, width, overflow="fold")):
            line.rstrip()
            lead = self.bullet + " " if number == 0 and self.bullet else " " * hang
            yield Text(" " * self.indent + lead) + line


def plain_console(**options: Any) -> Console:
    """A rich console that never interprets the text it is given (``options``: rich's).
    rich's console is imported here, not with this module: ``muster --help`` prints no
    rich output and does without it (issue 14 §6)."""
    return _plain_console_class()(**options)


@cache
def _plain_console_class() -> type[Console]:
    from rich.console import Console

    class PlainConsole(Console):
        def __init__(self, **options: Any) -> None:
            super().__init__(markup=False, emoji=False, highlight=False, **options)

        def render_str(self, text: str, **options: Any) -> Text:
            options.update(markup=False, emoji=False)
            return super().render_str(visible(text), **options)

    return PlainConsole
