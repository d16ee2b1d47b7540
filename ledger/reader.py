"""The store opened for reading: what ``LedgerCore`` offers (store, stable horizon, the
agencies, the mapper) without any family of write use cases (``ledger.*_cases``), and
where it can be, without the event-sourcing library.

The read commands of the CLI (``muster agency list``, ``status``, ``roster``, ``trend``)
open this instead of ``Ledger`` (issue 14 §6, ``benchmarks/cli_startup_bench.py``). On a
SQLite store of the complete layout it opens ``ledger.light_reader``'s store: index rows,
stored rows and the read store's connection through plain ``sqlite3``, the agency folded
by ``ledger.agency_facts``, the rule versions read from their stored state
(``replay.knowledge``), so a read the read store answers imports neither the library nor
an aggregate. Anything else asked of it (the mapper, the event store, the repository, a
person, another method of the store) is the library's ``LedgerCore``'s, opened on first
use with the same settings, by the same application name: every eventsourcing setting
named after the application is the ledger's. On PostgreSQL, or where the light store
cannot be opened (``open_light_store``), that core is opened at once.

For the type checker a ``LedgerReader`` is a ``LedgerCore`` (every attribute of one is
there, its own or the core's); at run time it is ``_Reader``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.clock import Clock, system_clock
from ledger.database import DatabaseConfig, parse_database_url
from ledger.light_reader import LightSQLiteStore, open_light_store
from ledger.seal import SealKeys

if TYPE_CHECKING:
    from datetime import datetime

    from ledger.ledger_core import LedgerCore
    from ledger.views import AgencyView

__all__ = ["LedgerReader"]


class _Reader:
    """The light store where it can be opened, the library's core for the rest."""

    name = "Ledger"  # as ``ledger.application.Ledger``: the same environment, the same store

    def __init__(
        self,
        database_url: str = "sqlite:///var/muster.db",
        *,
        clock: Clock = system_clock,
        env: dict[str, str] | None = None,
        seal_keys: SealKeys | None = None,
        allow_unsafe_durability: bool = False,
    ) -> None:
        self.database: DatabaseConfig = parse_database_url(database_url)
        self.database_url = database_url
        self.env_overrides = dict(env or {})
        self.clock = clock
        self.seal_keys = seal_keys or SealKeys()
        self._allow_unsafe_durability = allow_unsafe_durability
        self._core: LedgerCore | None = None
        self._light: LightSQLiteStore | None = open_light_store(
            {**self.database.env, **self.env_overrides}, self.env_overrides, self._core_store
        )
        if self._light is None:
            self._opened_core()
        else:
            self._light.seal_keys = self.seal_keys

    def _opened_core(self) -> LedgerCore:
        if self._core is None:
            from ledger.core_reader import CoreReader

            self._core = CoreReader(
                self.database_url,
                clock=self.clock,
                env=self.env_overrides,
                seal_keys=self.seal_keys,
                allow_unsafe_durability=self._allow_unsafe_durability,
            )
        return self._core

    def _core_store(self) -> Any:
        return self._opened_core().store

    @property
    def store(self) -> Any:
        return self._light if self._light is not None else self._opened_core().store

    @property
    def recorder(self) -> Any:
        """The read store's door to the database (``replay.read_side``: its datastore)."""
        return self._light if self._light is not None else self._opened_core().recorder

    def stable_horizon(self) -> datetime:
        return self.store.stable_horizon(self.clock)  # type: ignore[no-any-return]

    def list_agencies(self) -> list[AgencyView]:
        from ledger.agency_facts import list_agencies

        return list_agencies(self.store, lambda agency_id: self._by_aggregate(agency_id))

    def _by_aggregate(self, agency_id: Any) -> AgencyView:
        core = self._opened_core()
        return core.agency_view_by_aggregate(agency_id)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never a private attribute of the core (nor one not set yet)
            raise AttributeError(name)
        return getattr(self._opened_core(), name)

    def close(self) -> None:
        if self._light is not None:
            self._light.close()
        if self._core is not None:
            self._core.close()


if TYPE_CHECKING:

    class LedgerReader(LedgerCore):
        """What the read side is given: a ``LedgerCore`` to every reader of it."""

else:
    LedgerReader = _Reader
