"""Certification: which rules a trainee's record meets, certificates, and their verification.

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

Certificates are tamper-evident: a small JSON file whose ``code`` is HMAC-SHA256, keyed with a
secret kept beside the database (``records.key`` next to ``records.db``; 32 random bytes, mode
0600, created on first issue), over the canonical JSON of every other field. ``verify`` detects
any edit.

This module decides; it must not print (the command line renders), read the clock (callers
pass ``today``; only ``verify`` falls back to the system date), or import the TUI, Textual or
Rich.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import json
import math
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from assessments.policy import Credit as CreditRule
from assessments.policy import Policy, load_policy
from assessments.records import (
    CertificateRecord,
    ExerciseAttempt,
    QuizAttempt,
    Records,
    RecordsError,
    TraineeRecord,
)
from simulator.files import FileError, read_text
from simulator.yamlio import LoadError

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "LIVE",
    "Certificate",
    "CertificationStatus",
    "CertifyResult",
    "Requirement",
    "Verification",
    "certify",
    "exercise_credits",
    "key_path",
    "load_key",
    "percent",
    "roster",
    "same_programme",
    "sign",
    "status",
    "status_of",
    "verify",
]

EXPIRY_WARNING_DAYS = 30
"""A certificate "expires soon" this many days ahead, and recertification opens then."""
YEAR = timedelta(days=365)
"""The recertification year ("Annual Requirements"), read as 365 days like the validity."""
LIVE = ("tui", "facilitator")
"""Journal drivers (the part before any ``:``) of exercises played live by the trainee."""
GAMEDAY = "facilitator"
"""A journal driver with this part (``facilitator``, ``tui:facilitator``) is a game day."""
FORMAT = 1
"""Certificate file format version."""
KEY_BYTES = 32
"""Length of the signing key."""
MAX_CERTIFICATE_BYTES = 64 * 1024
"""Certificates larger than this are refused unread."""
TITLE = "Incident Response Certification"
"""What the certificate certifies ("Issued Incident Response Certification")."""

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
    head = attempt.driver.split(":", 1)[0]
    if head not in LIVE:
        return ()
    kinds: list[str] = []
    if attempt.passed:
        kinds.append("ic-exercise")
    if GAMEDAY in attempt.driver.split(":"):
        kinds.append("gameday")
    return tuple(kinds)


def _quiz_text(q: QuizAttempt) -> str:
    verdict = "passed" if q.passed else "not passed"
    return f"{q.taken_at.date().isoformat()} quiz seed {q.seed}: {verdict} {percent(q.score)} ({q.correct}/{q.total})"


def _programme(policy: Policy) -> str:
    return policy.certification_inherited_from or policy.id


@functools.cache
def _programme_of(policy_id: str) -> str:
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


# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class Certificate:
    """An issued certificate, as its file holds it."""

    trainee: str
    """The trainee's name."""
    policy: str
    """The policy id it was issued under."""
    issued: date
    """Issue date."""
    expires: date
    """The day it expires (no longer valid from that day)."""
    stage: Stage
    """``initial`` or ``recertification``."""
    criteria: tuple[dict[str, Any], ...]
    """The rules met: ``{id, requirement, met, evidence}``."""
    code: str
    """HMAC-SHA256 of the canonical JSON of every other field, hex."""

    def body(self) -> dict[str, Any]:
        """Every field but the code: what the code signs."""
        return _body(
            self.trainee, self.policy, self.issued, self.expires, self.stage, self.criteria
        )

    def document(self) -> dict[str, Any]:
        """The file's content."""
        return {**self.body(), "code": self.code}

    def to_json(self) -> str:
        """The file's text."""
        return json.dumps(self.document(), indent=2, ensure_ascii=False) + "\n"


