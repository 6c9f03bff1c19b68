"""Certification rules on fixed dates, the roster, and tamper-evident certificates."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from assessments.certificates import ALTERED, certify, verify
from assessments.certification import exercise_credits, percent, roster, status
from assessments.keys import key_path, load_key
from assessments.policy import Policy, load_policy
from assessments.records import ExerciseAttempt, Records, RecordsError

ISSUE = date(2026, 3, 2)
"""The day the trainees of these tests are first certified."""
YEAR_LATER = date(2027, 3, 2)
"""``ISSUE`` + 365 days: the day that certificate expires."""
KEY = bytes(range(32))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("default")


@pytest.fixture
def records(records_location: str) -> Iterator[Records]:
    """The records, on SQLite and then on PostgreSQL (``conftest.records_location``)."""
    with Records(records_location) as opened:
        yield opened


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def add_quiz(
    records: Records, name: str, day: date, correct: int = 27, policy: str = "default"
) -> None:
    records.add_quiz(
        name,
        policy=policy,
        seed=day.toordinal(),
        correct=correct,
        total=30,
        passed=Fraction(correct, 30) >= Fraction(4, 5),
        categories=[],
        taken_at=at(day),
    )


def add_credit(records: Records, name: str, kind: str, day: date, note: str | None = None) -> None:
    records.add_credit(name, kind, on=day, note=note, recorded_at=at(day, 18))


def add_exercise(
    records: Records,
    name: str,
    day: date,
    *,
    passed: bool = True,
    driver: str = "tui",
    policy: str = "default",
) -> ExerciseAttempt:
    return records.add_exercise(
        name,
        scenario="api-outage",
        policy=policy,
        score=0.9 if passed else 0.5,
        passed=passed,
        criteria=[],
        recorded_at=at(day),
        driver=driver,
    )


def complete(records: Records, name: str, before: date = ISSUE) -> None:
    """Everything the initial certification asks for, in the weeks before ``before``."""
    add_quiz(records, name, before - timedelta(days=1))
    add_credit(records, name, "shadow-shift", before - timedelta(days=30))
    add_credit(records, name, "shadow-shift", before - timedelta(days=23))
    add_credit(records, name, "mock-incident", before - timedelta(days=14), "staging drill")
    add_credit(records, name, "ic-exercise", before - timedelta(days=7))


def certified(records: Records, policy: Policy, name: str = "Ada", on: date = ISSUE) -> None:
    complete(records, name, on)
    assert certify(records, name, policy, today=on, key=KEY).certificate is not None


def recertification_year(
    records: Records, name: str = "Ada", skip_gameday: date | None = None
) -> None:
    """Everything the annual requirements ask for in the year after ``ISSUE``: one gameday in
    each quarter (but ``skip_gameday``)."""
    for day in (date(2026, 4, 1), date(2026, 5, 1), date(2026, 8, 1), date(2026, 11, 1)):
        add_credit(records, name, "real-incident", day)
    add_credit(records, name, "real-incident", date(2027, 1, 5))
    for day in (date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1), date(2027, 1, 15)):
        if day != skip_gameday:
            add_credit(records, name, "gameday", day)
    add_quiz(records, name, date(2027, 1, 20))
    add_credit(records, name, "procedure-review", date(2027, 1, 25))


# --------------------------------------------------------------------------- initial certification


def test_a_trainee_with_nothing_recorded_is_missing_every_initial_rule(
    records: Records, policy: Policy
) -> None:
    records.ensure_trainee("Ada", now=at(ISSUE))
    st = status(records, "Ada", policy, ISSUE)
    assert (st.state, st.stage, st.label, st.ready) == (
        "not-certified",
        "initial",
        "not certified",
        False,
    )
    assert st.missing == (
        "quiz not taken (pass mark 80%)",
        "needs 2 more shadow-shifts",
        "needs 1 more mock-incident",
        "needs 1 more ic-exercise",
    )


def test_a_complete_record_is_ready_with_nothing_missing(records: Records, policy: Policy) -> None:
    complete(records, "Ada")
    st = status(records, "Ada", policy, ISSUE)
    assert st.ready and st.missing == ()
    assert [r.progress for r in st.requirements] == ["passed 90%", "2 of 2", "1 of 1", "1 of 1"]


def _no_quiz(r: Records) -> None:
    for kind, days in (("shadow-shift", 30), ("shadow-shift", 23), ("mock-incident", 14)):
        add_credit(r, "Ada", kind, ISSUE - timedelta(days=days))
    add_credit(r, "Ada", "ic-exercise", ISSUE - timedelta(days=7))


def _failed_quiz(r: Records) -> None:
    _no_quiz(r)
    add_quiz(r, "Ada", ISSUE - timedelta(days=2), correct=20)
    add_quiz(r, "Ada", ISSUE - timedelta(days=1), correct=22)


def _without(kind: str, keep: int = 0) -> Callable[[Records], None]:
    def build(r: Records) -> None:
        add_quiz(r, "Ada", ISSUE - timedelta(days=1))
        wanted = {"shadow-shift": 2, "mock-incident": 1, "ic-exercise": 1}
        wanted[kind] = keep
        for k, n in wanted.items():
            for i in range(n):
                add_credit(r, "Ada", k, ISSUE - timedelta(days=10 + i))

    return build


@pytest.mark.parametrize(
    ("build", "missing"),
    [
        (_no_quiz, "quiz not taken (pass mark 80%)"),
        (_failed_quiz, "quiz not passed (best 73%, pass mark 80%)"),
        (_without("shadow-shift", keep=1), "needs 1 more shadow-shift"),
        (_without("shadow-shift"), "needs 2 more shadow-shifts"),
        (_without("mock-incident"), "needs 1 more mock-incident"),
        (_without("ic-exercise"), "needs 1 more ic-exercise"),
    ],
    ids=["no-quiz", "failed-quiz", "one-shadow-shift", "no-shadow-shift", "no-mock", "no-ic"],
)
def test_each_missing_piece_is_named_and_nothing_else(
    records: Records, policy: Policy, build: Callable[[Records], None], missing: str
) -> None:
    build(records)
    st = status(records, "Ada", policy, ISSUE)
    assert st.missing == (missing,)
    assert not st.ready


def test_certify_says_exactly_what_is_missing_and_issues_nothing(
    records: Records, policy: Policy
) -> None:
    add_quiz(records, "Ada", ISSUE - timedelta(days=2), correct=20)
    add_quiz(records, "Ada", ISSUE - timedelta(days=1), correct=22)
    add_credit(records, "Ada", "shadow-shift", ISSUE - timedelta(days=9))
    add_credit(records, "Ada", "mock-incident", ISSUE - timedelta(days=8))
    add_credit(records, "Ada", "ic-exercise", ISSUE - timedelta(days=7))
    result = certify(records, "Ada", policy, today=ISSUE, key=KEY)
    assert result.certificate is None
    assert result.status.summary() == (
        "quiz not passed (best 73%, pass mark 80%); needs 1 more shadow-shift"
    )
    assert records.record("Ada").certificates == ()


def test_certify_issues_a_certificate_valid_for_the_policys_period_from_today(
    records: Records, policy: Policy
) -> None:
    complete(records, "Ada")
    result = certify(records, "Ada", policy, today=ISSUE, key=KEY)
    cert = result.certificate
    assert cert is not None
    assert (cert.trainee, cert.policy, cert.stage) == ("Ada", "default", "initial")
    assert (cert.issued, cert.expires) == (ISSUE, YEAR_LATER)
    assert [c["id"] for c in cert.criteria] == [
        "quiz",
        "shadow-shift",
        "mock-incident",
        "ic-exercise",
    ]
    assert cert.criteria[2]["evidence"] == ["2026-02-16 (staging drill)"]
    stored = records.record("Ada").certificates
    assert [(c.code, c.issued, c.expires) for c in stored] == [(cert.code, ISSUE, YEAR_LATER)]
    after = status(records, "Ada", policy, ISSUE)
    assert (after.state, after.days_left, after.label) == ("certified", 365, "certified")


def test_certifying_twice_issues_one_certificate(records: Records, policy: Policy) -> None:
    certified(records, policy)
    again = certify(records, "Ada", policy, today=ISSUE, key=KEY)
    assert again.certificate is None
    assert again.status.missing[0] == (
        "already certified until 2027-03-02; recertification opens on 2027-01-31"
    )
    assert len(records.record("Ada").certificates) == 1


def test_records_dated_after_today_do_not_count_yet(records: Records, policy: Policy) -> None:
    complete(records, "Ada", before=ISSUE + timedelta(days=8))
    assert status(records, "Ada", policy, ISSUE).missing == (
        "quiz not taken (pass mark 80%)",
        "needs 1 more ic-exercise",
    )


# --------------------------------------------------------------------------- exercises


def test_a_passed_exercise_played_live_counts_as_an_ic_exercise(
    records: Records, policy: Policy
) -> None:
    _without("ic-exercise")(records)
    add_exercise(records, "Ada", ISSUE - timedelta(days=3))
    st = status(records, "Ada", policy, ISSUE)
    assert st.ready
    ic = next(r for r in st.requirements if r.id == "ic-exercise")
    assert ic.evidence == ("2026-02-27 exercise api-outage (passed 90%)",)


@pytest.mark.parametrize(
    ("driver", "passed"),
    [
        ("script:scenarios/scripts/api-outage.expert.yaml", True),
        ("autopilot:expert", True),
        ("unknown", True),
        ("tui", False),
    ],
)
def test_scripted_autopilot_unknown_and_failed_exercises_earn_nothing(
    records: Records, policy: Policy, driver: str, passed: bool
) -> None:
    attempt = add_exercise(records, "Ada", ISSUE, driver=driver, passed=passed)
    assert exercise_credits(attempt) == ()
    assert "needs 1 more ic-exercise" in status(records, "Ada", policy, ISSUE).missing


@pytest.mark.parametrize(
    ("driver", "passed", "earns"),
    [
        ("facilitator", False, ("gameday",)),
        ("facilitator:Grace", True, ("ic-exercise", "gameday")),
        ("tui:facilitator", True, ("ic-exercise", "gameday")),
        ("tui", True, ("ic-exercise",)),
    ],
)
def test_a_facilitated_game_day_counts_as_attendance_whether_or_not_it_passed(
    records: Records, driver: str, passed: bool, earns: tuple[str, ...]
) -> None:
    assert exercise_credits(add_exercise(records, "Ada", ISSUE, driver=driver, passed=passed)) == (
        earns
    )


def test_an_exercise_never_counts_as_a_mock_incident(records: Records, policy: Policy) -> None:
    _without("mock-incident")(records)
    for days in range(3):
        add_exercise(records, "Ada", ISSUE - timedelta(days=days), driver="facilitator")
    assert status(records, "Ada", policy, ISSUE).missing == ("needs 1 more mock-incident",)


# --------------------------------------------------------------------------- policies


def test_attempts_under_a_policy_that_inherits_the_rules_count_both_ways(
    records: Records, policy: Policy
) -> None:
    agentos = load_policy("agentos")
    assert agentos.certification_inherited_from == "default"
    _no_quiz(records)
    add_quiz(records, "Ada", ISSUE - timedelta(days=1), policy="agentos")
    assert status(records, "Ada", policy, ISSUE).ready
    add_quiz(records, "Bea", ISSUE - timedelta(days=1), policy="default")
    bea = status(records, "Bea", agentos, ISSUE)
    assert bea.requirements[0].met and bea.policy == "agentos"


def test_a_quiz_under_an_unrelated_policy_does_not_count(records: Records, policy: Policy) -> None:
    _no_quiz(records)
    add_quiz(records, "Ada", ISSUE - timedelta(days=1), policy="acme-corp")
    assert status(records, "Ada", policy, ISSUE).missing == ("quiz not taken (pass mark 80%)",)


# --------------------------------------------------------------------------- expiry


@pytest.mark.parametrize(
    ("days_after", "state", "label"),
    [
        (0, "certified", "certified"),
        (334, "certified", "certified"),
        (335, "expiring", "expires in 30 days"),
        (364, "expiring", "expires in 1 day"),
        (365, "expired", "expired"),
        (800, "expired", "expired"),
    ],
)
def test_a_certificate_warns_30_days_ahead_and_expires_on_its_expiry_date(
    records: Records, policy: Policy, days_after: int, state: str, label: str
) -> None:
    certified(records, policy)
    st = status(records, "Ada", policy, ISSUE + timedelta(days=days_after))
    assert (st.state, st.label) == (state, label)
    assert st.needs_recertification == (state != "certified")
    assert st.stage == "recertification"


def test_recertification_does_not_open_until_30_days_before_expiry(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    recertification_year(records)
    st = status(records, "Ada", policy, date(2027, 1, 30))
    assert st.missing == (
        "already certified until 2027-03-02; recertification opens on 2027-01-31",
    )
    assert st.gaps == ()
    assert status(records, "Ada", policy, date(2027, 1, 31)).ready


def test_recertification_after_a_year_needs_the_annual_requirements(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    st = status(records, "Ada", policy, date(2027, 2, 10))
    assert (st.state, st.stage, st.year) == (
        "expiring",
        "recertification",
        (ISSUE, date(2027, 2, 10)),
    )
    assert st.missing == (
        "needs 5 more real-incidents since 2026-03-02",
        "no gameday in quarters 1, 2, 3, 4 of the year from 2026-03-02",
        "refresher quiz not taken since 2026-03-02 (pass mark 80%)",
        "needs 1 more procedure-review since 2026-03-02",
    )


def test_a_full_recertification_year_renews_the_certificate_for_another_year(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    recertification_year(records)
    today = date(2027, 2, 10)
    st = status(records, "Ada", policy, today)
    assert st.ready, st.missing
    assert [r.progress for r in st.requirements] == [
        "5 of 5",
        "4 of 4 quarters",
        "passed 90%",
        "1 of 1",
    ]
    cert = certify(records, "Ada", policy, today=today, key=KEY).certificate
    assert cert is not None
    assert (cert.stage, cert.issued, cert.expires) == ("recertification", today, date(2028, 2, 10))
    after = status(records, "Ada", policy, today)
    assert (after.state, after.days_left, after.year) == ("certified", 365, (today, today))


def test_a_quarter_without_a_gameday_is_named_with_its_dates(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    recertification_year(records, skip_gameday=date(2026, 10, 1))
    assert status(records, "Ada", policy, date(2027, 2, 10)).missing == (
        "no gameday in quarter 3 (2026-09-02 to 2026-12-01)",
    )


def test_a_second_gameday_in_one_quarter_does_not_cover_an_empty_one(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    recertification_year(records, skip_gameday=date(2026, 7, 1))
    add_credit(records, "Ada", "gameday", date(2026, 4, 2))
    assert status(records, "Ada", policy, date(2027, 2, 10)).missing == (
        "no gameday in quarter 2 (2026-06-02 to 2026-09-01)",
    )


def test_a_facilitated_warroom_game_day_counts_for_its_quarter(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    recertification_year(records, skip_gameday=date(2026, 7, 1))
    add_exercise(records, "Ada", date(2026, 7, 3), driver="facilitator", passed=False)
    assert status(records, "Ada", policy, date(2027, 2, 10)).ready


def test_the_initial_quiz_is_not_the_refresher_and_a_failed_refresher_is_not_complete(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    add_quiz(records, "Ada", ISSUE, correct=30)
    today = date(2027, 2, 10)
    assert (
        "refresher quiz not taken since 2026-03-02 (pass mark 80%)"
        in status(records, "Ada", policy, today).missing
    )
    add_quiz(records, "Ada", date(2027, 1, 20), correct=21)
    assert (
        "refresher quiz not passed since 2026-03-02 (best 70%, pass mark 80%)"
        in status(records, "Ada", policy, today).missing
    )


def test_a_lapsed_certificate_counts_the_last_365_days(records: Records, policy: Policy) -> None:
    records.ensure_trainee("Ada", now=at(date(2024, 1, 1)))
    records.add_certificate(
        "Ada",
        policy="default",
        issued=date(2024, 1, 10),
        expires=date(2025, 1, 9),
        code="1" * 64,
        document="{}",
    )
    add_credit(records, "Ada", "real-incident", date(2025, 2, 1))
    add_credit(records, "Ada", "real-incident", date(2025, 4, 1))
    st = status(records, "Ada", policy, ISSUE)
    assert (st.state, st.year) == ("expired", (date(2025, 3, 2), ISSUE))
    assert st.missing[0] == "needs 4 more real-incidents since 2025-03-02"


def test_a_revoked_certificate_leaves_the_trainee_to_earn_everything_again(
    records: Records, policy: Policy
) -> None:
    certified(records, policy)
    code = records.record("Ada").certificates[0].code
    records.revoke_certificate(code, at=at(date(2026, 4, 1)), reason="left the team")
    st = status(records, "Ada", policy, date(2026, 4, 1))
    assert (st.state, st.stage, [c.code for c in st.revoked]) == (
        "not-certified",
        "initial",
        [code],
    )
    assert st.missing == (
        "quiz not taken since 2026-04-02 (pass mark 80%)",
        "needs 2 more shadow-shifts since 2026-04-02",
        "needs 1 more mock-incident since 2026-04-02",
        "needs 1 more ic-exercise since 2026-04-02",
    )
    complete(records, "Ada", before=date(2026, 6, 1))
    assert status(records, "Ada", policy, date(2026, 6, 1)).ready


# --------------------------------------------------------------------------- roster


def test_the_roster_tells_certified_expiring_expired_and_uncertified_trainees_apart(
    records: Records, policy: Policy
) -> None:
    today = date(2027, 2, 10)
    certified(records, policy, "Ada", on=today - timedelta(days=10))
    certified(records, policy, "Bea", on=today - timedelta(days=350))
    certified(records, policy, "Cy", on=today - timedelta(days=400))
    complete(records, "Dee", before=today)
    records.ensure_trainee("Eve", now=at(today))
    rows = {s.trainee: s for s in roster(records, policy, today)}
    assert list(rows) == ["Ada", "Bea", "Cy", "Dee", "Eve"]
    assert [(s.state, s.label) for s in rows.values()] == [
        ("certified", "certified"),
        ("expiring", "expires in 15 days"),
        ("expired", "expired"),
        ("not-certified", "not certified"),
        ("not-certified", "not certified"),
    ]
    assert [s.needs_recertification for s in rows.values()] == [False, True, True, False, False]
    assert rows["Dee"].ready and not rows["Eve"].ready
    assert rows["Eve"].gaps[0] == "quiz not taken (pass mark 80%)"


def test_a_status_is_json_ready(records: Records, policy: Policy) -> None:
    certified(records, policy)
    data = json.loads(json.dumps(status(records, "Ada", policy, ISSUE).to_dict()))
    assert data["state"] == "certified" and data["expires"] == "2027-03-02"
    assert data["requirements"][0]["id"] == "renewal"


# --------------------------------------------------------------------------- certificates


@pytest.fixture
def certificate(tmp_path: Path, records: Records, policy: Policy) -> Path:
    complete(records, "Ada Lovelace")
    cert = certify(records, "Ada Lovelace", policy, today=ISSUE, key=KEY).certificate
    assert cert is not None
    path = tmp_path / "certificate.json"
    path.write_text(cert.to_json(), encoding="utf-8")
    return path


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def test_an_untouched_certificate_is_valid_until_its_expiry(certificate: Path) -> None:
    result = verify(certificate, KEY, today=ISSUE)
    assert result.ok and result.verdict == "valid"
    assert result.message == (
        "valid until 2027-03-02 (365 days left): Ada Lovelace, Incident Response Certification "
        "under policy default, issued 2026-03-02"
    )
    assert result.certificate is not None and result.certificate.trainee == "Ada Lovelace"


def test_moving_the_expiry_by_one_day_is_detected(certificate: Path) -> None:
    _edit(certificate, lambda d: d.update(expires="2027-03-03"))
    result = verify(certificate, KEY, today=ISSUE)
    assert (result.ok, result.verdict, result.message) == (False, "altered", ALTERED)
    assert result.message == (
        "signature does not match: the certificate was altered or issued by another programme"
    )


def test_changing_the_name_is_detected(certificate: Path) -> None:
    _edit(certificate, lambda d: d.update(trainee="Ada Byron"))
    assert verify(certificate, KEY, today=ISSUE).verdict == "altered"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(issued="2026-03-01"),
        lambda d: d.update(policy="nexus"),
        lambda d: d.update(stage="recertification"),
        lambda d: d["criteria"][1]["evidence"].append("2026-02-28"),
        lambda d: d["criteria"].pop(),
        lambda d: d.update(note="extended by hand"),
        lambda d: d.update(code=d["code"][:-1] + ("0" if d["code"][-1] != "0" else "1")),
        lambda d: d.update(warroom_certificate=2),
    ],
    ids=["issued", "policy", "stage", "evidence", "criterion", "extra-field", "code", "format"],
)
def test_any_other_edit_is_detected(
    certificate: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    _edit(certificate, change)
    assert verify(certificate, KEY, today=ISSUE).verdict == "altered"


def test_a_one_character_edit_of_the_raw_file_is_detected(certificate: Path) -> None:
    text = certificate.read_text()
    certificate.write_text(text.replace("Ada Lovelace", "Ada Lovelacf", 1))
    assert verify(certificate, KEY, today=ISSUE).verdict == "altered"


def test_reformatting_the_file_changes_nothing_it_says(certificate: Path) -> None:
    doc = json.loads(certificate.read_text())
    certificate.write_text(json.dumps(dict(reversed(list(doc.items())))))
    assert verify(certificate, KEY, today=ISSUE).ok


def test_a_certificate_from_another_programme_does_not_verify(certificate: Path) -> None:
    result = verify(certificate, bytes(32), today=ISSUE)
    assert result.verdict == "altered" and result.message == ALTERED


def test_an_expired_certificate_says_when_it_expired(certificate: Path) -> None:
    assert verify(certificate, KEY, today=YEAR_LATER - timedelta(days=1)).ok
    result = verify(certificate, KEY, today=YEAR_LATER)
    assert result.verdict == "expired"
    assert result.message.startswith("expired on 2027-03-02: Ada Lovelace")


def test_a_revoked_certificate_says_so_when_the_records_are_at_hand(
    certificate: Path, records: Records
) -> None:
    code = json.loads(certificate.read_text())["code"]
    records.revoke_certificate(code, at=at(date(2026, 5, 1)), reason="left the team")
    assert verify(certificate, KEY, today=ISSUE).ok
    result = verify(certificate, KEY, today=ISSUE, records=records)
    assert result.verdict == "revoked"
    assert result.message.startswith("revoked on 2026-05-01 (left the team): Ada Lovelace")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ("{not json", "not JSON (line 1, column 2"),
        ("[1, 2]", "not a JSON object"),
        ('{"trainee": "a", "trainee": "b"}', "the field 'trainee' appears twice"),
        ('{"trainee": "a"}', "no 'warroom_certificate' field"),
    ],
)
def test_a_file_that_is_not_a_certificate_says_why(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    path = tmp_path / "c.json"
    if content is not None:
        path.write_text(content)
    result = verify(path, KEY, today=ISSUE)
    assert result.verdict == "unreadable" and not result.ok
    assert result.message.startswith(f"not a warroom certificate: {reason}")


# --------------------------------------------------------------------------- the key


def test_the_key_is_made_once_beside_the_database_and_readable_only_by_its_owner(
    tmp_path: Path,
) -> None:
    db = tmp_path / "records.db"
    assert key_path(db) == tmp_path / "records.key"
    first = load_key(db, create=True)
    assert len(first) == 32
    assert load_key(db, create=True) == first == load_key(db)
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(tmp_path / "records.key").st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["records.key"]


def test_without_the_key_verification_says_which_key_it_needs(tmp_path: Path) -> None:
    with pytest.raises(RecordsError, match=r"records\.key: no certificate key.*--db"):
        load_key(tmp_path / "records.db")


def test_a_damaged_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "records.key").write_bytes(b"short")
    with pytest.raises(RecordsError, match="not a certificate key"):
        load_key(tmp_path / "records.db")


@pytest.mark.parametrize(
    ("fraction", "shown"), [(0.7999, "79%"), (0.29, "29%"), (0.8, "80%"), (1.0, "100%")]
)
def test_scores_are_shown_rounded_down_so_a_near_miss_never_looks_like_a_pass(
    fraction: float, shown: str
) -> None:
    assert percent(fraction) == shown
