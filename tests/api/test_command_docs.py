"""Issue 14: the README's command table and docs/import.md name every command that exists
and no command that does not (compared with the CLI's own command tree, the lazily loaded
groups included)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from api.cli.app import LAZY_GROUPS, app, load_group

ROOT = Path(__file__).resolve().parents[2]
# `muster group sub-a\|sub-b ...` or `muster command ...` at the start of a code span (a
# fenced example's lines count as code spans).
_MENTION = re.compile(r"`muster ([a-z][a-z-]*)((?: [a-z][a-z-]*(?:\\?\|[a-z][a-z-]*)*)?)")


def _code(text: str) -> str:
    """The text with each line of a fenced block marked as a code span."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        lines.append("`" + line.strip() if fenced else line)
    return "\n".join(lines)


def _tree() -> set[str]:
    """Every command line's command words: ``status``, ``agency add``, ``person leave``."""
    root = typer.main.get_group(app)
    found: set[str] = set()
    for name in [*root.commands, *LAZY_GROUPS]:
        command: Any = root.commands.get(name) or load_group(name)
        subcommands = getattr(command, "commands", None)
        if subcommands:
            found |= {f"{name} {sub}" for sub in subcommands}
        else:
            found.add(name)
    return found


def _mentioned(text: str, tree: set[str]) -> set[str]:
    """The commands a document names, ``a\\|b`` alternatives expanded; a second word is a
    subcommand only when the first is a group (``status E1`` names ``status``)."""
    groups = {line.split()[0] for line in tree if " " in line}
    named: set[str] = set()
    for first, rest in _MENTION.findall(_code(text)):
        if first not in groups:
            named.add(first)
            continue
        words = rest.split()
        if not words:
            named.add(first)  # a group named alone: checked to exist below
            continue
        for sub in words[0].replace("\\|", "|").split("|"):
            named.add(f"{first} {sub}")
    return named


def _readme_table() -> str:
    readme = (ROOT / "README.md").read_text()
    return "\n".join(line for line in readme.splitlines() if line.startswith("| `muster "))


def test_the_readme_table_lists_every_command_and_no_other() -> None:
    tree = _tree()
    listed = _mentioned(_readme_table(), tree)
    assert not listed - tree, f"the README lists commands that do not exist: {listed - tree}"
    assert not tree - listed, f"commands missing from the README's table: {tree - listed}"


def test_docs_name_only_commands_that_exist() -> None:
    """Every ``muster …`` a document shows exists; docs/import.md shows every import
    command."""
    tree = _tree()
    groups = {line.split()[0] for line in tree if " " in line}
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        named = _mentioned(doc.read_text(), tree)
        unknown = {n for n in named if n not in tree and n not in groups}
        assert not unknown, f"{doc.name} names commands that do not exist: {unknown}"
    imports = _mentioned((ROOT / "docs" / "import.md").read_text(), tree)
    every_import = {line for line in tree if line.startswith("import ")}
    assert every_import <= imports, every_import - imports
