"""Free text in pack files survives YAML: a `#` after a space starts a comment in a plain
scalar, so `title: LSA #08-288(F), ...` would silently load as `LSA`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from projections.rules import RulePackError, load_pack, shipped_packs
from projections.rules.loader import shipped_pack_dir

_TITLE_LINE = re.compile(r"^\s*title:\s*(?P<value>\S.*?)\s*$")


def _raw_title(value: str) -> str:
    """A `title:` line's value as YAML reads it on its own (quotes removed, comments cut)."""
    loaded = yaml.safe_load(f"t: {value}")["t"]
    assert isinstance(loaded, str)
    return loaded


def test_every_source_title_round_trips_from_the_file_text() -> None:
    """Each parsed source title is the whole of its `title:` line, with nothing cut at a
    comment: the raw line without its quotes equals the loaded title."""
    checked = 0
    for pack in shipped_packs():
        path = shipped_pack_dir() / f"{pack.pack}.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        for source_id, source in pack.sources.items():
            start = next(i for i, line in enumerate(lines) if line.strip() == f"{source_id}:")
            found = _TITLE_LINE.match(lines[start + 1])
            assert found, f"{pack.pack}: {source_id}: no title line after the source id"
            value = found["value"]
            unquoted = value[1:-1] if value[:1] in {'"', "'"} else value
            assert source.title == _raw_title(value), (pack.pack, source_id)
            assert source.title == unquoted.replace('\\"', '"'), (
                f"{pack.pack}: {source_id}: title cut by YAML: {source.title!r} from {value!r}"
            )
            checked += 1
    assert checked > 20


def test_the_indiana_register_numbers_are_in_the_titles() -> None:
    """IN sources cite LSA Document #08-288(F) and #23-732(F) (post-rules-in-oh-ca-tx-update.md)."""
    (indiana,) = [p for p in shipped_packs() if p.state == "IN"]
    titles = [s.title for s in indiana.sources.values()]
    assert any(t.startswith("LSA #08-288(F), Indiana Register") for t in titles), titles
    assert any(t.startswith("LSA #23-732(F), Indiana Register") for t in titles), titles


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("  s1: {title: 'LSA #08-288(F)'}\nnotes:\n  - LSA #08-288(F) is the 2009 rule", "notes"),
        ("  s1:\n    title: LSA #08-288(F), a register entry", "title"),
        ("  s1:\n    title: a source\n    url: https://example.org/x #section", "url"),
    ],
)
def test_a_text_field_cut_by_a_comment_is_refused(tmp_path: Path, line: str, field: str) -> None:
    """The loader refuses a plain title (or any other text) followed by a same-line comment,
    naming the line: quote it if the `#` belongs to the text."""
    text = f"""
pack: test-pack
title: Test pack
jurisdiction: US-MN
credential: peace_officer_license
sources:
{line}
populations:
  officers: {{kinds: [sworn]}}
versions:
  - id: v1
    effective_from: 2020-01-01
    applicability: {{mode: calendar_year}}
    summary: test
    source: [s1]
"""
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    with pytest.raises(RulePackError, match=rf"line \d+: {field}: .*quote the value"):
        load_pack(path)


def test_a_quoted_hash_and_a_comment_on_its_own_line_are_fine(tmp_path: Path) -> None:
    text = """
pack: test-pack     # a comment after an id is fine
title: Test pack
jurisdiction: US-MN
credential: peace_officer_license
sources:
  # a comment line
  s1: {title: "LSA #08-288(F), a register entry"}
populations:
  officers: {kinds: [sworn]}
versions:
  - id: v1
    effective_from: 2020-01-01
    applicability: {mode: calendar_year}
    summary: test
    source: [s1]
"""
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    assert load_pack(path).sources["s1"].title == "LSA #08-288(F), a register entry"
