"""Issue 18 benchmark: one notification pass over the generated agency vs a full rebuild of
the read models of the same store, in the same run (goal: the pass takes no longer).

    nice -n 10 .venv/bin/python benchmarks/notify_bench.py --size M   # 1,000 officers
    nice -n 10 .venv/bin/python benchmarks/notify_bench.py --size L   # 15,000 officers

SQLite. The generated store (``readside_bench``'s, reused) is copied to a scratch file, so
each run starts with no notice recorded. On the copy: the rebuild (``muster replay``'s
``rebuild`` for the store's last day, in a child process, one worker per CPU), then a
coordinator account with an address, then the first pass on that day (decide, record,
send to a channel that accepts everything in-process, record each delivery), then a second
pass on the same day (decides and sends nothing: its cost is reading what was sent).

``--own-tracks`` first gives the copy's agency a programme of its own (issue 17's tracks,
whose deadlines the pass reads from every person's stream): a per-weapon firearms
qualification held by everyone (12 months), each person issued a weapon and qualified on a
day spread over the 400 days before the store's last day (so about 9 % have expired, 22 %
expire within 90 days); a policy published 20 days before, assigned to everyone with 30
days to acknowledge, acknowledged by 3 people in 5. These are written before the rebuild,
so the rebuild is of the same store.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from readside_bench import OUT, TRACKED_DAY, ensure_store, url_for

from api.notify.channels import Channels
from api.notify.messages import Message
from api.notify.passes import run_pass
from ledger.accounts import grant_role, open_account, record_email
from ledger.application import Ledger
from ledger.person import PersonEnrolled
from ledger.unit_of_work import UnitOfWork


class Accepting:
    """A channel that takes every message at once (what the pass itself costs)."""

    def __init__(self) -> None:
        self.sent = 0

    def send(
        self, notice_id: str, recipient: str, message: Message, payload: Any, now: float
    ) -> str:
        self.sent += 1
        return notice_id


def add_own_tracks(url: str, day: date) -> tuple[int, float]:
    """The programme described above, on the scratch copy: (people, seconds)."""
    began = time.perf_counter()
    ledger = Ledger(url)
    actor = "system:bench"
    slug = "bench-pd"
    agency_id = ledger.get_agency(slug).id
    people = sorted(
        (e.employee_id, e.hired_on)
        for e in (
            ledger.mapper.to_domain_event(s[0])
            for s in (
                ledger.recorder.select_events(h, limit=1)
                for h in ledger.store.stream_heads("person", agency_id)
            )
        )
        if isinstance(e, PersonEnrolled)
    )
    ledger.define_credential_type(
        slug,
        "firearms",
        effective_on=date(2015, 1, 1),
        actor=actor,
        name="Firearms qualification",
        holders=["everyone"],
        earned_by="qualification",
        validity="months",
        validity_months=12,
        passing_score=80,
        max_score=100,
        warning_days=30,
        per_weapon=True,
        weapon_classes=["handgun"],
    )
    document = b"# Use of force\n\nOfficers use only the force that is objectively reasonable.\n"
    version, _ = ledger.upload_policy(
        slug, "use-of-force", document, title="Use of force", actor=actor
    )
    published = day - timedelta(days=20)
    ledger.publish_policy(slug, "use-of-force", version, effective_on=published, actor=actor)
    ledger.assign_policy(
        slug,
        "use-of-force",
        audience=["everyone"],
        due_days=30,
        effective_on=published,
        actor=actor,
    )
    uow = UnitOfWork(ledger)
    for n, (employee_id, hired_on) in enumerate(people):
        weapon = ("handgun", "Glock 17", f"G{employee_id}")
        ledger.issue_weapon(slug, employee_id, weapon=weapon, on=hired_on, actor=actor, uow=uow)
        ledger.record_qualification(
            slug,
            employee_id,
            credential_type="firearms",
            on=max(hired_on, day - timedelta(days=1 + n * 7 % 400)),
            result="pass",
            score_value=90,
            instructor="Sgt. Range",
            weapon=weapon,
            actor=actor,
            uow=uow,
        )
        if n % 5 < 3:
            ledger.acknowledge_policy(
                slug,
                employee_id,
                "use-of-force",
                1,
                on=max(published, hired_on),
                channel="online",
                actor=actor,
                uow=uow,
            )
        if n % 200 == 199:
            uow.save()
            uow = UnitOfWork(ledger)
    uow.save()
    ledger.close()
    return len(people), time.perf_counter() - began


def rebuild_seconds(url: str) -> float:
    script = (
        "import sys, time, os\n"
        "from datetime import date\n"
        "from ledger.application import Ledger\n"
        "from replay.read_models import rebuild\n"
        "from replay.read_side import open_read_store\n"
        "ledger = Ledger(sys.argv[1])\n"
        "began = time.perf_counter()\n"
        "rebuild(ledger, open_read_store(ledger), date.fromisoformat(sys.argv[2]), "
        "workers=os.cpu_count() or 1)\n"
        "print(time.perf_counter() - began)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, url, TRACKED_DAY.isoformat()],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--own-tracks", action="store_true", help="add credentials and a policy")
    args = parser.parse_args()
    began = time.perf_counter()
    source, generated = ensure_store("sqlite", args.size)
    source.close()
    print(f"store ready in {time.perf_counter() - began:.1f} s (generated: {generated})")
    original = Path(url_for("sqlite", args.size).removeprefix("sqlite:///"))
    scratch = OUT / f"scratch_notify_{args.size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(original, scratch)
    url = f"sqlite:///{scratch}"
    if args.own_tracks:
        people, seconds = add_own_tracks(url, TRACKED_DAY)
        print(
            f"own tracks: {people} people issued, qualified, 3 in 5 acknowledged ({seconds:.1f} s)"
        )

    rebuild = rebuild_seconds(url)
    ledger = Ledger(url)
    events = ledger.store.count_events()
    open_account(ledger, "coord", "Coordinator", actor="system:bench")
    grant_role(
        ledger,
        "coord",
        "coordinator",
        agency="bench-pd",
        actor="system:bench",
        starts_on=TRACKED_DAY,
    )
    record_email(ledger, "coord", "coord@bench.example", actor="system:bench")
    accepting = Accepting()
    channels = Channels(accepting, accepting)
    began = time.perf_counter()
    first = run_pass(ledger, "bench-pd", TRACKED_DAY, channels)
    first_seconds = time.perf_counter() - began
    began = time.perf_counter()
    second = run_pass(ledger, "bench-pd", TRACKED_DAY, channels)
    second_seconds = time.perf_counter() - began
    ledger.close()
    print(f"size {args.size}: {events} events; rebuild {rebuild:.2f} s")
    print(
        f"first pass {first_seconds:.2f} s: {first.decided} decided, {first.delivered} "
        f"delivered (ratio to rebuild {first_seconds / rebuild:.2f})"
    )
    print(
        f"second pass {second_seconds:.2f} s: {second.decided} decided, {second.delivered} "
        f"delivered (ratio to rebuild {second_seconds / rebuild:.2f})"
    )


if __name__ == "__main__":
    main()
