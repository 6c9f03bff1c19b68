"""The scenario's cross-reference checks: every id a scenario uses names something it defines.

``check_references`` runs them in a fixed order (unique ids first, then faults, alerts,
injects, diagnostics, mitigations, timings and expectations) and returns each problem with
the location of the offending value, for ``warroom validate`` to point at; ``check_script``
checks an action script's references against the scenario it is for. Why one module: the
scenario's and the scripts' checks share one table of what a scenario defines (``_Known``)
and one did-you-mean; apart, each would import the other's private helpers. The checks only
read a validated ``Scenario``; they must not run it, load files or know about policies.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Iterator
from typing import Any, Literal, get_args, get_origin

from simulator import commands as cmd
from simulator.commands import command_fields
from simulator.durations import format_duration
from simulator.model import (
    MAX_FORMAT_PRECISION,
    MAX_FORMAT_WIDTH,
    ActionTaken,
    AlertIs,
    Channel,
    ClockIs,
    Condition,
    DiagnosticOutput,
    Effect,
    FaultIs,
    FindingIs,
    InjectDelivered,
    Loc,
    MetricEffect,
    MetricIs,
    MustNot,
    Requirement,
    ResponderIs,
    Scenario,
    ServiceEffect,
    Since,
    ValidatorEffect,
    walk_condition,
)

_FIELD = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)*$")


_SPEC_SIZES = re.compile(r"[<>^]?0*(\d*)(?:\.(\d*))?")
"""The width and precision digits at the start of a format spec."""


def _short(spec: str | None) -> str:
    text = spec or ""
    return text if len(text) <= 20 else text[:20] + "…"


def template_fields(text: str) -> list[tuple[str, str]]:
    """The ``{name:spec}`` placeholders of a message template.

    Raises:
        ValueError: when the template is malformed, uses anything but plain names, or formats
            wider than ``MAX_FORMAT_WIDTH`` or with more than ``MAX_FORMAT_PRECISION`` decimals.
    """
    out: list[tuple[str, str]] = []
    for _, name, spec, conv in string.Formatter().parse(text):
        if name is None:
            continue
        if conv or not _FIELD.match(name) or "{" in (spec or ""):
            raise ValueError(f"placeholder {{{name}}} must be a metric id like {{api.error_rate}}")
        sizes = _SPEC_SIZES.match(spec or "")
        width, precision = (sizes.group(1), sizes.group(2) or "") if sizes else ("", "")
        if len(width) > 3 or int(width or 0) > MAX_FORMAT_WIDTH:
            raise ValueError(
                f"placeholder {{{name}:{_short(spec)}}} is wider than {MAX_FORMAT_WIDTH} characters"
            )
        if len(precision) > 3 or int(precision or 0) > MAX_FORMAT_PRECISION:
            raise ValueError(
                f"placeholder {{{name}:{_short(spec)}}} has more than {MAX_FORMAT_PRECISION} "
                "decimals"
            )
        out.append((name, spec or ""))
    return out


def _unique(items: Iterable[Any], section: str, key: str = "id") -> Iterator[tuple[Loc, str]]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            yield (section, i, key), f"duplicate {key} {value!r} (also {section}[{seen[value]}])"
        else:
            seen[value] = i


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


Problems = Iterator[tuple[Loc, str]]
"""Cross-reference errors as they are found: (where, what is wrong)."""

_SECTIONS = (
    "services",
    "queues",
    "faults",
    "injects",
    "responders",
    "diagnostics",
    "mitigations",
    "alerts",
    "channels",
    "stakeholders",
)
"""The sections whose entries need unique ids, in the order they are checked."""

_DERIVED_CHAIN_METRICS = (
    "chain.height",
    "chain.since_last_block",
    "chain.online_power",
    "chain.validators_online",
)
"""Chain metrics that follow from the validators, so no fault may move them directly."""

_FORMAT_SPEC = re.compile(r"[<>^]?\d*(\.\d+)?[fdg%]?")


def check_references(s: Scenario) -> list[tuple[Loc, str]]:
    """Every cross-reference error of ``s``, in a fixed order (ids first, then each section)."""
    return list(_check_references(s))


def _check_references(s: Scenario) -> Problems:
    yield from _check_ids(s)
    known = _Known(s)
    yield from _check_faults(s, known)
    yield from _check_alerts(s, known)
    yield from _check_injects(s, known)
    yield from _check_diagnostics(s, known)
    yield from _check_logs(s, known)
    yield from _check_mitigations(s, known)
    yield from _check_fault_times(s)
    yield from _check_expected(s, known)
    yield from _check_additions(s)
    yield from _check_format(s)


def _check_ids(s: Scenario) -> Problems:
    """Unique ids per section and per service; metric prefixes that do not clash."""
    for section in _SECTIONS:
        yield from _unique(getattr(s, section), section)
    for i, service in enumerate(s.services):
        seen: set[str] = set()
        for j, m in enumerate(service.metrics):
            if m.id in seen:
                yield ("services", i, "metrics", j, "id"), f"duplicate metric id {m.id!r}"
            seen.add(m.id)
    prefixes = [sv.id for sv in s.services] + [q.id for q in s.queues]
    if s.chain is not None:
        if "chain" in prefixes:
            yield ("services",), "'chain' is reserved for the chain's metrics"
        names = [v.name for v in s.chain.validator_set()]
        if len(set(names)) != len(names):
            yield ("chain", "validators"), "duplicate validator names"
    clash = {p for p in prefixes if prefixes.count(p) > 1}
    for p in sorted(clash):
        yield ("queues",), f"service and queue ids must differ: {p!r} is both"


class _Known:
    """The ids a scenario defines, and the checks of a reference against them."""

    def __init__(self, s: Scenario) -> None:
        """Collect the ids ``s`` defines."""
        self.metrics = s.metric_ids()
        self.alerts = {a.id for a in s.alerts}
        self.injects = {x.id for x in s.injects}
        self.faults = {f.id: f for f in s.faults}
        self.diagnostics = {d.id for d in s.diagnostics}
        self.mitigations = {m.id for m in s.mitigations}
        self.responders = {r.id for r in s.responders}
        self.services = {sv.id for sv in s.services}
        self.validators = {v.name for v in s.chain.validator_set()} if s.chain else set()
        self.findings = {
            name
            for d in s.diagnostics
            for out in d.all_outputs()
            for name in (*out.finds, *out.reveals)
        }
        self.skills = {skill for r in s.responders for skill in r.skills}
        self.channels = {x.id for x in s.channels}
        self.stakeholders = {x.id for x in s.stakeholders}

    def metric(self, loc: Loc, name: str) -> Problems:
        """``name`` must be a metric of the scenario."""
        if name not in self.metrics:
            yield loc, f"unknown metric {name!r}{_suggest(name, self.metrics)}"

    @staticmethod
    def refs(loc: Loc, names: Iterable[str], known: Iterable[str], what: str) -> Problems:
        """Each of ``names`` must be one of ``known`` (reported at ``loc`` + its index)."""
        known = set(known)
        for k, name in enumerate(names):
            if name not in known:
                yield (*loc, k), f"unknown {what} {name!r}{_suggest(name, known)}"

    def template(self, loc: Loc, text: str, extra: Iterable[str] = ()) -> Problems:
        """A message template may name metrics (and ``extra``) with simple format specs."""
        allowed = set(self.metrics) | set(extra)
        try:
            fields = template_fields(text)
        except ValueError as exc:
            yield loc, str(exc)
            return
        for name, spec in fields:
            if name not in allowed:
                yield loc, f"unknown placeholder {{{name}}}{_suggest(name, allowed)}"
            elif spec and not _FORMAT_SPEC.fullmatch(spec):
                yield loc, f"unsupported format {{{name}:{spec}}}: use e.g. {{{name}:.1f}}"

    def condition(self, loc: Loc, cond: Condition | None) -> Problems:
        """Every predicate of ``cond`` must name things the scenario has."""
        if cond is None:
            return
        for where, c in walk_condition(cond, loc):
            if isinstance(c, MetricIs):
                yield from self.metric((*where, "metric"), c.metric)
            elif isinstance(c, AlertIs) and c.alert not in self.alerts:
                yield (
                    (*where, "alert"),
                    f"unknown alert {c.alert!r}{_suggest(c.alert, self.alerts)}",
                )
            elif isinstance(c, InjectDelivered) and c.inject not in self.injects:
                yield (
                    (*where, "inject"),
                    f"unknown inject {c.inject!r}{_suggest(c.inject, self.injects)}",
                )
            elif isinstance(c, FaultIs) and c.fault not in self.faults:
                yield (
                    (*where, "fault"),
                    f"unknown fault {c.fault!r}{_suggest(c.fault, self.faults)}",
                )
            elif isinstance(c, ActionTaken):
                yield from _check_action_filter(
                    where,
                    c,
                    self.alerts,
                    self.diagnostics,
                    self.mitigations,
                    self.responders,
                    {"stakeholder": self.stakeholders, "audience": self.channels},
                )
            elif isinstance(c, FindingIs):
                yield from self.finding((*where, "finding"), c.finding)
            elif isinstance(c, ResponderIs):
                yield from self.responder((*where, "responder"), c.responder)
            elif isinstance(c, Since):
                yield from self.anchor((*where, "since"), c.since)

    def finding(self, loc: Loc, name: str) -> Problems:
        """``name`` must be something a diagnostic output ``finds`` or ``reveals``."""
        if name not in self.findings:
            yield (
                loc,
                (f"no diagnostic output finds or reveals {name!r}{_suggest(name, self.findings)}"),
            )

    def responder(self, loc: Loc, name: str) -> Problems:
        """``name`` must be a responder of the scenario."""
        if name not in self.responders:
            yield loc, f"unknown responder {name!r}{_suggest(name, self.responders)}"

    def anchor(self, loc: Loc, anchor: str) -> Problems:
        """``KIND:ID`` must name something of that kind."""
        kind, _, name = anchor.partition(":")
        if not name:
            return
        if kind == "finding":
            yield from self.finding(loc, name)
            return
        if kind == "joined":
            yield from self.responder(loc, name)
            return
        known: set[str] = {
            "fault": set(self.faults),
            "inject": self.injects,
            "alert": self.alerts,
            "mitigation": self.mitigations,
        }[kind]
        if name not in known:
            yield loc, f"unknown {kind} {name!r}{_suggest(name, known)}"

    def requirement(self, loc: Loc, req: Requirement | None) -> Problems:
        """A precondition names a skill someone has, responders, findings and dormant faults."""
        if req is None:
            return
        if req.skill is not None and req.skill not in self.skills:
            yield (
                (*loc, "skill"),
                (f"no responder has the skill {req.skill!r}{_suggest(req.skill, self.skills)}"),
            )
        if req.responder is not None:
            yield from self.responder((*loc, "responder"), req.responder)
        for k, name in enumerate(req.known):
            yield from self.finding((*loc, "known", k), name)
        yield from self.condition((*loc, "when"), req.when)
        yield from self.starts((*loc, "starts"), req.starts)

    def starts(self, loc: Loc, names: Iterable[str]) -> Problems:
        """Faults that something starts exist and are dormant."""
        names = list(names)
        yield from self.refs(loc, names, self.faults, "fault")
        for k, fid in enumerate(names):
            if fid in self.faults and not self.faults[fid].dormant:
                yield (
                    (*loc, k),
                    (
                        f"fault {fid!r} starts on its own; a mitigation can only start a fault "
                        "with no 'at' or 'when'"
                    ),
                )


def _check_faults(s: Scenario, known: _Known) -> Problems:
    """A fault's condition and effects name metrics, services and validators that exist."""
    for i, f in enumerate(s.faults):
        yield from known.condition(("faults", i, "when"), f.when)
        for j, e in enumerate(f.effects):
            yield from _check_effect(s, known, ("faults", i, "effects", j), e)


