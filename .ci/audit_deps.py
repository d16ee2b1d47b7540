"""Audit the locked requirements for known vulnerabilities (``make audit``, part of
``make test``). See README "Dependency audit" for what each outcome means.

1. ``pip-audit`` against ``requirements.lock`` (pins as they are, no resolver), first with
   PyPI's advisory service, then with OSV for whatever PyPI could not answer.
2. Pins neither service answered: PyPI's project JSON (``/pypi/NAME/json``) carries the
   advisories of the project's latest release; a pin that *is* the latest release is
   audited by it. (Some PyPI mirrors serve that page but not the per-release one.)
3. Nothing reachable at all: the local record ``.ci/audit-record.json``, written by the
   last run that reached a service (``--record``), stands for this lock file if the lock
   file is byte-for-byte the one recorded; its date is printed.

A known vulnerability in any pin fails (exit 1). A pin no source could audit is named in a
warning and does not fail, so ``make test`` does not depend on the network; set
``MUSTER_AUDIT_STRICT=1`` to make it fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
RECORD = ROOT / ".ci" / "audit-record.json"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
TIMEOUT = 15

Result = dict[str, list[str]]  # "name==version" -> advisory ids (empty: audited, none known)


def pins() -> list[tuple[str, str]]:
    found = []
    for raw in LOCK.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and "==" in line:
            name, version = line.split("==", 1)
            found.append((name.strip(), version.strip()))
    return found


def pip_audit(service: str, requirements: list[tuple[str, str]]) -> Result:
    """The pins ``service`` audited (a pin it could not look up is left out)."""
    if not requirements:
        return {}
    with tempfile.TemporaryDirectory() as work:
        req = Path(work) / "requirements.txt"
        req.write_text("".join(f"{n}=={v}\n" for n, v in requirements))
        out = Path(work) / "report.json"
        command = [
            str(PIP_AUDIT), "--requirement", str(req), "--no-deps", "--disable-pip",
            "--vulnerability-service", service, "--format", "json", "--output", str(out),
            "--progress-spinner", "off", "--timeout", str(TIMEOUT),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"audit: pip-audit ({service}) did not answer: {last}")
            return {}
        report = json.loads(out.read_text())
    result: Result = {}
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            continue
        key = f"{dependency['name']}=={dependency['version']}"
        result[key] = [vuln["id"] for vuln in dependency.get("vulns", [])]
    return result


def latest_release_advisories(name: str, version: str) -> list[str] | None:
    """The advisories PyPI lists for ``name`` if ``version`` is its latest release."""
    url = f"https://pypi.org/pypi/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # a fixed https URL
            page: dict[str, Any] = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None
    if page.get("info", {}).get("version") != version:
        return None
    return [v["id"] for v in page.get("vulnerabilities", []) if not v.get("withdrawn")]


def lock_digest() -> str:
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()


def main() -> int:
    record_requested = "--record" in sys.argv[1:]
    wanted = pins()
    result: Result = {}
    how: dict[str, str] = {}
    for service in ("pypi", "osv"):
        missing = [(n, v) for n, v in wanted if f"{n}=={v}" not in result]
        for key, ids in pip_audit(service, missing).items():
            result[key], how[key] = ids, f"pip-audit ({service})"
    for name, version in wanted:
        key = f"{name}=={version}"
        if key not in result:
            ids = latest_release_advisories(name, version)
            if ids is not None:
                result[key], how[key] = ids, "PyPI project page (latest release)"
    source = "online"
    if not result and RECORD.exists():
        record = json.loads(RECORD.read_text())
        if record.get("lock_sha256") == lock_digest():
            result, source = record["result"], f"local record of {record['audited_on']}"
            how = dict.fromkeys(result, "local record")
            print(f"audit: no advisory service reachable; using the {source}")
        else:
            print("audit: no advisory service reachable, and the lock file changed since the")
            print("       local record (.ci/audit-record.json): run `make audit` online")
    unaudited = [f"{n}=={v}" for n, v in wanted if f"{n}=={v}" not in result]
    vulnerable = {key: ids for key, ids in result.items() if ids}
    counts: dict[str, int] = {}
    for way in how.values():
        counts[way] = counts.get(way, 0) + 1
    print(
        f"audit: {len(result)} of {len(wanted)} pins audited ("
        + ", ".join(f"{n} by {way}" for way, n in sorted(counts.items()))
        + f"); {len(vulnerable)} with known vulnerabilities"
    )
    for key, ids in sorted(vulnerable.items()):
        print(f"audit: VULNERABLE {key}: {', '.join(ids)}")
    if unaudited:
        print(f"audit: warning: not audited (no source answered): {', '.join(unaudited)}")
    if record_requested and source == "online" and result:
        RECORD.write_text(
            json.dumps(
                {
                    "audited_on": datetime.now(UTC).strftime("%Y-%m-%d"),
                    "lock_sha256": lock_digest(),
                    "how": how,
                    "result": result,
                },
                indent=1,
                sort_keys=True,
            )
            + "\n"
        )
        print(f"audit: recorded in {RECORD.relative_to(ROOT)}")
    strict = os.environ.get("MUSTER_AUDIT_STRICT", "").lower() in {"1", "true", "yes"}
    if vulnerable or (strict and unaudited):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
