"""The agency report's PDF alone: ``report_pdf`` for a synthetic roster of 1,454 rows (the
M packet's row count), best of 3. Run from two checkouts in turn to compare them:

    cd OTHER_CHECKOUT && python /path/to/benchmarks/report_pdf_bench.py LABEL
"""

import sys
import time

from replay.packet.report import report_pdf

people = []
for i in range(1454):
    reqs = [
        {"requirement_id": r, "status": "non_compliant" if (i + j) % 3 == 0 else "compliant"}
        for j, r in enumerate(["total_ce", "mlo", "use_of_force_annual", "evoc"])
    ]
    people.append(
        {
            "employee_id": f"E{i:05d}",
            "name": f"Officer{i}, Pat",
            "kind": "sworn",
            "person_status": "active",
            "compliance": {"status": "non_compliant", "requirements": reqs},
        }
    )
packet = {
    "kind": "agency",
    "agency": "bench-pd",
    "agency_name": "Bench PD",
    "employee_id": None,
    "as_of": "2026-03-17",
    "known_at": "2026-03-17T12:00:00.000000+00:00",
    "time_zone": "America/Chicago",
}
answer = {
    "counts": {"compliant": 500, "non_compliant": 954},
    "not_yet_hired": 0,
    "rule_versions_known": ["a", "b"],
}
digest = {"root": "ab" * 32, "position": 96250, "events": 96250}
best = min(
    (lambda t: (report_pdf(packet, answer, people, digest), time.perf_counter() - t)[1])(
        time.perf_counter()
    )
    for _ in range(3)
)
print(f"{sys.argv[1]}: {best:.2f} s")