def _check_effect(s: Scenario, known: _Known, loc: Loc, e: Effect) -> Problems:
    if isinstance(e, MetricEffect):
        yield from known.metric((*loc, "metric"), e.metric)
        if e.metric in _DERIVED_CHAIN_METRICS:
            yield (
                (*loc, "metric"),
                (
                    f"{e.metric} follows from the validators; take validators offline or "
                    "change chain.block_time instead"
                ),
            )
    elif isinstance(e, ServiceEffect) and e.service not in known.services:
        yield (
            (*loc, "service"),
            f"unknown service {e.service!r}{_suggest(e.service, known.services)}",
        )
    elif isinstance(e, ValidatorEffect):
        if s.chain is None:
            yield (*loc, "validators"), "the scenario has no chain"
        else:
            yield from known.refs((*loc, "validators"), e.validators, known.validators, "validator")


def _check_alerts(s: Scenario, known: _Known) -> Problems:
    """An alert watches a metric; its summary names metrics, ``value`` or ``threshold``."""
    for i, a in enumerate(s.alerts):
        yield from known.metric(("alerts", i, "metric"), a.metric)
        yield from known.template(("alerts", i, "summary"), a.summary, extra=("value", "threshold"))


def _check_injects(s: Scenario, known: _Known) -> Problems:
    """An inject's condition and text name what exists; it is due before it expires and ends."""
    builtin = set(get_args(Channel))
    for i, x in enumerate(s.injects):
        if x.channel not in builtin and x.channel not in known.channels:
            allowed = builtin | known.channels
            yield (
                ("injects", i, "channel"),
                (
                    f"unknown channel {x.channel!r}{_suggest(x.channel, allowed)}; add it under "
                    "channels: or use one of: " + ", ".join(sorted(builtin))
                ),
            )
        yield from known.condition(("injects", i, "when"), x.when)
        yield from known.template(("injects", i, "text"), x.text)
        for k, rid in enumerate(x.leaves):
            yield from known.responder(("injects", i, "leaves", k), rid)
        if x.until is not None and x.at is not None and x.until < x.at:
            yield ("injects", i, "until"), "expires before it is due"
        if x.at is not None and x.at > s.duration:
            yield ("injects", i, "at"), "is after the end of the scenario"


