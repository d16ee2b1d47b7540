"""The ``credential`` and ``policy`` command groups through the real console script, on both
backends: a range day is all rows or none, the cross-track status reads at 80 columns,
and a policy goes from upload to coverage; refusals are one line, exit status 2."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ledger.application import Ledger
from tests.api.test_cli import run

AGENCY = "cred-pd"
NARROW = {"COLUMNS": "80"}


def _events(url: str) -> int:
    ledger = Ledger(url)
    try:
        return ledger.store.count_events()
    finally:
        ledger.close()


@pytest.fixture
def url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MUSTER_ACTOR", "range.master")
    run(database_url, "agency", "add", AGENCY, "--name", "Credential PD", "--state", "MN")
    for employee_id in ("E1", "E2"):
        run(
            database_url,
            *("person", "enrol", employee_id, "--agency", AGENCY, "--first-name", "Pat"),
            *("--last-name", employee_id, "--hired-on", "2019-01-07"),
        )
        run(
            database_url,
            *("credential", "issue-weapon", employee_id, "--agency", AGENCY),
            *(
                "--weapon-class",
                "handgun",
                "--make-model",
                "Glock 17",
                "--serial",
                f"G-{employee_id}",
            ),
            *("--on", "2024-01-02"),
        )
    return database_url


def _define(url: str) -> None:
    run(
        url,
        *(
            "credential",
            "define",
            "firearms",
            "--agency",
            AGENCY,
            "--name",
            "Handgun qualification",
        ),
        *(
            "--holder",
            "kind:sworn",
            "--from",
            "2020-01-01",
            "--validity",
            "months",
            "--months",
            "12",
        ),
        *(
            "--passing-score",
            "80",
            "--max-score",
            "100",
            "--per-weapon",
            "--weapon-class",
            "handgun",
        ),
    )


def test_a_range_day_is_every_row_or_none_and_the_status_spans_the_tracks(
    url: str, tmp_path: Path
) -> None:
    _define(url)
    roster = tmp_path / "range.csv"
    roster.write_text(
        "employee_id,result,score,weapon_class,make_model,serial\n"
        "E1,pass,94,handgun,Glock 17,G-E1\n"
        "E2,pass,140,handgun,Glock 17,G-E2\n"
    )
    before = _events(url)
    refused = run(
        url,
        *("credential", "range-day", str(roster), "--agency", AGENCY, "--type", "firearms"),
        *("--instructor", "Sgt. Range", "--on", "2025-03-10"),
        ok=False,
    )
    assert refused.returncode == 2
    assert "range.csv line 3: score '140': out of range 0-100; nothing recorded" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert "Traceback" not in refused.stderr
    assert _events(url) == before
    roster.write_text(roster.read_text().replace("140", "71").replace("E2,pass", "E2,fail"))
    written = run(
        url,
        *("credential", "range-day", str(roster), "--agency", AGENCY, "--type", "firearms"),
        *("--instructor", "Sgt. Range", "--on", "2025-03-10", "--json"),
    )
    assert json.loads(written.stdout)["events"] == ["QualificationAttempted"] * 2
    again = run(
        url,
        *("credential", "range-day", str(roster), "--agency", AGENCY, "--type", "firearms"),
        *("--instructor", "Sgt. Range", "--on", "2025-03-10"),
        ok=False,
    )
    assert again.returncode == 2
    assert "range.csv line 2: E1: record" in again.stderr
    assert "is already recorded; nothing recorded" in again.stderr
    args = ("--agency", AGENCY, "--as-of", "2026-03-10", "--track", "credential")
    expired = json.loads(run(url, "credential", "status", "E1", *args, "--json").stdout)
    assert expired["status"] == "non_compliant"
    assert expired["items"][0]["until"] == "2026-03-09"
    text = run(
        url, "credential", "status", "E2", "--agency", AGENCY, "--as-of", "2025-04-01", env=NARROW
    ).stdout
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), text
    assert "last attempt on 2025-03-10 failed, score 71" in " ".join(t.strip() for t in lines)
    table = json.loads(
        run(
            url,
            "credential",
            "roster",
            "--agency",
            AGENCY,
            "--as-of",
            "2025-04-01",
            "--track",
            "credential",
            "--json",
        ).stdout
    )
    assert [(p["employee_id"], p["status"]) for p in table["people"]] == [
        ("E1", "compliant"),
        ("E2", "non_compliant"),
    ]
    unknown = run(
        url,
        "credential",
        "qualify",
        "E1",
        "--agency",
        AGENCY,
        "--type",
        "swat",
        "--result",
        "pass",
        "--instructor",
        "X",
        "--on",
        "2025-01-01",
        ok=False,
    )
    assert unknown.returncode == 2
    assert "no credential type 'swat'" in unknown.stderr


def test_a_policy_from_upload_to_coverage(url: str, tmp_path: Path) -> None:
    document = tmp_path / "use-of-force.md"
    document.write_bytes(b"# Use of force\n\nOnly objectively reasonable force.\n")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    uploaded = json.loads(
        run(
            url,
            "policy",
            "upload",
            "use-of-force",
            str(document),
            "--agency",
            AGENCY,
            "--title",
            "Use of force",
            "--json",
        ).stdout
    )
    assert uploaded["result"] == digest
    run(
        url,
        "policy",
        "publish",
        "use-of-force",
        digest[:10],
        "--agency",
        AGENCY,
        "--from",
        "2025-01-02",
    )
    run(
        url,
        "policy",
        "assign",
        "use-of-force",
        "--agency",
        AGENCY,
        "--audience",
        "everyone",
        "--due-days",
        "30",
        "--from",
        "2025-01-02",
    )
    run(
        url,
        "policy",
        "acknowledge",
        "E1",
        "use-of-force",
        "1",
        "--agency",
        AGENCY,
        "--channel",
        "online",
        "--quiz",
        "q1=b",
        "--score",
        "100",
        "--on",
        "2025-01-05",
    )
    coverage = json.loads(
        run(
            url,
            "policy",
            "coverage",
            "use-of-force",
            "--agency",
            AGENCY,
            "--as-of",
            "2025-03-01",
            "--json",
        ).stdout
    )
    assert coverage["counts"] == {"compliant": 1, "non_compliant": 1}
    text = run(
        url,
        "policy",
        "coverage",
        "use-of-force",
        "--agency",
        AGENCY,
        "--as-of",
        "2025-03-01",
        env=NARROW,
    ).stdout
    assert all(len(line) <= 80 for line in text.splitlines()), text
    flat = " ".join(line.strip() for line in text.splitlines())
    assert "E1: compliant (acknowledged v1 on 2025-01-05)" in flat
    assert "E2: non-compliant (v1 not acknowledged: overdue since 2025-02-01)" in flat
    who = json.loads(
        run(
            url,
            "policy",
            "acknowledged",
            "use-of-force",
            "1",
            "--agency",
            AGENCY,
            "--on",
            "2025-03-01",
            "--json",
        ).stdout
    )
    assert [(a["employee_id"], a["quiz_score"]) for a in who["acknowledged"]] == [("E1", "100")]
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    refused = run(
        url, "policy", "upload", "x", str(binary), "--agency", AGENCY, "--title", "X", ok=False
    )
    assert refused.returncode == 2
    assert "PDF or UTF-8 Markdown" in refused.stderr


def test_roster_and_trend_answer_across_the_tracks_and_each_alone(url: str) -> None:
    """``muster roster`` and ``muster trend`` across the tracks by default: E1 and E2 hold
    a Glock and never qualified, so their firearms credential is non-compliant; ``--track
    credentials`` shows that track alone, ``--track k9`` is refused in one line."""
    _define(url)
    axes = ("--agency", AGENCY, "--as-of", "2025-03-01")
    answer = json.loads(run(url, "roster", *axes, "--format", "json").stdout)
    assert answer["tracks_shown"] == ["state", "credential", "policy"]
    assert answer["counts_by_track"]["credential"] == {"non_compliant": 2}
    e1 = next(p for p in answer["people"] if p["employee_id"] == "E1")
    assert e1["status"] == "non_compliant"
    assert e1["tracks"]["credential"] == "non_compliant"
    alone = json.loads(
        run(url, "roster", *axes, "--track", "credentials", "--format", "json").stdout
    )
    assert list(alone["counts_by_track"]) == ["credential"]
    csv = run(url, "roster", *axes, "--format", "csv").stdout
    assert csv.splitlines()[0].split(",")[8] == "track"
    table = run(url, "roster", *axes, env=NARROW).stdout
    assert "credential track: non-compliant: 2" in table
    assert "credential firearms[G-E1]" in table
    trend = json.loads(
        run(
            url,
            *("trend", "--agency", AGENCY, "--from", "2025-01-01", "--to", "2025-03-01"),
            *("--track", "credentials", "--json"),
        ).stdout
    )
    assert [p["counts_by_track"]["credential"] for p in trend["points"]] == [
        {"non_compliant": 2}
    ] * 3
    state = json.loads(run(url, "roster", *axes, "--track", "state", "--format", "json").stdout)
    assert "tracks_shown" not in state
    refused = run(url, "roster", *axes, "--track", "k9", ok=False)
    assert refused.returncode == 2
    assert "credentials or policies" in refused.stderr


def test_a_quiz_set_from_a_file_scores_acknowledgements(url: str, tmp_path: Path) -> None:
    """``muster policy quiz`` from a TOML (or JSON) file; ``acknowledge --quiz`` answers are
    scored by the ledger: a fail is refused in one line and writes nothing, a disagreeing
    ``--score`` too, a pass is recorded with the ledger's score."""
    document = tmp_path / "pursuit.md"
    document.write_bytes(b"# Pursuit\n\nEnd a pursuit when the risk outweighs the need.\n")
    axes = ("--agency", AGENCY)
    run(url, "policy", "upload", "pursuit", str(document), *axes, "--title", "Pursuit")
    run(url, "policy", "publish", "pursuit", hashlib.sha256(
        document.read_bytes()).hexdigest()[:10], *axes, "--from", "2025-01-02",
        "--reason", "First issue")  # fmt: skip
    quiz = tmp_path / "quiz.toml"
    quiz.write_text(
        'pass_mark = 50\n\n[[questions]]\nid = "ends"\ntext = "When does it end?"\n'
        'choices = ["Never", "When the risk outweighs the need"]\ncorrect = 2\n\n'
        '[[questions]]\ntext = "Who calls it off?"\nchoices = ["A supervisor", "Nobody"]\n'
        "correct = 1\n"
    )
    run(url, "policy", "quiz", "pursuit", "1", str(quiz), *axes)
    bad = tmp_path / "quiz.json"
    bad.write_text(
        '{"pass_mark": 50, "questions": [{"text": "A", "choices": ["x"], "correct": 1}]}'
    )
    refused = run(url, "policy", "quiz", "pursuit", "1", str(bad), *axes, ok=False)
    assert refused.returncode == 2
    assert "give 2-8 choices" in refused.stderr
    ack = ("policy", "acknowledge", "E1", "pursuit", "1", *axes, "--on", "2025-01-05")
    before = _events(url)
    failed = run(url, *ack, "--quiz", "ends=1", "--quiz", "q2=2", ok=False)
    assert failed.returncode == 2
    assert "0% correct, below the pass mark of 50%" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    lied = run(url, *ack, "--quiz", "ends=1", "--quiz", "q2=1", "--score", "100", ok=False)
    assert "the answers score 50" in lied.stderr
    assert _events(url) == before
    run(url, *ack, "--quiz", "ends=2", "--quiz", "q2=1")
    who = json.loads(
        run(url, "policy", "acknowledged", "pursuit", "1", *axes, "--on", "2025-03-01",
            "--json").stdout
    )  # fmt: skip
    assert [(a["employee_id"], a["quiz_score"]) for a in who["acknowledged"]] == [("E1", "100")]


