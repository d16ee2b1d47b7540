"""An answer's two stored documents made together (``documents``, as the tracked model
stores them) are byte for byte those made one at a time, for every shipped state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.answers import answer_document, documents, person_answer, roster_document
from projections.evaluate import evaluate
from projections.history import Correction, PersonHistory
from projections.history_codec import Identity
from tests.rules.helpers import versions
from tests.rules.test_properties import STATES, days, people


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(STATES), people(), days, st.booleans())
def test_documents_made_together_are_those_made_apart(
    state: str, history: PersonHistory, as_of: date, corrected: bool
) -> None:
    if corrected and history.records:  # a corrected record lists its corrections
        first = replace(
            history.records[0],
            corrections=(Correction(datetime(2025, 1, 2, tzinfo=UTC), "typo", ("hours",)),),
        )
        history = replace(history, records=(first, *history.records[1:]))
    answer = person_answer(Identity("E1", "A B", "sworn"), history, versions(state), as_of)
    assert documents(answer) == (answer_document(answer), roster_document(answer))
    full, compact = answer.status.to_dicts()
    assert (full, compact) == (answer.status.to_dict(), answer.status.to_dict(compact=True))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(STATES), people(), days)
def test_requirement_documents_are_built_with_their_keys_sorted(
    state: str, history: PersonHistory, as_of: date
) -> None:
    """A requirement's dicts are written in sorted key order rather than sorted after:
    the full form serialised as built is the bytes of a key-sorted serialisation, at every
    depth (the compact form is sorted but for its citations, last), and the full form
    holds the compact form's values beside its own four."""
    status = evaluate(versions(state), history, as_of)
    for r in status.requirements:
        full, compact = r.to_dict(), r.to_dict(compact=True)
        assert orjson.dumps(full) == orjson.dumps(full, option=orjson.OPT_SORT_KEYS)
        *rest, last = compact  # the compact form cites its sources last
        assert last == "citations"
        assert rest == sorted(rest)
        own = {"citations", "consequence", "kind", "title"}
        assert set(full) == set(compact) | own
        assert {k: v for k, v in full.items() if k not in own} == {
            k: v for k, v in compact.items() if k != "citations"
        }
        assert [c["source_id"] for c in full["citations"]] == compact["citations"]
