"""Certification rules: which rules a trainee's record meets, expiry and recertification.

The rules are the policy's (``Policy.certification_rules``; by default the training module's
Session 7). How a record meets them, as decided here:

- **Initial certification** ("Knowledge Assessment … Passing Score: 80%"; "Practical
  Assessment"): a quiz attempt that passed the pass mark, and each practical credit's count
  ("Shadow Shift: Complete 2 on-call shadow shifts", "Mock Incident: … as participant",
  "IC Exercise: Successfully lead a tabletop exercise as IC"). Credits count whenever they
  happened, up to today.
- **A warroom exercise** puts the trainee "in the Incident Commander's chair" (DESIGN) in the
  training module's own tabletop exercises (``api-outage`` is "Exercise 6.1: Tabletop - API
  Outage", ``slow-blocks`` is "Exercise 6.2: Role Play - IC Practice": "1 person as Incident
  Commander … IC takes command"). So a *passed* exercise played live counts as an
  ``ic-exercise`` ("IC Exercise: Successfully lead a tabletop exercise as IC"; "successfully" is
  the assessment's ``passed``). A live exercise run by a facilitator (a game day) also counts as
  ``gameday`` attendance, passed or not ("Attend quarterly gameday exercises"). It never counts
  as a ``mock-incident``: Exercise 6.3 is a "Full simulation using staging environment … Use
  actual tools (Slack, Grafana, etc.)", and one simulator run must not earn two of the three
  practical credits; a staging drill is recorded with ``warroom credit``. Played live means the
  journal's driver is ``tui`` or ``facilitator`` (``LIVE``, before any ``:``); a game day's
  driver names ``facilitator`` (``facilitator``, ``facilitator:NAME`` or ``tui:facilitator``).
  Scripted and autopilot runs (``script:…``, ``autopilot:…``) are practice and count for
  nothing.
- **Only an exercise played to its end earns anything** (its journal ends with
  ``scenario_ended``: resolved and closed, ended by the facilitator, left by the trainee, or
  out of time). A journal that stops before that — a session killed and never resumed, or a
  sealed journal cut at a line boundary, which still verifies as this programme's — is
  recorded (``completed`` false) but earns no credit, whatever its grade "as if it ended
  there" says: what came after the cut (a critical mistake, a deadline missed) is not in it.
  ``warroom resume`` continues the same journal to its end.
- **A team game day** (``warroom host``: driver ``team``, played live on the facilitator's
  machine) is recorded as the team's attempt and one attempt per participant (their seat, the
  roles they held, the criteria those roles own). The team's own attempt earns nothing (a team
  is not a trainee). Each participant's attempt counts as ``gameday`` attendance, passed or not;
  it counts as an ``ic-exercise`` only when they held the ``ic`` role and passed ("Successfully
  lead a tabletop exercise as IC": leading is the IC's, not the comms lead's or the scribe's).
- **Recertification** ("Recertification — Annual Requirements"), for a trainee who has held a
  certificate under the policy: counted over *the year* — from the latest certificate's issue
  date, or the 365 days before today once it has lapsed for longer than that. "Respond to 5+
  real incidents": 5 ``real-incident`` credits in the year. "Attend quarterly gameday
  exercises": a ``gameday`` in each of the year's four quarters (three calendar months each).
  "Complete refresher quiz": a quiz passed at the pass mark in the year, after the certificate
  was issued (a failed quiz is taken, not completed). "Review updated procedures": a
  ``procedure-review`` credit in the year. Recertification opens 30 days before expiry (the
  roster's "expires within 30 days"), so a certificate is never renewed early.
- A certificate is valid for ``validity.period`` from its issue date ("valid 1 year", 365 days);
  it expires *on* ``issued + period``. Revoked certificates count for nothing, and nothing
  recorded up to the day of a revocation counts towards the next certificate (else certifying
  again at once would undo the revocation).
- Quiz and exercise attempts count under every policy that shares the certification rules (a
  policy with ``certification: {inherit: default}`` and ``default`` itself).

Issuing, signing and verifying certificates, and the signing key, are
``assessments.certificates``'s. This module decides; it must not sign, touch the key, print (the
command line renders), read the clock (callers pass ``today``), or import the TUI, Textual or
Rich.
"""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from assessments.policy import Credit as CreditRule
from assessments.policy import Policy, load_policy
from assessments.records import (
    CertificateRecord,
    ExerciseAttempt,
    QuizAttempt,
    Records,
    TraineeRecord,
)