def _check_logs(s: Scenario, known: _Known) -> Problems:
    """A service's log lines name what exists."""
    for i, sv in enumerate(s.services):
        for j, line in enumerate(sv.logs):
            yield from known.condition(("services", i, "logs", j, "when"), line.when)
            yield from known.template(("services", i, "logs", j, "text"), line.text)


def _check_diagnostics(s: Scenario, known: _Known) -> Problems:
    """Each output of a diagnostic names what exists and reveals faults that exist."""
    for i, d in enumerate(s.diagnostics):
        outputs: list[tuple[Loc, DiagnosticOutput]] = [
            (("diagnostics", i, "outputs", j), out) for j, out in enumerate(d.outputs)
        ]
        outputs += [
            (("diagnostics", i, "choices", k, "outputs", j), out)
            for k, choice in enumerate(d.choices)
            for j, out in enumerate(choice.outputs)
        ]
        seen: set[str] = set()
        for k, choice in enumerate(d.choices):
            if choice.id in seen:
                yield ("diagnostics", i, "choices", k, "id"), f"duplicate choice {choice.id!r}"
            seen.add(choice.id)
        if d.logs is not None and d.logs not in known.services:
            yield (
                ("diagnostics", i, "logs"),
                (f"unknown service {d.logs!r}{_suggest(d.logs, known.services)}"),
            )
        for loc, out in outputs:
            yield from known.condition((*loc, "when"), out.when)
            yield from known.template((*loc, "text"), out.text)
            yield from known.refs((*loc, "reveals"), out.reveals, known.faults, "fault")
        yield from known.requirement(("diagnostics", i, "requires"), d.requires)


