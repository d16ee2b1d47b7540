"""The engine's fingerprint changes when evaluation code changes, and only then: not for a
docstring, a comment or blank lines, and not for modules the engine does not import."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import projections.answer_keys
import projections.engine.judge
import projections.evaluate
from projections.fingerprint import code_digest, code_fingerprint, engine_modules

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(projections.evaluate.__file__).read_text()
# One window's judgement (moved out of evaluate.py): where a status is decided.
JUDGE = Path(projections.engine.judge.__file__).read_text()
# The warning window's default (moved out of evaluate.py, so that a read that is not
# evaluated imports no engine to key its answer).
KEYS = Path(projections.answer_keys.__file__).read_text()
# A line of evaluate.py's code.
PERSON_STATUS = 'if person_status == "not_hired":'


def _reworded(source: str) -> str:
    """The same code, its docstrings, comments and blank lines edited."""
    edits = [
        ('"""The rule engine:', '"""The engine of rules (reworded):'),
        (
            '    """The person\'s status on ``as_of`` under the given rule versions.',
            '    """A reworded docstring.\n\n    Over two lines.',
        ),
        ("def _overall(", "# a new comment\n\n\ndef _overall("),
        ("        # Dropped by the version", "        # Dropped by that version"),
    ]
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new, 1)
    return source


def test_docstrings_comments_and_blank_lines_leave_the_digest() -> None:
    assert code_digest(_reworded(SOURCE)) == code_digest(SOURCE)


@pytest.mark.parametrize(
    ("source", "old", "new"),
    [
        (KEYS, "DEFAULT_WARNING_DAYS = 90", "DEFAULT_WARNING_DAYS = 91"),
        (SOURCE, PERSON_STATUS, 'if person_status == "inactive":'),
        (JUDGE, 'return "compliant"', 'return "on_track"'),
        (JUDGE, "if deadline < ctx.as_of:", "if deadline <= ctx.as_of:"),
    ],
)
def test_a_code_change_changes_the_digest(source: str, old: str, new: str) -> None:
    assert old in source
    assert code_digest(source.replace(old, new, 1)) != code_digest(source)


def test_a_module_of_only_a_docstring_still_has_code() -> None:
    with_body = 'def f():\n    """Why."""\n'
    assert code_digest(with_body) == code_digest("def f():\n    pass\n")
    assert code_digest(with_body) != code_digest("def g():\n    pass\n")


def test_the_fingerprint_of_copied_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary copy of the engine's module: reworded keeps its fingerprint, recoded not."""
    module = tmp_path / "engine_copy.py"
    monkeypatch.syspath_prepend(str(tmp_path))
    module.write_text(SOURCE)
    original = code_fingerprint("engine_copy")
    module.write_text(_reworded(SOURCE))
    assert code_fingerprint("engine_copy") == original
    module.write_text(SOURCE.replace(PERSON_STATUS, 'if person_status == "inactive":'))
    assert code_fingerprint("engine_copy") != original
    sys.modules.pop("engine_copy", None)


def test_the_engine_is_what_the_fold_evaluate_and_codec_import() -> None:
    modules = engine_modules()
    assert {
        "projections.evaluate",
        "projections.history",
        "projections.history_codec",
        "projections.status",
        "projections.rules.schema",
        "projections.rules.prepared",
        "projections.rules.loader",
        "replay.stored_streams",
        "ledger.vocabulary",  # assignment aliases decide who a population binds
        "projections.answer_keys",  # the default warning window
        "projections.stored_versions",  # the rule versions as read from the ledger
    } <= modules
    assert not {"projections.read_store", "projections.current", "replay.asof"} & modules


def _modules_under(package: str) -> set[str]:
    folder = ROOT.joinpath(*package.split("."))
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in folder.rglob("*.py")
    }


@pytest.mark.parametrize("package", ["projections.engine", "projections.rules.schema"])
def test_every_part_of_the_split_engine_and_schema_is_fingerprinted(package: str) -> None:
    """The engine split over ``projections.engine`` and the schema over a package: every
    part is in the fingerprint, so a change of code in any of them invalidates memo and
    checkpoints (and, by the digest tests above, a reworded docstring does not)."""
    assert _modules_under(package) <= engine_modules()


def test_a_docstring_edit_of_a_moved_part_keeps_its_digest() -> None:
    reworded = JUDGE.replace('"""One requirement judged', '"""Reworded: one requirement', 1)
    assert reworded != JUDGE
    assert code_digest(reworded) == code_digest(JUDGE)