__all__ = [
    "CREDITED",
    "EXPIRY_WARNING_DAYS",
    "LIVE",
    "TEAM",
    "CertificationStatus",
    "Requirement",
    "Stage",
    "exercise_credits",
    "percent",
    "roster",
    "same_programme",
    "status",
    "status_of",
]

EXPIRY_WARNING_DAYS = 30
"""A certificate "expires soon" this many days ahead, and recertification opens then."""
YEAR = timedelta(days=365)
"""The recertification year ("Annual Requirements"), read as 365 days like the validity."""
LIVE = ("tui", "facilitator")
"""Journal drivers (the part before any ``:``) of exercises played live by the trainee."""
GAMEDAY = "facilitator"
"""A journal driver with this part (``facilitator``, ``tui:facilitator``) is a game day."""
TEAM = "team"
"""The journal driver of a team game day (``warroom host``), played live."""
CREDITED = (*LIVE, TEAM)
"""Journal drivers (before any ``:``) that can earn credit: only when the programme sealed
the journal."""

State = Literal["certified", "expiring", "expired", "not-certified"]
"""Where a trainee stands: certified; certified but expiring within 30 days; held a
certificate that expired; never certified (or only revoked certificates)."""
Stage = Literal["initial", "recertification"]
"""Which rules apply: the initial ones, or the annual recertification requirements."""


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class Requirement:
    """One rule and how far the trainee's record meets it."""

    id: str
    """``quiz``, a credit kind (``shadow-shift`` …), ``refresher-quiz`` or ``renewal``."""
    says: str
    """The seed's words for the rule."""
    source: str
    """Where the rule comes from."""
    progress: str
    """How far along, e.g. ``1 of 2``, ``3 of 4 quarters``, ``passed 87%``, ``best 73%``."""
    evidence: tuple[str, ...] = ()
    """What counts towards it: dates, exercises, quiz results."""
    missing: str | None = None
    """What is still needed, as one phrase; ``None`` when met."""
    gate: bool = False
    """A condition of timing (the renewal window) rather than something the trainee does."""

    @property
    def met(self) -> bool:
        """Whether the rule is met."""
        return self.missing is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "met": self.met,
            "progress": self.progress,
            "missing": self.missing,
            "evidence": list(self.evidence),
            "says": self.says,
            "source": self.source,
        }