def _check_mitigations(s: Scenario, known: _Known) -> Problems:
    """A mitigation clears and starts faults that exist, and starts only dormant ones."""
    for i, mit in enumerate(s.mitigations):
        loc: Loc = ("mitigations", i)
        yield from known.refs((*loc, "clears"), mit.clears, known.faults, "fault")
        yield from known.starts((*loc, "starts"), mit.starts)
        yield from known.requirement((*loc, "requires"), mit.requires)
        yield from known.condition((*loc, "offered"), mit.offered)
        for j, case in enumerate(mit.cases):
            yield from known.condition((*loc, "cases", j, "when"), case.when)
            yield from known.refs((*loc, "cases", j, "clears"), case.clears, known.faults, "fault")
            yield from known.starts((*loc, "cases", j, "starts"), case.starts)
            yield from known.template((*loc, "cases", j, "outcome"), case.outcome)
        yield from known.refs((*loc, "ends"), mit.ends, known.faults, "fault")
        roots = {f.id for f in s.faults if f.root_cause}
        for k, fid in enumerate(mit.ends):
            if fid in known.faults and fid not in roots:
                msg = f"fault {fid!r} is not a root cause: only a root cause can be ended"
                yield ("mitigations", i, "ends", k), msg


def _check_fault_times(s: Scenario) -> Problems:
    """A timed fault starts before the scenario ends."""
    for i, f in enumerate(s.faults):
        if f.at is not None and f.at > s.duration:
            yield ("faults", i, "at"), "is after the end of the scenario"