def test_replay_stores_the_credential_items_beside_the_tracked_model(url: str) -> None:
    """``muster replay`` judges and stores the credential and policy items for today of
    everyone not stored yet: none after a roster stored them, the one person written to
    since; the roster read afterwards is the same."""
    _define(url)
    before = json.loads(run(url, "roster", "--agency", AGENCY, "--format", "json").stdout)
    first = run(url, "replay", "--workers", "1", env=NARROW).stdout
    # The roster asked before stored them for today already: nobody is judged again.
    assert "credential and policy items" not in first
    run(url, "credential", "issue-weapon", "E1", "--agency", AGENCY,
        *("--weapon-class", "rifle", "--make-model", "AR-15", "--serial", "R-E1"),
        *("--on", "2024-02-01"))  # fmt: skip
    again = run(url, "replay", "--catch-up", env=NARROW).stdout
    assert f"{AGENCY}: credential and policy items stored for 1 person" in again
    for line in again.splitlines():
        assert len(line) <= 80, line
    after = json.loads(run(url, "roster", "--agency", AGENCY, "--format", "json").stdout)
    # A rifle is of no class the type binds: E1's items are judged again, and the same.
    assert after["people"] == before["people"]


def test_a_credential_earned_by_training_hours_from_the_command_line(url: str) -> None:
    """``credential define --earned-by training_hours`` with its topics, hours and window;
    a bad one is one line naming the field with nothing written; the status shows the
    hours counted toward it, and the day they are met."""
    define = (
        *("credential", "define", "tactics", "--agency", AGENCY, "--name", "Tactics"),
        *("--holder", "kind:sworn", "--from", "2024-01-01", "--months", "12"),
        *("--earned-by", "training_hours", "--topic", "firearms,defensive_tactics"),
        *("--hours-window-months", "12"),
    )
    before = _events(url)
    refused = run(url, *define, "--hours-required", "0", ok=False)
    assert refused.returncode == 2
    assert "hours_required '0': must be more than 0 and at most 1000" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert _events(url) == before
    run(url, *define, "--hours-required", "16")
    listed = json.loads(run(url, "credential", "list", "--agency", AGENCY, "--json").stdout)
    (tactics,) = [t for t in listed["credential_types"] if t["type_id"] == "tactics"]
    assert (tactics["topics"], tactics["hours_required"], tactics["hours_window_months"]) == (
        ["defensive_tactics", "firearms"],
        "16",
        12,
    )
    for on, topic in (("2025-01-10", "firearms=10"), ("2025-03-01", "defensive_tactics=6")):
        run(
            url,
            *("training", "record", "E1", "--agency", AGENCY, "--course", "Range"),
            *("--hours", "10" if topic.startswith("firearms") else "6", "--on", on),
            *("--topic", topic),
        )
    args = ("--agency", AGENCY, "--track", "credential", "--json")
    short = json.loads(
        run(url, "credential", "status", "E1", "--as-of", "2025-02-28", *args).stdout
    )
    (item,) = [i for i in short["items"] if i["item_id"] == "tactics"]
    assert item["status"] == "non_compliant"
    assert item["reasons"][0].startswith(
        "never earned: 10 of 16 hours in defensive_tactics, firearms by 2025-02-28"
    )
    met = json.loads(run(url, "credential", "status", "E1", "--as-of", "2025-03-01", *args).stdout)
    (item,) = [i for i in met["items"] if i["item_id"] == "tactics"]
    assert (item["status"], item["until"]) == ("compliant", "2026-02-28")
    text = run(
        url, "credential", "status", "E2", "--agency", AGENCY, "--as-of", "2025-03-01", env=NARROW
    ).stdout
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert "0 of 16 hours in defensive_tactics" in " ".join(t.strip() for t in text.splitlines())