def _body(
    trainee: str,
    policy: str,
    issued: date,
    expires: date,
    stage: Stage,
    criteria: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    return {
        "warroom_certificate": FORMAT,
        "title": TITLE,
        "trainee": trainee,
        "policy": policy,
        "stage": stage,
        "issued": issued.isoformat(),
        "expires": expires.isoformat(),
        "criteria": [dict(c) for c in criteria],
    }


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes a code is computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(body: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 of ``body``'s canonical JSON, hex."""
    return hmac.new(key, canonical(body), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CertifyResult:
    """The outcome of ``certify``: a certificate, or the status that says what is missing."""

    status: CertificationStatus
    """The trainee's status before issuing."""
    certificate: Certificate | None
    """The new certificate; ``None`` when the rules are not met."""


def certify(
    records: Records, trainee: str, policy: Policy, *, today: date, key: bytes
) -> CertifyResult:
    """Issue a certificate when ``trainee`` meets ``policy``'s rules on ``today``.

    The status is read and the certificate recorded in one transaction, so two terminals
    certifying the same trainee at once issue one certificate.

    Raises:
        assessments.records.UnknownTrainee: when there is no such trainee.
    """
    with records.transaction():
        now = status(records, trainee, policy, today)
        if not now.ready:
            return CertifyResult(now, None)
        period = policy.certification_rules.validity.period
        expires = today + timedelta(days=int(period // 86400))
        criteria = tuple(
            {"id": r.id, "requirement": r.says, "met": r.progress, "evidence": list(r.evidence)}
            for r in now.requirements
            if not r.gate
        )
        body = _body(now.trainee, policy.id, today, expires, now.stage, criteria)
        cert = Certificate(
            now.trainee, policy.id, today, expires, now.stage, criteria, sign(body, key)
        )
        records.add_certificate(
            now.trainee,
            policy=policy.id,
            issued=today,
            expires=expires,
            code=cert.code,
            document=cert.to_json(),
        )
    return CertifyResult(now, cert)


# --------------------------------------------------------------------------- verification


Verdict = Literal["valid", "expired", "revoked", "altered", "unreadable"]
"""What ``verify`` found."""

ALTERED = "signature does not match: the certificate was altered or issued by another programme"
"""The message for a certificate whose code does not match its content."""


@dataclass(frozen=True)
class Verification:
    """The result of checking a certificate file."""

    verdict: Verdict
    """``valid``, ``expired``, ``revoked``, ``altered`` or ``unreadable``."""
    message: str
    """One line for people: ``valid until 2027-03-01 …``, ``expired on …``, ``revoked …``."""
    certificate: Certificate | None = None
    """The certificate, when its code matches."""

    @property
    def ok(self) -> bool:
        """Whether the certificate is valid."""
        return self.verdict == "valid"


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "warroom_certificate": int,
    "title": str,
    "trainee": str,
    "policy": str,
    "stage": str,
    "issued": str,
    "expires": str,
    "criteria": list,
    "code": str,
}


def verify(
    cert_path: str | os.PathLike[str],
    key: bytes,
    *,
    today: date | None = None,
    records: Records | None = None,
) -> Verification:
    """Check a certificate file: its code, then revocation (when ``records`` is given), then
    expiry on ``today`` (default: the system date).
    """
    try:
        doc = _read_certificate(Path(cert_path))
    except ValueError as exc:
        return Verification("unreadable", f"not a warroom certificate: {exc}")
    body = {k: v for k, v in doc.items() if k != "code"}
    if not hmac.compare_digest(sign(body, key), str(doc["code"])):
        return Verification("altered", ALTERED)
    try:
        cert = Certificate(
            doc["trainee"],
            doc["policy"],
            date.fromisoformat(doc["issued"]),
            date.fromisoformat(doc["expires"]),
            doc["stage"],
            tuple(doc["criteria"]),
            doc["code"],
        )
    except ValueError as exc:  # pragma: no cover - only a certificate signed with bad dates
        return Verification("unreadable", f"not a warroom certificate: {exc}")
    who = f"{cert.trainee}, {TITLE} under policy {cert.policy}, issued {cert.issued.isoformat()}"
    if records is not None:
        held = records.certificate(cert.code)
        if held is not None and held.revoked:
            when = f" on {held.revoked_at.date().isoformat()}" if held.revoked_at else ""
            why = f" ({held.revoked_reason})" if held.revoked_reason else ""
            return Verification("revoked", f"revoked{when}{why}: {who}", cert)
    day = today or date.today()
    if day >= cert.expires:
        return Verification("expired", f"expired on {cert.expires.isoformat()}: {who}", cert)
    left = (cert.expires - day).days
    return Verification(
        "valid",
        f"valid until {cert.expires.isoformat()} ({left} day{_s(left)} left): {who}",
        cert,
    )


def _read_certificate(path: Path) -> dict[str, Any]:
    try:
        text = read_text(path, limit=MAX_CERTIFICATE_BYTES)
    except FileError as exc:
        raise ValueError(exc.reason) from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    for name, kind in _FIELDS.items():
        if name not in doc:
            raise ValueError(f"no {name!r} field")
        if not isinstance(doc[name], kind) or isinstance(doc[name], bool):
            raise ValueError(f"the {name!r} field has the wrong type")
    return doc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the field {key!r} appears twice")
        out[key] = value
    return out


# --------------------------------------------------------------------------- the key


def key_path(db_path: str | os.PathLike[str]) -> Path:
    """The signing key beside a database: ``records.db`` → ``records.key``."""
    return Path(db_path).with_suffix(".key")


def load_key(db_path: str | os.PathLike[str], *, create: bool = False) -> bytes:
    """The signing key of the records at ``db_path``.

    Args:
        db_path: The database the key belongs to.
        create: Make the key (32 random bytes, file mode 0600) when there is none yet. Two
            processes creating it at once end up with the same key.

    Raises:
        assessments.records.RecordsError: when there is no key (and ``create`` is false) or the
            file is not a key.
    """
    path = key_path(db_path)
    if create and not path.exists():
        _create_key(path)
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        raise RecordsError(
            f"{path}: no certificate key; certificates are verified with the key beside the "
            "records database that issued them (give that database with --db)"
        ) from None
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read the certificate key: {exc.strerror}") from None
    if len(key) != KEY_BYTES:
        raise RecordsError(f"{path}: not a certificate key ({len(key)} bytes, not {KEY_BYTES})")
    return key


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # pragma: no cover - file systems without hard links
        if not path.exists():
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