def _check_expected(s: Scenario, known: _Known) -> Problems:
    """What the assessor expects names responders that exist and a root cause to find."""
    for k, r in enumerate(s.expected.page):
        if r not in known.responders:
            yield ("expected", "page", k), f"unknown responder {r!r}{_suggest(r, known.responders)}"
    if not any(f.root_cause for f in s.faults) and s.expected.declare:
        yield ("faults",), "no fault is marked root_cause: true"
    for k, moment in enumerate(s.expected.triggers):
        here: Loc = ("expected", "triggers", k)
        if moment.inject is not None and moment.inject not in known.injects:
            yield (*here, "inject"), f"unknown inject {moment.inject!r}"
        if moment.fault is not None and moment.fault not in known.faults:
            yield (*here, "fault"), f"unknown fault {moment.fault!r}"
        if moment.alert is not None and moment.alert not in known.alerts:
            yield (*here, "alert"), f"unknown alert {moment.alert!r}"
    for k, rule in enumerate(s.expected.must_not):
        yield from _check_action_filter(
            ("expected", "must_not", k),
            rule,
            known.alerts,
            known.diagnostics,
            known.mitigations,
            known.responders,
            {"stakeholder": known.stakeholders, "audience": known.channels},
        )


_FORMAT_2_PREDICATES = (FindingIs, ResponderIs, Since, ClockIs)


def _format_2_uses(s: Scenario) -> Iterator[Loc]:
    """Where ``s`` uses what only format 2 has."""
    conditions: list[tuple[Loc, Condition | None]] = []
    for i, f in enumerate(s.faults):
        conditions.append((("faults", i, "when"), f.when))
        if f.repeat is not None:
            yield ("faults", i, "repeat")
    for i, sv in enumerate(s.services):
        if sv.logs:
            yield ("services", i, "logs")
        for j, m in enumerate(sv.metrics):
            if m.history:
                yield ("services", i, "metrics", j, "history")
    for i, x in enumerate(s.injects):
        conditions.append((("injects", i, "when"), x.when))
    for i, d in enumerate(s.diagnostics):
        for name in ("requires", "choices", "logs"):
            if getattr(d, name):
                yield ("diagnostics", i, name)
        for j, out in enumerate(d.outputs):
            if out.finds:
                yield ("diagnostics", i, "outputs", j, "finds")
            conditions.append((("diagnostics", i, "outputs", j, "when"), out.when))
    for i, mit in enumerate(s.mitigations):
        for name in ("requires", "offered", "cases"):
            if getattr(mit, name):
                yield ("mitigations", i, name)
    for name in ("channels", "stakeholders"):
        if getattr(s, name):
            yield (name,)
    builtin = set(get_args(Channel))
    for i, x in enumerate(s.injects):
        if x.channel not in builtin:
            yield ("injects", i, "channel")
        if x.leaves:
            yield ("injects", i, "leaves")
    for loc, cond in conditions:
        if cond is not None:
            for where, c in walk_condition(cond, loc):
                if isinstance(c, _FORMAT_2_PREDICATES):
                    yield where


