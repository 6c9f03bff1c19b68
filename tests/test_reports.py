"""Reports: what a trainee, a facilitator and a programme owner read after an exercise.

Real runs of ``api-outage`` (the expert and the novice autopilots, and a script full of
hostile text) are played once per module and their journals rendered.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assessments.assessor import CRITERIA
from assessments.certificates import certify, verify
from assessments.keys import load_key
from assessments.policy import load_policy
from assessments.quiz import draw_quiz, grade_quiz, load_bank
from assessments.records import Records
from reports import ReportError, cohort_data, render_debrief, write_cohort, write_reports
from reports.views import load_session
from simulator.journal import Header, JournalWriter, read_journal
from tui.cli.parser import main

HOSTILE = "<script>alert('pwned')</script> \"quoted\" {{ 7*7 }} {% raw %} & <b>bold</b>"
"""Text a trainee could type: markup, quotes, template syntax."""

HOSTILE_SCRIPT = """
trainee: "Mallory <img src=x onerror=alert(1)> {{ name }}"
actions:
  - at: 1m10s
    do: acknowledge
    alert: APIErrorRateHigh
    rationale: "RATIONALE <script>alert('r')</script> {{ 7*7 }} \\"q\\""
  - at: 2m
    do: classify
    severity: SEV-2
  - at: 2m20s
    do: create_channel
    name: "#incident-2026-01-30-1515"
  - at: 3m
    do: post_update
    audience: incident
    status: investigating
    text: "UPDATE <iframe src=javascript:alert(2)></iframe> | pipe {{ x }}"
  - at: 3m30s
    do: note
    text: "NOTE </td></tr><script>alert(3)</script> {% if 1 %}x{% endif %}"
"""


def _play(out: Path, *args: str) -> Path:
    journal = out / "journal.jsonl"
    assert main(["run", "api-outage", "--quiet", "--journal", str(journal), *args]) == 0
    return journal


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("runs")
    script = base / "hostile.yaml"
    script.write_text(HOSTILE_SCRIPT, encoding="utf-8")
    out = {}
    for name, args in (
        ("expert", ("--autopilot", "expert", "--trainee", "Ada")),
        ("novice", ("--autopilot", "novice", "--trainee", "Ben")),
        ("hostile", ("--actions", str(script))),
    ):
        folder = base / name
        folder.mkdir()
        out[name] = _play(folder, *args)
    return out


@pytest.fixture(scope="module")
def debriefs(runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("debriefs")
    out = {}
    for name, journal in runs.items():
        write_reports(journal, base / name)
        out[name] = base / name
    return out


class _Text(HTMLParser):
    """The visible text and the tags of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# --------------------------------------------------------------------------- debrief content


def test_the_debrief_set_is_four_files(debriefs: dict[str, Path]) -> None:
    names = sorted(p.name for p in debriefs["expert"].iterdir())
    assert names == ["debrief.html", "debrief.json", "debrief.md", "postmortem.md"]


def test_the_expert_debrief_passes_with_a_row_per_criterion(debriefs: dict[str, Path]) -> None:
    page = _parse(debriefs["expert"] / "debrief.html")
    text = " ".join(page.text)
    assert "PASSED" in text and "NOT PASSED" not in text
    criterion_rows = {row[0].split()[-1]: row for row in page.rows if row[0].split()[-1:]}
    for cid in CRITERIA:
        assert cid in criterion_rows, cid
    ack = criterion_rows["ack_alert"]
    assert ack[1] == "✓ passed" and ack[3] == "2m"
    assert "Ada" in text and "api-outage" in text and "Seed" in text


def test_the_novice_debrief_lists_each_failed_criterion_under_to_improve(
    debriefs: dict[str, Path], runs: dict[str, Path]
) -> None:
    data = json.loads((debriefs["novice"] / "debrief.json").read_text(encoding="utf-8"))
    failed = [c["id"] for c in data["assessment"]["criteria"] if c["status"] == "failed"]
    assert {"ack_alert", "severity_correct", "status_page"} <= set(failed)
    improve_ids = [item["id"] for item in data["to_improve"]]
    assert set(failed) <= set(improve_ids)
    well = {item["title"] for item in data["went_well"]}
    assert all(c["title"] not in well for c in data["criteria"] if c["status"] == "failed")
    html = (debriefs["novice"] / "debrief.html").read_text(encoding="utf-8")
    improve = html.split("<h2>What to practise next</h2>", 1)[1].split("</ul>", 1)[0]
    assert "First alert acknowledged" in improve and "Practise" not in improve
    assert "Acknowledge the page first" in improve
    assert "NOT PASSED" in html


