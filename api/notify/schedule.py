"""``muster serve`` running notification passes itself, every ``MUSTER_NOTIFY_INTERVAL``
seconds (off by default), in a daemon thread of the serving process with a ledger of its
own. Each pass holds the store's notification lease, so a cron job or another server
running passes at the same time never sends a notice twice; a failed pass is logged and
the next one runs on time."""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

__all__ = ["start_notify_thread"]

log = structlog.get_logger("muster.notify")


def start_notify_thread(
    interval: float, one_pass: Callable[[], list[str]]
) -> tuple[threading.Thread, threading.Event]:
    """Run ``one_pass`` now and then every ``interval`` seconds until the event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                for line in one_pass():
                    log.info("notify pass", result=line)
            except Exception as error:  # the server keeps serving; the next pass retries
                log.error("notify pass failed", error=str(error), kind=type(error).__name__)
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="muster-notify", daemon=True)
    thread.start()
    return thread, stop