def _check_additions(s: Scenario) -> Problems:
    """Added channels and stakeholders do not reuse a built-in name."""
    builtin_channels = {*get_args(Channel), *get_args(cmd.Audience)}
    for i, ch in enumerate(s.channels):
        if ch.id in builtin_channels:
            yield ("channels", i, "id"), f"{ch.id!r} is a built-in channel already"
    for i, st in enumerate(s.stakeholders):
        if st.id in get_args(cmd.Stakeholder):
            yield ("stakeholders", i, "id"), f"{st.id!r} is a stakeholder of every policy already"


def _check_format(s: Scenario) -> Problems:
    """A format-1 file uses nothing format 2 added; the message says how to upgrade."""
    if s.format >= 2:
        return
    for loc in _format_2_uses(s):
        yield loc, "needs format: 2 (this file says format: 1); upgrade it: warroom migrate FILE"


def check_script(script: cmd.ActionScript, s: Scenario) -> list[tuple[Loc, str]]:
    """Every reference of an action script that names nothing in scenario ``s``.

    The locations are the script's (``actions[3].mitigation``). Severity levels are the
    policy's, so they are checked when the script runs, not here.
    """
    return list(_check_script(script, s))


def _check_script(script: cmd.ActionScript, s: Scenario) -> Problems:
    from simulator.people import ESCALATION_LABELS, find_responder, person_key

    known = _Known(s)
    people = [r.id for r in s.responders]

    def person(loc: Loc, name: str, *extra: str) -> Problems:
        if name.strip().lower().lstrip("@") in extra:
            return
        if find_responder(name, s.responders) is None:
            allowed = [*extra, *people]
            yield loc, f"no responder {name!r}{_suggest(name.lower(), allowed)}"

    for i, step in enumerate(script.actions):
        a = step.action
        loc: Loc = ("actions", i)
        if isinstance(a, cmd.Acknowledge) and a.alert not in known.alerts:
            yield (*loc, "alert"), f"unknown alert {a.alert!r}{_suggest(a.alert, known.alerts)}"
        elif isinstance(a, cmd.RunDiagnostic | cmd.Delegate):
            if a.diagnostic not in known.diagnostics:
                yield (
                    (*loc, "diagnostic"),
                    (
                        f"unknown diagnostic {a.diagnostic!r}"
                        f"{_suggest(a.diagnostic, known.diagnostics)}"
                    ),
                )
            if isinstance(a, cmd.Delegate):
                yield from person((*loc, "responder"), a.responder)
            d = next((x for x in s.diagnostics if x.id == a.diagnostic), None)
            ids = [x.id for x in d.choices] if d is not None else []
            if d is not None and (a.choice is None) != (not ids):
                yield (
                    (*loc, "choice" if a.choice else "diagnostic"),
                    (
                        f"{d.id} takes a choice: one of {', '.join(ids)}"
                        if ids
                        else f"{d.id} takes no choice"
                    ),
                )
            elif d is not None and a.choice is not None and a.choice not in ids:
                yield (
                    (*loc, "choice"),
                    (
                        f"{d.id} has no choice {a.choice!r}{_suggest(a.choice, ids)}; one of: "
                        + ", ".join(ids)
                    ),
                )
        elif isinstance(a, cmd.ApplyMitigation) and a.mitigation not in known.mitigations:
            yield (
                (*loc, "mitigation"),
                (f"unknown mitigation {a.mitigation!r}{_suggest(a.mitigation, known.mitigations)}"),
            )
        elif isinstance(a, cmd.Page):
            yield from person((*loc, "target"), a.target, *cmd.ROTATIONS)
        elif isinstance(a, cmd.AssignRole):
            yield from person((*loc, "person"), a.person, "me", "self", "myself")
        elif isinstance(a, cmd.HandoffIC):
            yield from person((*loc, "to"), a.to, "me", "self", "myself")
        elif isinstance(a, cmd.Escalate) and (
            find_responder(a.to, s.responders) is None
            and person_key(a.to) not in {*ESCALATION_LABELS, *known.stakeholders}
        ):
            targets = sorted({*people, *ESCALATION_LABELS, *known.stakeholders})
            yield (
                (*loc, "to"),
                (
                    f"{a.to!r} names no responder or escalation target"
                    f"{_suggest(person_key(a.to), targets)}; one of: " + ", ".join(targets)
                ),
            )
        elif isinstance(a, cmd.Notify) and a.stakeholder not in {
            *get_args(cmd.Stakeholder),
            *known.stakeholders,
        }:
            allowed = {*get_args(cmd.Stakeholder), *known.stakeholders}
            yield (
                (*loc, "stakeholder"),
                (f"no stakeholder {a.stakeholder!r}{_suggest(a.stakeholder, allowed)} in {s.id}"),
            )
        elif isinstance(a, cmd.PostUpdate) and a.audience not in {
            *get_args(cmd.Audience),
            *known.channels,
        }:
            allowed = {*get_args(cmd.Audience), *known.channels}
            yield (
                (*loc, "audience"),
                (f"no audience {a.audience!r}{_suggest(a.audience, allowed)} in {s.id}"),
            )
        elif isinstance(a, cmd.FireInject) and a.inject not in known.injects:
            yield (
                (*loc, "inject"),
                f"unknown inject {a.inject!r}{_suggest(a.inject, known.injects)}",
            )
        elif isinstance(a, cmd.StartFault) and a.fault not in known.faults:
            yield (*loc, "fault"), f"unknown fault {a.fault!r}{_suggest(a.fault, known.faults)}"
        if step.at > s.duration:
            yield (
                (*loc, "at"),
                f"is after the end of the scenario ({s.id} lasts {format_duration(s.duration)})",
            )


