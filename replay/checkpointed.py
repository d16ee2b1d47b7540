"""People's folded histories as the read side already holds them: the history checkpoint
each person's state answer left at exactly their stream head (``rm_history``). A
checkpoint is the fold of the same events up to the same head, so it equals
``projections.history.history_from_events`` of the person's whole stream as known then
(tested), training records and all; the own tracks take it for a credential type earned
by training hours instead of decoding the training events again (issue 17 §1)."""

from __future__ import annotations

from uuid import UUID

from ledger.ledger_core import LedgerCore
from projections.person_history import PersonHistory
from replay.read_side import read_side

__all__ = ["checkpointed_histories"]


def checkpointed_histories(ledger: LedgerCore, heads: dict[UUID, int]) -> dict[UUID, PersonHistory]:
    """The histories checkpointed at exactly these stream heads, by person (someone whose
    checkpoint is at another head, or of other fold code, is left out)."""
    from projections.history_codec import decode_history, fold_key

    bodies = read_side(ledger).store.checkpoints.get(heads, fold_key())
    return {person_id: decode_history(body)[1] for person_id, body in bodies.items()}