def test_trainee_actions_appear_in_the_timeline_with_their_rationale(
    debriefs: dict[str, Path],
) -> None:
    data = json.loads((debriefs["expert"] / "debrief.json").read_text(encoding="utf-8"))
    actions = [r for r in data["timeline"] if r["kind"] == "action"]
    assert [r["n"] for r in actions] == list(range(1, len(actions) + 1))
    reasoned = [r for r in actions if r["rationale"]]
    assert len(reasoned) >= 3
    act = reasoned[0]
    assert act["who"] == "Ada (IC)"
    assert re.fullmatch(r"T\+\d\d:\d\d", act["sim"]) and re.fullmatch(r"15:\d\d:\d\d", act["clock"])
    page = _parse(debriefs["expert"] / "debrief.html")
    row = next(r for r in page.rows if len(r) == 6 and r[0] == str(act["n"]))
    assert act["what"].split()[0] in row[4] and row[5] == " ".join(act["rationale"].split())


def test_the_chart_marks_every_action_and_the_deadlines_missed(debriefs: dict[str, Path]) -> None:
    html = (debriefs["novice"] / "debrief.html").read_text(encoding="utf-8")
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    data = json.loads((debriefs["novice"] / "debrief.json").read_text(encoding="utf-8"))
    assert svg.count('class="c-action"') + svg.count('class="c-rejected"') == data["actions"]
    assert 'class="c-threshold"' in svg and 'class="c-fault"' in svg
    assert "APIErrorRateHigh &gt; 5" in svg
    late = next(c for c in data["criteria"] if c["id"] == "ack_alert")
    assert late["status"] == "failed"
    assert 'class="c-bad"' in svg and ">never<" in svg  # the IC never assigned
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in html


def test_the_markdown_debrief_has_the_same_sections_and_criteria(
    debriefs: dict[str, Path],
) -> None:
    md = (debriefs["novice"] / "debrief.md").read_text(encoding="utf-8")
    for heading in ("## What to practise next", "## Went well", "## Criteria", "## Timeline"):
        assert heading in md
    for cid in CRITERIA:
        assert f"(`{cid}`)" in md
    table = [line for line in md.splitlines() if line.startswith("| ") and "`ack_alert`" in line]
    assert table and table[0].count(" | ") == 4 and "✗ failed" in table[0]


def test_the_json_debrief_holds_the_assessment_and_the_timeline(
    debriefs: dict[str, Path], runs: dict[str, Path]
) -> None:
    data = json.loads((debriefs["expert"] / "debrief.json").read_text(encoding="utf-8"))
    a = data["assessment"]
    assert {"scenario", "trainee", "policy", "score", "passed", "criteria"} <= set(a)
    assert a["trainee"] == "Ada" and a["passed"] is True
    assert [c["id"] for c in a["criteria"]] == list(CRITERIA)
    assert {"n", "t", "sim", "clock", "who", "channel", "what", "rationale", "kind"} == set(
        data["timeline"][0]
    )
    assert "chart" not in data


# --------------------------------------------------------------------------- escaping


