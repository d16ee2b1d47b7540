"""``api.cli.plain_text``: the CLI's paragraphs and headings laid out without rich are byte
for byte rich's, over drawn texts (ASCII, wide and combining characters, control
characters, words longer than a line) and widths, and over whole answers; where rich
would style its output the layout is rich's own (issue 14 §6)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from api.cli import answers_text, context, plain_text
from api.cli.output import paragraph, plain_console, styled
from api.cli.plain_text import PlainLines, is_terminal, plain_width, wrap
from tests.api.test_cli import run

_ALPHABET = st.sampled_from(
    [*"abcdefghij KLMNO  -,.;()0123", "≥", "é", "漢", "字", "\u0301", "\x1b", "\u202e"]
)
TEXTS = st.text(_ALPHABET, max_size=300)


def _rich(width: int, render: Callable[[Any], None]) -> str:
    out = io.StringIO()
    console = plain_console(file=out, width=width)
    render(console)
    return out.getvalue()


@settings(max_examples=400, deadline=None)
@given(
    text=TEXTS.map(lambda t: t.replace("\x1b", "").replace("\u202e", "")), width=st.integers(1, 90)
)
def test_wrap_is_rich_s(text: str, width: int) -> None:
    console = plain_console(file=io.StringIO(), width=200)
    expected = [line.plain for line in Text(text).wrap(console, width, overflow="fold")]
    assert wrap(text, width) == expected


@settings(max_examples=300, deadline=None)
@given(
    text=TEXTS,
    width=st.integers(14, 120),
    indent=st.sampled_from([0, 2, 4]),
    bullet=st.sampled_from(["", "-"]),
)
def test_a_paragraph_is_rich_s(text: str, width: int, indent: int, bullet: str) -> None:
    lines = PlainLines(width)
    lines.paragraph(text, indent, bullet=bullet)
    expected = _rich(width, lambda c: c.print(paragraph(text, indent, bullet=bullet)))
    assert "".join(f"{line}\n" for line in lines.lines) == expected


@settings(max_examples=300, deadline=None)
@given(
    left=TEXTS,
    right=st.sampled_from(["compliant", "non-compliant", "not applicable", "≥ 漢字"]),
    width=st.integers(20, 120),
)
def test_a_heading_is_rich_s(left: str, right: str, width: int) -> None:
    lines = PlainLines(width)
    lines.heading(left, right)
    out = answers_text._Rich()

    def render(console: Any) -> None:
        saved = context.__dict__.get("console")
        context.console = console
        try:
            out.heading(((left, "bold"),), ((right, "green"),))
        finally:
            if saved is None:
                del context.console
            else:
                context.console = saved

    assert "".join(f"{line}\n" for line in lines.lines) == _rich(width, render)


def test_the_terminal_test_is_rich_s(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for env in (
        {},
        {"FORCE_COLOR": ""},
        {"FORCE_COLOR": "1"},
        {"TTY_COMPATIBLE": "0"},
        {"TTY_COMPATIBLE": "1"},
        {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    ):
        for stream in (io.StringIO(), Tty()):
            for key in ("FORCE_COLOR", "TTY_COMPATIBLE"):
                monkeypatch.delenv(key, raising=False)
            for key, value in env.items():
                monkeypatch.setenv(key, value)
            assert is_terminal(stream) == plain_console(file=stream).is_terminal, (env, stream)


def test_the_width_is_rich_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    for columns in ("80", "37", "x", None):
        if columns is None:
            monkeypatch.delenv("COLUMNS", raising=False)
        else:
            monkeypatch.setenv("COLUMNS", columns)
        assert plain_width() == plain_console().width, columns
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain_width() is None


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """A status and a roster of a small demo agency, with a hostile name added."""
    url = f"sqlite:///{tmp_path_factory.mktemp('plain')}/x.db"
    run(url, "demo", "--officers", "6", "--years", "2", "--until", "2025-06-30")
    run(
        url,
        *("person", "enrol", "E9", "--agency", "demo-pd", "--first-name", "Zoë 漢字\u0301"),
        *("--last-name", "X" * 120, "--hired-on", "2019-01-07"),
        env={"MUSTER_ACTOR": "coordinator.kim"},
    )
    asked = ("--agency", "demo-pd", "--as-of", "2025-06-30")
    roster = json.loads(run(url, "roster", *asked, "--format", "json").stdout)
    status = json.loads(run(url, "status", "E00002", *asked, "--json").stdout)
    return status, roster


@pytest.mark.parametrize("width", [80, 41, 133])
def test_whole_answers_read_the_same_either_way(
    answers: tuple[dict[str, Any], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    width: int,
) -> None:
    status, roster = answers
    no_records = {**status, "person": {**status["person"], "counted_records": []}}
    monkeypatch.setenv("COLUMNS", str(width))
    for key in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(key, raising=False)

    class NoRich:
        def __init__(self) -> None:
            raise AssertionError("laid out through rich")

    for show, needs_rich in (
        (lambda: answers_text.print_status(no_records), False),
        (lambda: answers_text.print_status(status), True),  # its records are a table
        (lambda: answers_text.print_roster(roster, separated_left_out=True), False),
    ):
        monkeypatch.setattr(context, "console", plain_console(), raising=False)
        with monkeypatch.context() as plain_only:
            if not needs_rich:
                plain_only.setattr(answers_text, "_Rich", NoRich)
            show()
        plain = capsys.readouterr().out
        with monkeypatch.context() as forced:
            forced.setattr(answers_text, "plain_width", lambda: None)
            show()
        assert capsys.readouterr().out == plain
        assert plain.count("\n") > 5
    assert "Zoë" in plain
    assert styled("x").plain == "x"  # the rich side of the comparison is rich's own
    assert plain_text.NotPlainError


CELLS = st.text(st.sampled_from([*"abcXYZ -_/0129", "é", "\x1b"]), max_size=24)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS, min_size=6, max_size=6), max_size=4),
    width=st.integers(30, 140),
)
def test_the_agency_table_is_rich_s_where_it_fits(rows: list[list[str]], width: int) -> None:
    """``boxed_table`` as ``muster agency list`` builds its rich table; a table rich would
    shrink, or cells it measures otherwise, are left to rich (``NotPlainError``)."""
    from rich.table import Table

    headers = ["slug", "name", "state", "time zone", "people", "registered"]
    try:
        lines = plain_text.boxed_table(headers, rows, width)
    except plain_text.NotPlainError:
        return
    table = Table("slug", "name", "state")
    table.add_column("time zone", no_wrap=True)
    table.add_column("people")
    table.add_column("registered")
    for row in rows:
        table.add_row(*row)
    assert "".join(f"{line}\n" for line in lines) == _rich(width, lambda c: c.print(table))


def test_agency_list_prints_without_rich(tmp_path: object) -> None:
    """Through the CLI (not a terminal): the same bytes as rich's table, none of rich's
    console or table imported; a listing too wide is rich's, wrapped as before."""
    from tests.api.test_startup import _command_imports

    url = f"sqlite:///{tmp_path}/x.db"
    run(url, "agency", "add", "mpls", "--name", "Minneapolis PD", "--state", "MN")
    loaded = _command_imports(url, "agency", "list")
    assert "rich.console" not in loaded
    assert "rich.table" not in loaded
    narrow = run(url, "agency", "list", env={"COLUMNS": "40"}).stdout
    assert "America/Chicago" in narrow
    assert "…" in narrow  # rich's own shrinking
    assert max(len(line) for line in narrow.splitlines()) <= 40
