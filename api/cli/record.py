"""``muster training|person|exemption|waiver|extension``: record one fact at a time from the
command line. The command groups are in ``record_training``, ``record_person`` and
``record_relief``; what every write shares (actor, unit of work, ``--dry-run``/``--json``)
is in ``writes``."""

from __future__ import annotations

from api.cli.record_person import person_app
from api.cli.record_relief import exemption_app, extension_app, waiver_app
from api.cli.record_training import training_app

__all__ = ["exemption_app", "extension_app", "person_app", "training_app", "waiver_app"]