def test_hostile_trainee_text_comes_out_escaped_in_html(debriefs: dict[str, Path]) -> None:
    html = (debriefs["hostile"] / "debrief.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<iframe" not in html and "<img" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;iframe src=javascript:alert(2)&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(3)" in html
    assert "{{ 7*7 }}" in html and "49" not in re.findall(r"RATIONALE[^<]*", html)[0]
    assert "{% if 1 %}x{% endif %}" in html
    page = _parse(debriefs["hostile"] / "debrief.html")
    assert page.tags.count("script") == 0
    text = "".join(page.text)
    assert "Mallory <img src=x onerror=alert(1)> {{ name }}" in text
    assert "RATIONALE <script>alert('r')</script> {{ 7*7 }}" in text


def test_hostile_trainee_text_cannot_open_a_tag_in_markdown(debriefs: dict[str, Path]) -> None:
    for name in ("debrief.md", "postmortem.md"):
        md = (debriefs["hostile"] / name).read_text(encoding="utf-8")
        assert "<script" not in md and "<iframe" not in md and "<img" not in md, name
        assert "&lt;script>alert(" in md or name == "postmortem.md"
    md = (debriefs["hostile"] / "debrief.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "UPDATE" in line)
    assert "\\| pipe {{ x }}" in row and row.count(" | ") == 5


def test_the_certificate_escapes_the_name() -> None:
    from reports.render import render_report
    from reports.views import certificate_view

    html = render_report(
        "certificate.html",
        certificate_view(
            {
                "warroom_certificate": 1,
                "title": "Incident Response Certification",
                "trainee": HOSTILE,
                "policy": "default",
                "stage": "initial",
                "issued": "2026-03-02",
                "expires": "2027-03-02",
                "criteria": [],
                "code": "ab" * 32,
            }
        ),
    )
    assert "<script" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html


# --------------------------------------------------------------------------- determinism


def test_rendering_a_journal_twice_gives_identical_bytes(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    first = write_reports(runs["novice"], tmp_path / "a")
    second = write_reports(runs["novice"], tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_report_holds_no_time_of_its_own_making(runs: dict[str, Path], tmp_path: Path) -> None:
    journal = tmp_path / "old.jsonl"
    _copy_as(runs["expert"], journal, "Ada", "2020-01-01T09:00:00+00:00")
    written = write_reports(journal, tmp_path / "out")
    today = date.today().isoformat()
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert today not in text, path.name
    assert "2020-01-01" in (tmp_path / "out" / "debrief.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- quiz


@pytest.fixture(scope="module")
def quiz_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    policy = load_policy("default")
    quiz = draw_quiz(load_bank(), policy, seed=7)
    answers: dict[str, object] = {}
    for i, item in enumerate(quiz.items):
        keys = item.question.answer_keys
        answers[item.question.id] = (
            None if i % 4 == 0 else (list(keys) if len(keys) > 1 else keys[0])
        )
    result = grade_quiz(quiz, answers, trainee="Ada")  # type: ignore[arg-type]
    path = tmp_path_factory.mktemp("quiz") / "quiz.json"
    path.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    return path


def test_the_debrief_shows_the_quiz_breakdown_when_a_result_is_given(
    runs: dict[str, Path], quiz_result: Path, tmp_path: Path
) -> None:
    write_reports(runs["expert"], tmp_path, formats=["html", "json"], quiz=quiz_result)
    data = json.loads((tmp_path / "debrief.json").read_text(encoding="utf-8"))
    quiz = json.loads(quiz_result.read_text(encoding="utf-8"))
    assert data["quiz"]["correct"] == quiz["correct"] and data["quiz"]["total"] == quiz["total"]
    assert len(data["quiz"]["missed"]) == quiz["total"] - quiz["correct"] > 0
    html = (tmp_path / "debrief.html").read_text(encoding="utf-8")
    assert "Knowledge quiz" in html and "Questions missed" in html
    for cat in quiz["categories"]:
        assert cat["name"] in html


def test_without_a_quiz_the_debrief_has_no_quiz_section(debriefs: dict[str, Path]) -> None:
    assert "Knowledge quiz" not in (debriefs["expert"] / "debrief.html").read_text("utf-8")


def test_a_file_that_is_not_a_quiz_result_is_refused(runs: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "quiz.json"
    bad.write_text('{"score": 1}', encoding="utf-8")
    with pytest.raises(ReportError, match="not a quiz result"):
        write_reports(runs["expert"], tmp_path / "out", quiz=bad)


# --------------------------------------------------------------------------- postmortem


def test_the_postmortem_draft_follows_the_blameless_template(debriefs: dict[str, Path]) -> None:
    md = (debriefs["novice"] / "postmortem.md").read_text(encoding="utf-8")
    sections = re.findall(r"^##+ (.+)$", md, flags=re.M)
    assert sections == [
        "Summary",
        "Impact",
        "Timeline (All times UTC)",
        "Root Cause",
        "Contributing Factors",
        "Resolution",
        "Lessons Learned",
        "What Went Well",
        "What Could Be Improved",
        "Action Items",
    ]
    assert "The ML inference pods stopped listening on port 8501" in md  # root cause, scenario
    assert "Restarting the ml-inference deployment" in md  # resolution, scenario
    assert "API error rate:** peaked at" in md  # impact, metrics
    impact = md.split("## Impact", 1)[1].split("##", 1)[0]
    assert re.search(r"`APIErrorRateHigh` at > 5%: firing for \d+m", impact), impact
    assert "firing for never" not in impact
    assert "**Authors:** [TO BE WRITTEN" in md and "**Users Affected:** [TO BE WRITTEN" in md
    assert "| Owner |" in md and "[TO BE WRITTEN: @name]" in md
    timeline = md.split("## Timeline (All times UTC)", 1)[1].split("## Root Cause", 1)[0]
    assert "acknowledge APIErrorRateHigh" in timeline and "15:1" in timeline


# --------------------------------------------------------------------------- certificate


def test_the_certificate_page_carries_the_code_that_verify_accepts(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    from datetime import UTC, datetime, time, timedelta

    db = tmp_path / "records.db"
    issue = date(2026, 3, 2)
    with Records(db) as records:
        at = datetime.combine(issue - timedelta(days=1), time(10), tzinfo=UTC)
        records.add_quiz(
            "Ada", policy="default", seed=1, correct=27, total=30, passed=True,
            categories=[{"id": "severity", "name": "Severity classification", "correct": 9,
                         "total": 10, "score": 0.9}],
            taken_at=at,
        )  # fmt: skip
        for kind, days in (
            ("shadow-shift", 30),
            ("shadow-shift", 23),
            ("mock-incident", 14),
            ("ic-exercise", 7),
        ):
            records.add_credit("Ada", kind, on=issue - timedelta(days=days), recorded_at=at)
        key = load_key(db, create=True)
        cert = certify(records, "Ada", load_policy("default"), today=issue, key=key).certificate
    assert cert is not None
    cert_path = tmp_path / "certificate.json"
    cert_path.write_text(cert.to_json(), encoding="utf-8")
    assert verify(cert_path, key, today=issue).ok

    written = write_reports(runs["expert"], tmp_path / "out", formats=["html"], db=db)
    assert [p.name for p in written] == ["debrief.html", "certificate.html"]
    page = (tmp_path / "out" / "certificate.html").read_text(encoding="utf-8")
    assert cert.code in page and "Ada" in page
    assert "2026-03-02" in page and "2027-03-02" in page and "default" in page
    html = (tmp_path / "out" / "debrief.html").read_text(encoding="utf-8")
    assert "Knowledge quiz" in html and "Severity classification" in html  # from the records

    assert main(["report", "--certificate", str(cert_path), "--out", str(tmp_path / "c")]) == 0
    assert cert.code in (tmp_path / "c" / "certificate.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- cohort


def _copy_as(journal: Path, dest: Path, trainee: str, started_at: str) -> None:
    """The same session re-sealed under another trainee's name (a valid journal)."""
    source = read_journal(journal)
    h = source.header
    header = Header(
        h.scenario, h.scenario_sha256, h.scenario_path, h.seed, h.policy, h.severity_levels,
        trainee, h.driver, started_at,
    )  # fmt: skip
    with JournalWriter(dest, header) as writer:
        for event in source.events:
            writer(event)


@pytest.fixture(scope="module")
def cohort(runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cohort")
    plan = [
        ("Ada", "expert", "2026-03-01"),
        ("Ada", "expert", "2026-03-08"),
        ("Ben", "expert", "2026-03-01"),
        ("Ben", "novice", "2026-03-08"),
        ("Cy", "novice", "2026-03-01"),
        ("Cy", "novice", "2026-03-08"),
    ]
    for i, (who, run, day) in enumerate(plan):
        (folder / who).mkdir(exist_ok=True)
        _copy_as(runs[run], folder / who / f"{i}.jsonl", who, f"{day}T10:00:00+00:00")
    return folder


def test_the_cohort_report_gives_pass_rates_miss_rates_and_medians(cohort: Path) -> None:
    data = cohort_data([cohort])
    assert data["sessions"] == 6 and data["trainees"] == 3 and data["passed"] == 3
    (scenario,) = data["scenarios"]
    assert scenario["id"] == "api-outage" and scenario["pass_rate"] == 0.5
    ack = next(c for c in data["criteria"] if c["id"] == "ack_alert")
    assert ack["missed"] == 3 and ack["applicable"] == 6 and ack["miss_rate"] == 0.5
    expert_ack = json.loads(json.dumps(_ack_measured(cohort, "Ada")))
    novice_ack = _ack_measured(cohort, "Cy")
    assert ack["median_s"] == (expert_ack + novice_ack) / 2
    rates = [c["miss_rate"] for c in data["criteria"]]
    assert rates == sorted(rates, reverse=True)


def _ack_measured(folder: Path, who: str) -> float:
    session = load_session(next((folder / who).glob("*.jsonl")))
    value = session.assessment.criterion("ack_alert").measured_s
    assert value is not None
    return value


def test_the_cohort_names_the_trainees_who_need_attention(cohort: Path) -> None:
    data = cohort_data([cohort])
    attention = {t["name"]: t for t in data["attention"]}
    assert set(attention) == {"Ben", "Cy"}  # Ben's latest session failed; Cy passed none
    assert any("latest session failed" in r for r in attention["Ben"]["reasons"])
    assert any("passed 0 of 2" in r for r in attention["Cy"]["reasons"])
    assert any("keeps missing" in r for r in attention["Cy"]["reasons"])


def _abandon(journal: Path, dest: Path, trainee: str, until: float) -> None:
    """The same session left at ``until`` seconds: no ``scenario_ended`` (quit, or killed)."""
    source = read_journal(journal)
    h = source.header
    header = Header(
        h.scenario, h.scenario_sha256, h.scenario_path, h.seed, h.policy, h.severity_levels,
        trainee, h.driver, "2026-03-09T10:00:00+00:00",
    )  # fmt: skip
    with JournalWriter(dest, header) as writer:
        for event in source.events:
            if event.t <= until:
                writer(event)


def test_abandoned_sessions_are_counted_apart_and_never_as_failures(
    cohort: Path, runs: dict[str, Path], tmp_path: Path
) -> None:
    """Left after 25 s and killed after a minute: listed as abandoned, not failed, no reason."""
    folder = tmp_path / "cohort"
    shutil.copytree(cohort, folder)
    _abandon(runs["expert"], folder / "Ada" / "left.jsonl", "Ada", 25)
    _abandon(runs["expert"], folder / "Ada" / "killed.jsonl", "Ada", 60)
    data = cohort_data([folder])
    assert data["sessions"] == 6 and data["passed"] == 3
    assert sorted(Path(x["path"]).name for x in data["abandoned"]) == ["killed.jsonl", "left.jsonl"]
    assert {x["trainee"] for x in data["abandoned"]} == {"Ada"}
    ack = next(c for c in data["criteria"] if c["id"] == "ack_alert")
    assert ack["applicable"] == 6 and ack["missed"] == 3
    assert "Ada" not in {t["name"] for t in data["attention"]}
    files = write_cohort(data, tmp_path / "out")
    html = files[0].read_text(encoding="utf-8")
    assert "2 abandoned sessions were left before the end and not graded" in html


def test_the_cohort_report_is_written_in_three_formats_and_is_deterministic(
    cohort: Path, tmp_path: Path
) -> None:
    a = write_cohort(cohort_data([cohort]), tmp_path / "a")
    b = write_cohort(cohort_data([cohort]), tmp_path / "b")
    assert [p.name for p in a] == ["cohort.html", "cohort.md", "cohort.json"]
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
    html = a[0].read_text(encoding="utf-8")
    assert "Trainees who need attention" in html and "Cy" in html


def test_the_cohort_command_lists_unreadable_journals_and_exits_1(
    cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(cohort, folder)
    (folder / "broken.jsonl").write_text("not json\n", encoding="utf-8")
    code = main(["report", "--cohort", str(folder), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{folder / 'broken.jsonl'}:1: error: header is not valid JSON" in err
    assert "Traceback" not in err
    assert (tmp_path / "out" / "cohort.html").exists()
    data = json.loads((tmp_path / "out" / "cohort.json").read_text(encoding="utf-8"))
    assert data["sessions"] == 6 and len(data["skipped"]) == 1


# --------------------------------------------------------------------------- command line


def test_report_writes_the_set_and_prints_the_paths(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(runs["expert"]), "--out", str(tmp_path), "--format", "md,json"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / "debrief.md"), str(tmp_path / "debrief.json")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("", "empty journal"),
        ('{"warroom_journal": 1}\n', "header is missing or has a bad field"),
        ("[1, 2\n", ":1: error: header is not valid JSON"),
    ],
)
def test_a_bad_journal_is_one_error_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    journal = tmp_path / "j.jsonl"
    if content is not None:
        journal.write_text(content, encoding="utf-8")
    assert main(["report", str(journal), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{journal}") and expected in err[0]
    assert ": error:" in err[0]
    assert not (tmp_path / "out").exists()


def test_a_corrupt_line_in_the_middle_is_reported_with_its_line(
    runs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = runs["expert"].read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = "{broken\n"
    journal = tmp_path / "j.jsonl"
    journal.write_text("".join(lines), encoding="utf-8")
    assert main(["report", str(journal), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.startswith(f"{journal}:6: error:")


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--out", "x"],
        ["report", "--cohort", "d"],  # a cohort has no journal to write beside
        ["report", "j.jsonl", "--cohort", "d", "--out", "x"],
        ["report", "j.jsonl", "--out", "x", "--format", "pdf"],
        ["report", "j.jsonl", "--out", "x", "--policy", "no-such-policy"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        code = main(argv)
        raise SystemExit(code)
    assert raised.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_run_with_report_writes_the_full_set(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert (
        main(["run", "api-outage", "--autopilot", "expert", "--quiet", "--report", str(out)]) == 0
    )
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "assessment.json",
        "debrief.html",
        "debrief.json",
        "debrief.md",
        "journal.jsonl",
        "postmortem.md",
    ]


@pytest.fixture
def no_ci(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CI", raising=False)
    yield


def test_the_progress_bar_shows_only_on_a_terminal_outside_ci(
    no_ci: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from tui.cli.common import progress_bar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    show = progress_bar(tty)
    assert show is not None
    for i in range(1, 21):
        show(i, 20)
    assert "20/20" in tty.getvalue() and tty.getvalue().endswith("\n")
    assert progress_bar(io.StringIO()) is None
    monkeypatch.setenv("CI", "true")
    assert progress_bar(Tty()) is None


def test_the_renderer_refuses_an_unknown_format(runs: dict[str, Path]) -> None:
    with pytest.raises(ReportError):
        render_debrief(load_session(runs["expert"]), "pdf")


def test_a_critical_failure_comes_first_in_the_debrief_and_decides_it(
    debriefs: dict[str, Path],
) -> None:
    # The hostile script never mitigates: the root cause is still active at the end.
    md = (debriefs["hostile"] / "debrief.md").read_text(encoding="utf-8")
    critical = md.index("**NOT PASSED: critical failure (impact not ended)**")
    assert critical < md.index("score ") < md.index("## What to practise next")
    data = json.loads((debriefs["hostile"] / "debrief.json").read_text(encoding="utf-8"))
    assert data["assessment"]["decided_by"] == "impact_not_ended"
    html = (debriefs["hostile"] / "debrief.html").read_text(encoding="utf-8")
    assert html.index("Critical failure (impact not ended)") < html.index("Score <b>")


def test_the_debrief_publishes_the_formula_and_the_behavioural_markers(
    debriefs: dict[str, Path],
) -> None:
    md = (debriefs["expert"] / "debrief.md").read_text(encoding="utf-8")
    formula = md[md.index("## How the result was computed") : md.index("## Behavioural markers")]
    assert "rounded down" in formula and "Passing Score: 80%" in formula
    assert "Critical failure (never acknowledged)" in formula
    markers = md[md.index("## Behavioural markers") : md.index("## Criteria")]
    assert "Delegation:" in markers and "had seen:" in markers
    assert not re.search(r"\d\.\d+s\b", markers), markers  # to the second, as people say it


def test_the_cohort_report_counts_deciding_critical_failures_and_summarises_markers(
    cohort: Path,
) -> None:
    data = cohort_data([cohort])
    assert {m["id"] for m in data["markers"]} >= {"delegated", "heads_down_s"}
    assert all(c["sessions"] >= 1 for c in data["critical_failures"])


# --------------------------------------------------------------------------- as a browser, a printer and a linter see them


def markdown_structure_problems(md: str) -> list[str]:
    """Blank lines around headings and lists, and never two in a row (markdownlint's MD012,
    MD022 and MD032), as ``line: problem``."""
    lines = md.split("\n")
    problems: list[str] = []

    def is_item(line: str) -> bool:
        return bool(re.match(r"^(\s*[-*+] |\s*\d+\. )", line))

    for i, line in enumerate(lines):
        before = lines[i - 1] if i else ""
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if i and line == "" and before == "":
            problems.append(f"{i + 1}: two blank lines")
        if line.startswith("#"):
            if i and before != "":
                problems.append(f"{i + 1}: no blank line above the heading")
            if after != "":
                problems.append(f"{i + 1}: no blank line below the heading")
        if is_item(line) and not line.startswith(" "):
            if i and before != "" and not is_item(before) and not before.startswith("  "):
                problems.append(f"{i + 1}: no blank line above the list")
            if after != "" and not is_item(after) and not after.startswith("  "):
                problems.append(f"{i + 1}: no blank line below the list")
    return problems


@pytest.mark.parametrize("name", ["debrief.md", "postmortem.md"])
@pytest.mark.parametrize("run", ["expert", "novice"])
def test_the_markdown_outputs_have_blank_lines_around_headings_and_lists(
    debriefs: dict[str, Path], run: str, name: str
) -> None:
    md = (debriefs[run] / name).read_text(encoding="utf-8")
    assert markdown_structure_problems(md) == []


def test_the_cohort_markdown_has_blank_lines_around_headings_and_lists(
    cohort: Path, tmp_path: Path
) -> None:
    written = write_cohort(cohort_data([cohort]), tmp_path)
    md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
    assert markdown_structure_problems(md) == []


def test_the_postmortem_summary_is_in_the_third_person(debriefs: dict[str, Path]) -> None:
    md = (debriefs["novice"] / "postmortem.md").read_text(encoding="utf-8")
    summary = md.split("## Summary", 1)[1].split("[TO BE WRITTEN", 1)[0]
    assert not re.search(r"\b(you|your)\b", summary, flags=re.I), summary
    assert "The first alert, APIErrorRateHigh, fired at 15:15 UTC." in summary
    assert "led the response as Incident Commander" in summary


def test_the_html_pages_have_one_main_landmark_and_a_heading_for_the_verdict(
    debriefs: dict[str, Path], cohort: Path, tmp_path: Path
) -> None:
    written = write_cohort(cohort_data([cohort]), tmp_path)
    pages = [debriefs["novice"] / "debrief.html", next(p for p in written if p.suffix == ".html")]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.count("<main>") == 1 and html.count("</main>") == 1, page.name
        body = html.split("<main>", 1)[1].split("</main>", 1)[0]
        assert "<h2" in body, page.name
    debrief = pages[0].read_text(encoding="utf-8")
    verdict = debrief.split('<section class="verdict', 1)[1].split("</section>", 1)[0]
    assert '<h2 class="big" id="verdict">NOT PASSED</h2>' in verdict
    assert 'aria-labelledby="verdict"' in verdict


def test_the_stylesheet_keeps_headings_with_what_follows_in_print(
    debriefs: dict[str, Path],
) -> None:
    html = (debriefs["novice"] / "debrief.html").read_text(encoding="utf-8")
    assert "paint-order" not in html  # rejected by the CSS validator's profile
    printing = html.split("@media print", 1)[1]
    assert re.search(r"h1, h2, h3 \{ break-after: avoid; break-inside: avoid; \}", printing)
    assert ".keep" in printing
    for heading in ("Went well", "Also noticed", "Objectives"):
        assert re.search(rf'<div class="keep">\s*<h3>{heading}</h3>', html), heading