@dataclass(frozen=True)
class CertificationStatus:
    """What a trainee's record meets under a policy's certification rules, on a day."""

    trainee: str
    """The trainee's name."""
    policy: str
    """The policy id."""
    today: date
    """The day the status is for."""
    state: State
    """``certified``, ``expiring``, ``expired`` or ``not-certified``."""
    stage: Stage
    """``initial`` or ``recertification``."""
    requirements: tuple[Requirement, ...]
    """Every rule of the stage, in the policy's order (the renewal window first)."""
    certificate: CertificateRecord | None = None
    """The latest certificate that was not revoked, valid or expired."""
    revoked: tuple[CertificateRecord, ...] = ()
    """Revoked certificates."""
    year: tuple[date, date] | None = None
    """For recertification: the year the annual requirements are counted over (first day,
    today)."""

    @property
    def days_left(self) -> int | None:
        """Days until the certificate expires (0 or less once expired)."""
        if self.certificate is None:
            return None
        return (self.certificate.expires - self.today).days

    @property
    def ready(self) -> bool:
        """Whether ``certify`` would issue a certificate today."""
        return all(r.met for r in self.requirements)

    @property
    def missing(self) -> tuple[str, ...]:
        """Everything that stands between the trainee and a certificate today."""
        return tuple(r.missing for r in self.requirements if r.missing is not None)

    @property
    def gaps(self) -> tuple[str, ...]:
        """What the trainee still has to do (``missing`` without the renewal window)."""
        return tuple(r.missing for r in self.requirements if r.missing is not None and not r.gate)

    @property
    def needs_recertification(self) -> bool:
        """Expiring within 30 days, or expired."""
        return self.state in ("expiring", "expired")

    @property
    def label(self) -> str:
        """``certified``, ``expires in N days``, ``expired`` or ``not certified``."""
        days = self.days_left
        if self.state == "expiring" and days is not None:
            return f"expires in {days} day{_s(days)}"
        return self.state.replace("-", " ")

    def summary(self) -> str:
        """What is missing, as one line: ``needs 1 more shadow-shift; quiz not passed (…)``."""
        return "; ".join(self.missing)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        cert = self.certificate
        return {
            "trainee": self.trainee,
            "policy": self.policy,
            "today": self.today.isoformat(),
            "state": self.state,
            "label": self.label,
            "stage": self.stage,
            "ready": self.ready,
            "needs_recertification": self.needs_recertification,
            "issued": cert.issued.isoformat() if cert else None,
            "expires": cert.expires.isoformat() if cert else None,
            "days_left": self.days_left,
            "year": [d.isoformat() for d in self.year] if self.year else None,
            "missing": list(self.missing),
            "requirements": [r.to_dict() for r in self.requirements],
            "revoked": [c.code for c in self.revoked],
        }


def status(records: Records, trainee: str, policy: Policy, today: date) -> CertificationStatus:
    """Where ``trainee`` stands under ``policy``'s certification rules on ``today``.

    Raises:
        assessments.records.UnknownTrainee: when there is no such trainee.
    """
    return status_of(records.record(trainee), policy, today)


def roster(records: Records, policy: Policy, today: date) -> list[CertificationStatus]:
    """Every trainee's status, by name."""
    return [status_of(r, policy, today) for r in records.all_records()]


def status_of(record: TraineeRecord, policy: Policy, today: date) -> CertificationStatus:
    """Where the trainee of ``record`` stands (the pure core of ``status``)."""
    certs = [
        c for c in record.certificates if c.issued <= today and same_programme(c.policy, policy)
    ]
    standing = [c for c in certs if not c.revoked]
    revoked = tuple(c for c in certs if c.revoked)
    fresh = max((_revoked_on(c) + timedelta(days=1) for c in revoked), default=date.min)
    name = record.trainee.name
    if not standing:
        reqs = _initial(record, policy, today, fresh)
        return CertificationStatus(
            name, policy.id, today, "not-certified", "initial", reqs, None, revoked
        )
    latest = max(standing, key=lambda c: (c.expires, c.issued, c.id))
    days = (latest.expires - today).days
    state: State = (
        "expired" if days <= 0 else "expiring" if days <= EXPIRY_WARNING_DAYS else "certified"
    )
    start = max(latest.issued, today - YEAR, fresh)
    reqs = _recertification(record, policy, today, latest, start, state)
    return CertificationStatus(
        name, policy.id, today, state, "recertification", reqs, latest, revoked, (start, today)
    )


def _revoked_on(cert: CertificateRecord) -> date:
    return cert.revoked_at.date() if cert.revoked_at is not None else cert.issued


def _initial(
    record: TraineeRecord, policy: Policy, today: date, fresh: date
) -> tuple[Requirement, ...]:
    rules = policy.certification_rules
    quiz = rules.quiz
    since = f" since {fresh.isoformat()}" if fresh > date.min else ""
    attempts = [
        q
        for q in record.quizzes
        if fresh <= q.taken_at.date() <= today and same_programme(q.policy, policy)
    ]
    reqs = [_quiz_requirement("quiz", quiz.says, quiz.source, attempts, quiz.pass_mark, since)]
    for credit in rules.practical:
        found = _evidence(record, credit.kind, policy, fresh, today)
        reqs.append(_count_requirement(credit, found, since))
    return tuple(reqs)


