"""A notification pass in a process of its own, for the crash and concurrency tests:
``python -m tests.notify.pass_process URL SLUG DAY SMTP_PORT MODE``.

MODE ``kill`` kills the process (SIGKILL) right after the decisions are recorded and
before anything is sent; ``slow`` waits a second there (so two passes overlap); ``plain``
runs the pass. It prints the pass's counts as ``decided delivered failed``."""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import date

from api.notify.channels import Channels, SmtpChannel, WebhookChannel
from api.notify.passes import run_pass
from ledger.application import Ledger


def main() -> None:
    url, slug, day, port, mode = sys.argv[1:6]
    hooks = {
        "kill": lambda: os.kill(os.getpid(), signal.SIGKILL),
        "slow": lambda: time.sleep(1.0),
    }
    ledger = Ledger(url)
    try:
        channels = Channels(
            SmtpChannel("127.0.0.1", int(port), "none", "muster@pd.example", timeout=10),
            WebhookChannel(None),
        )
        report = run_pass(
            ledger,
            slug,
            date.fromisoformat(day),
            channels,
            lease_timeout=60,
            after_decide=hooks.get(mode),
        )
        print(report.decided, report.delivered, report.failed)
    finally:
        ledger.close()


if __name__ == "__main__":
    main()
