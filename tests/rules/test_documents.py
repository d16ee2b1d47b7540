"""An answer's two stored documents made together (``documents``, as the tracked model
stores them) are byte for byte those made one at a time, for every shipped state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.answers import answer_document, documents, person_answer, roster_document
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