def _check_action_filter(
    loc: Loc,
    c: ActionTaken | MustNot,
    alerts: set[str],
    diagnostics: set[str],
    mitigations: set[str],
    responders: set[str],
    extra: dict[str, set[str]],
) -> Iterator[tuple[Loc, str]]:
    fields = command_fields(c.action)
    known = {
        "alert": alerts,
        "diagnostic": diagnostics,
        "mitigation": mitigations,
        "responder": responders,
    }
    for key, value in c.with_.items():
        if key not in fields:
            yield (
                (*loc, "with", key),
                (
                    f"{c.action} has no field {key!r}{_suggest(key, fields)}; it has: "
                    + (", ".join(sorted(fields)) or "no fields")
                ),
            )
        elif key in known and value not in known[key]:
            yield (*loc, "with", key), f"unknown {key} {value!r}{_suggest(value, known[key])}"
        elif (
            key in ("target", "person") or (key, c.action) == ("to", "handoff_ic")
        ) and value.lower().lstrip("@") not in {
            *responders,
            *cmd.ROTATIONS,
            "me",
        }:
            allowed = sorted({*responders, *cmd.ROTATIONS})
            yield (
                (*loc, "with", key),
                (f"{value!r} names no responder or rotation{_suggest(value, allowed)}"),
            )
        elif (choices := _choices(c.action, key, extra)) and value not in choices:
            yield (
                (*loc, "with", key),
                (
                    f"{value!r} is not a valid {key}{_suggest(value, choices)}; one of: "
                    + ", ".join(choices)
                ),
            )


def _choices(action: str, key: str, extra: dict[str, set[str]] | None = None) -> list[str]:
    """The values a field of an action takes when it is a fixed list (a ``Literal``), with
    what the scenario adds to it (``extra``: stakeholders, audiences)."""
    info = next(
        (f for n, f in cmd.ACTION_TYPES[action].model_fields.items() if (f.alias or n) == key),
        None,
    )
    if info is None:
        return []
    members = [info.annotation]
    if get_origin(info.annotation) is not Literal:
        members = list(get_args(info.annotation))
    fixed = [str(v) for m in members if get_origin(m) is Literal for v in get_args(m)]
    if not fixed:
        return []
    return [*fixed, *sorted((extra or {}).get(key, set()))]