def _recertification(
    record: TraineeRecord,
    policy: Policy,
    today: date,
    latest: CertificateRecord,
    start: date,
    state: State,
) -> tuple[Requirement, ...]:
    rules = policy.certification_rules
    reqs: list[Requirement] = []
    if state == "certified":
        opens = latest.expires - timedelta(days=EXPIRY_WARNING_DAYS)
        reqs.append(
            Requirement(
                "renewal",
                f"recertification opens {EXPIRY_WARNING_DAYS} days before expiry",
                "DESIGN.md, Who uses it: the programme owner sees who expires within 30 days",
                f"opens {opens.isoformat()}",
                missing=f"already certified until {latest.expires.isoformat()}; "
                f"recertification opens on {opens.isoformat()}",
                gate=True,
            )
        )
    since = f" since {start.isoformat()}"
    for credit in rules.recertification:
        if credit.kind == "refresher-quiz":
            attempts = [
                q
                for q in record.quizzes
                if start <= q.taken_at.date() <= today
                and q.taken_at.date() > latest.issued
                and same_programme(q.policy, policy)
            ]
            reqs.append(
                _quiz_requirement(
                    "refresher-quiz",
                    credit.says,
                    credit.source,
                    attempts,
                    rules.quiz.pass_mark,
                    since,
                    needed=credit.count,
                )
            )
        elif credit.per == "quarter":
            found = _evidence(record, credit.kind, policy, start, today)
            reqs.append(_quarterly_requirement(credit, found, start))
        else:
            found = _evidence(record, credit.kind, policy, start, today)
            reqs.append(_count_requirement(credit, found, since))
    return tuple(reqs)


# --------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class _Item:
    on: date
    text: str


def _quiz_requirement(
    rid: str,
    says: str,
    source: str,
    attempts: Sequence[QuizAttempt],
    pass_mark: float,
    since: str,
    *,
    needed: int = 1,
) -> Requirement:
    label = "refresher quiz" if rid == "refresher-quiz" else "quiz"
    passed = [q for q in attempts if q.passed]
    evidence = tuple(_quiz_text(q) for q in attempts)
    if len(passed) >= needed:
        best = max(passed, key=lambda q: (q.score, q.taken_at))
        return Requirement(rid, says, source, f"passed {percent(best.score)}", evidence)
    mark = f"pass mark {percent(pass_mark)}"
    if attempts:
        best_score = max(q.score for q in attempts)
        progress = f"best {percent(best_score)}"
        if passed:
            missing = (
                f"needs {needed - len(passed)} more passed {label}{_s(needed - len(passed))}{since}"
            )
        else:
            missing = f"{label} not passed{since} (best {percent(best_score)}, {mark})"
    else:
        progress = "not taken"
        missing = f"{label} not taken{since} ({mark})"
    return Requirement(rid, says, source, progress, evidence, missing)


def _count_requirement(credit: CreditRule, found: Sequence[_Item], since: str) -> Requirement:
    have, need = len(found), credit.count
    short = need - have
    missing = None if short <= 0 else f"needs {short} more {credit.kind}{_s(short)}{since}"
    return Requirement(
        credit.kind,
        credit.says,
        credit.source,
        f"{have} of {need}",
        tuple(i.text for i in found),
        missing,
    )


def _quarterly_requirement(credit: CreditRule, found: Sequence[_Item], start: date) -> Requirement:
    short: list[int] = []
    met = 0
    ranges = _quarters(start)
    for n, (first, end) in enumerate(ranges, start=1):
        if sum(1 for i in found if first <= i.on < end) >= credit.count:
            met += 1
        else:
            short.append(n)
    missing = None
    if short:
        what = (
            f"no {credit.kind}"
            if credit.count == 1
            else f"fewer than {credit.count} {credit.kind}s"
        )
        if len(short) == 1:
            first, end = ranges[short[0] - 1]
            last = end - timedelta(days=1)
            where = f"quarter {short[0]} ({first.isoformat()} to {last.isoformat()})"
        else:
            numbers = ", ".join(str(n) for n in short)
            where = f"quarters {numbers} of the year from {start.isoformat()}"
        missing = f"{what} in {where}"
    return Requirement(
        credit.kind,
        credit.says,
        credit.source,
        f"{met} of 4 quarters",
        tuple(i.text for i in found),
        missing,
    )