def test_a_quiz_past_the_ledgers_limit_is_refused_in_one_line(url: str, tmp_path: Path) -> None:
    """``muster policy quiz`` takes up to ``MAX_QUESTIONS`` (20) questions, as the
    dashboard's form and the API do; one more is refused naming the field, nothing written."""
    document = tmp_path / "pursuit.md"
    document.write_bytes(b"# Pursuit\n\nEnd a pursuit when the risk outweighs the need.\n")
    axes = ("--agency", AGENCY)
    run(url, "policy", "upload", "pursuit", str(document), *axes, "--title", "Pursuit")

    def quiz(count: int) -> str:
        questions = [
            {"text": f"Question {n}?", "choices": [f"Yes {n}", f"No {n}"], "correct": 1}
            for n in range(1, count + 1)
        ]
        path = tmp_path / f"quiz-{count}.json"
        path.write_text(json.dumps({"pass_mark": 50, "questions": questions}))
        return str(path)

    version = hashlib.sha256(document.read_bytes()).hexdigest()[:12]
    before = _events(url)
    refused = run(url, "policy", "quiz", "pursuit", version, quiz(21), *axes, ok=False)
    assert refused.returncode == 2
    assert "questions: a quiz has at most 20 questions (this one has 21)" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _events(url) == before
    run(url, "policy", "quiz", "pursuit", version, quiz(20), *axes)
    assert _events(url) == before + 1