def _quarters(start: date) -> list[tuple[date, date]]:
    return [(_add_months(start, 3 * k), _add_months(start, 3 * (k + 1))) for k in range(4)]


def _add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _evidence(
    record: TraineeRecord, kind: str, policy: Policy, first: date, last: date
) -> list[_Item]:
    items = [
        _Item(c.on, c.on.isoformat() + (f" ({c.note})" if c.note else ""))
        for c in record.credits
        if c.kind == kind and first <= c.on <= last
    ]
    for e in record.exercises:
        on = e.recorded_at.date()
        if first <= on <= last and kind in exercise_credits(e) and same_programme(e.policy, policy):
            verdict = "passed" if e.passed else "not passed"
            items.append(
                _Item(on, f"{on.isoformat()} exercise {e.scenario} ({verdict} {percent(e.score)})")
            )
    return sorted(items, key=lambda i: i.on)


def exercise_credits(attempt: ExerciseAttempt) -> tuple[str, ...]:
    """The practical credits a graded warroom exercise earns (see the module docstring)."""
    if attempt.completed is False:
        return ()  # not played to its end: a journal cut short, or a session left unfinished
    head = attempt.driver.split(":", 1)[0]
    if head == TEAM:
        if not attempt.person_in_team:
            return ()
        return (
            ("ic-exercise", "gameday") if attempt.passed and "ic" in attempt.roles else ("gameday",)
        )
    if head not in LIVE:
        return ()
    kinds: list[str] = []
    if attempt.passed:
        kinds.append("ic-exercise")
    if GAMEDAY in attempt.driver.split(":"):
        kinds.append("gameday")
    return tuple(kinds)


def how_earned(kind: str) -> str:
    """How a credit of ``kind`` gets into a trainee's record (the rule of ``exercise_credits``).

    For the record's "what counts" lines; the policy's own words for each requirement come
    from its certification rules.
    """
    if kind == "ic-exercise":
        return (
            "earned in warroom: pass an exercise played live as Incident Commander "
            "(warroom play, or a game day); scripted and autopilot runs are practice only"
        )
    if kind == "gameday":
        return (
            "earned in warroom: take part in an exercise run by a facilitator "
            "(warroom facilitate or warroom host), passed or not"
        )
    if kind == "refresher-quiz":
        return "earned in warroom: pass the certification quiz again after certifying"
    return f"recorded by the programme owner: warroom credit NAME {kind} --date YYYY-MM-DD"


def _quiz_text(q: QuizAttempt) -> str:
    verdict = "passed" if q.passed else "not passed"
    return f"{q.taken_at.date().isoformat()} quiz seed {q.seed}: {verdict} {percent(q.score)} ({q.correct}/{q.total})"


def _programme(policy: Policy) -> str:
    return policy.certification_inherited_from or policy.id


@functools.cache
def _programme_of(policy_id: str) -> str:
    from simulator.yamlio import LoadError  # here: recording needs no YAML before it loads one

    try:
        return _programme(load_policy(policy_id))
    except (LoadError, OSError, LookupError, ValueError):
        return policy_id


def same_programme(policy_id: str, policy: Policy) -> bool:
    """Whether records kept under ``policy_id`` count under ``policy``'s certification rules."""
    return policy_id == policy.id or _programme_of(policy_id) == _programme(policy)


def percent(fraction: float) -> str:
    """A score as a whole percentage, rounded down (79.9% is not shown as the 80% pass mark)."""
    return f"{math.floor(fraction * 100 + 1e-9)}%"


def _s(n: int) -> str:
    return "" if n == 1 else "s"
