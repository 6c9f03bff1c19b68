"""Static checks: what the model alone proves about a scenario.

Content (a debrief note, a red herring, a wrong mitigation with a consequence), values YAML cut
at `` #``, alerts that can never fire or that flap, injects and faults whose conditions never
hold, faults nothing clears, mitigations that clear nothing, diagnostics nobody can run. A
finding proved here is an error (a warning where a person may still act: a manual inject).
This module must not play the scenario.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from assessments.lint.findings import Finding, FindingLevel, finding_at
from assessments.lint.ranges import max_block_time, metric_range
from assessments.lint.reach import Reach
from simulator.durations import format_duration
from simulator.model import DiagnosticOutput, Requirement, Scenario
from simulator.yamlio import Document, Loc

__all__ = ["StaticChecks"]


class StaticChecks:
    """The static checks of one scenario file."""

    def __init__(self, scenario: Scenario, doc: Document, lines: Sequence[str]) -> None:
        """Check ``scenario`` as read from ``doc`` (its raw ``lines`` for comments)."""
        self.s = scenario
        self.doc = doc
        self.lines = lines
        self.reach = Reach(scenario)
        self.faults = {f.id: f for f in scenario.faults}
        self.never_fire: set[str] = set()
        """Alerts proved never to fire (the plays do not report them again)."""
        self.undeliverable: set[str] = set()
        """Injects proved never to be delivered (the plays do not report them again)."""

    def at(self, loc: Loc, level: FindingLevel, check: str, message: str) -> Finding:
        """A finding at ``loc``."""
        return finding_at(self.doc, loc, level, check, message)

    def run(self) -> Iterator[Finding]:
        """Every static finding, check by check."""
        yield from self.content()
        yield from self.cut_by_comment()
        yield from self.static_alerts()
        yield from self.static_injects()
        yield from self.faults_and_mitigations()
        yield from self.diagnostics()
        yield from self.ramps()
        yield from self.preconditions()
        yield from self.consequences()

    def content(self) -> Iterator[Finding]:
        """What the exercise teaches: debrief notes, a red herring, a wrong call with a cost."""
        s = self.s
        if not s.debrief.notes:
            yield self.at(
                ("debrief",),
                "warning",
                "no-debrief-notes",
                "the debrief has no notes: say what the exercise teaches (debrief.notes)",
            )
        if not any(d.red_herring for d in s.diagnostics):
            yield self.at(
                ("diagnostics",) if s.diagnostics else ("id",),
                "error",
                "no-red-herring",
                "no diagnostic is a red herring (red_herring: true): give the trainee a plausible "
                "wrong lead to rule out",
            )
        if s.expected.declare and not any(m.possible_starts() for m in s.mitigations):
            yield self.at(
                ("mitigations",) if s.mitigations else ("id",),
                "warning",
                "no-wrong-mitigation",
                "no mitigation starts a fault: a wrong call costs nothing here (add a dormant "
                "fault and list it under the wrong mitigation's starts)",
            )

    def cut_by_comment(self) -> Iterator[Finding]:
        """Plain (unquoted) values that YAML cut at `` #``: the rest of the line became a comment.

        ``from: Tessellate (Discord #validators)`` reads as ``Tessellate (Discord``. Flagged as an
        error when the ``#`` is glued to a word (``#validators``, ``#812``: part of the value, not
        a comment); a ``from:`` followed by ``# comment`` is a warning (senders rarely carry one).
        """
        for loc, value in _strings(self.doc.data, ()):
            line, col, _ = self.doc.position(loc)
            if not 0 < line <= len(self.lines):
                continue
            rest = self.lines[line - 1][col - 1 :]
            if rest[:1] in ("'", '"', "|", ">") or not rest.startswith(value):
                continue
            tail = rest[len(value) :]
            match = re.match(r"[ \t]+#(\S?)", tail)
            if match is None:
                continue
            glued = bool(match.group(1)) and match.group(1) != "#"
            is_from = loc[-1] == "from"
            if not glued and not is_from:
                continue
            field = str(loc[-1])
            yield self.at(
                loc,
                "error" if glued else "warning",
                "cut-by-comment",
                f"{field}: is read as {value!r}: YAML treats '{tail.strip()}' as a comment; "
                "quote the value",
            )

    # -- alerts and injects, statically ------------------------------------------------

    def static_alerts(self) -> Iterator[Finding]:
        """Alerts whose rule can never hold, and alerts on block gaps that would flap."""
        s = self.s
        for i, a in enumerate(s.alerts):
            r = metric_range(s, a.metric)
            if a.for_ >= s.duration or not r.allows(a.op, a.threshold):
                self.never_fire.add(a.id)
            if a.for_ >= s.duration:
                yield self.at(
                    ("alerts", i),
                    "error",
                    "alert-never-fires",
                    f"{a.id} waits {format_duration(a.for_)} but the scenario lasts "
                    f"{format_duration(s.duration)}",
                )
            elif not r.allows(a.op, a.threshold):
                yield self.at(
                    ("alerts", i),
                    "error",
                    "alert-never-fires",
                    f"{a.id} can never fire: {a.metric} {a.op} {a.threshold:g} never holds "
                    f"({a.metric} stays within {r.show()} given its baseline, noise, bounds "
                    "and every fault's effects)",
                )
            if a.metric == "chain.since_last_block" and a.op in (">", ">="):
                yield from self._flaps(i, a.id, a.threshold, a.for_)

    def _flaps(self, i: int, alert: str, threshold: float, wait: float) -> Iterator[Finding]:
        chain = self.s.chain
        assert chain is not None
        normal = chain.block_time
        slowest = max_block_time(self.s)
        trips = threshold + wait
        if trips < normal:
            yield self.at(
                ("alerts", i),
                "error",
                "alert-flaps",
                f"{alert} trips after {trips:g}s without a block but the chain's normal block "
                f"time is {normal:g}s: it fires and resolves on every block",
            )
        elif trips < slowest:
            yield self.at(
                ("alerts", i),
                "warning",
                "alert-flaps",
                f"{alert} trips after {trips:g}s without a block but blocks can come "
                f"{slowest:.0f}s apart while the chain still produces them: it would fire and "
                "resolve on every slow block; raise the threshold (or for) above the slowest "
                "block time",
            )

    def static_injects(self) -> Iterator[Finding]:
        """Injects that can never be delivered and faults that never start."""
        s = self.s
        for i, x in enumerate(s.injects):
            if x.when is None:
                continue
            limit = min(s.duration, x.until if x.until is not None else math.inf)
            why = self.reach.never(
                x.when, ("injects", i, "when"), limit - x.delay, frozenset({x.id})
            )
            if why is None:
                continue
            self.undeliverable.add(x.id)
            how = (
                "only the facilitator can fire it (manual)"
                if x.manual
                else "it can never be delivered"
            )
            yield self.at(
                ("injects", i),
                "warning" if x.manual else "error",
                "inject-undeliverable",
                f"inject {x.id}: {why[1]}; {how}",
            )
        for i, f in enumerate(s.faults):
            if f.when is None:
                continue
            why = self.reach.never(f.when, ("faults", i, "when"), s.duration, frozenset({f.id}))
            if why is not None:
                yield self.at(
                    ("faults", i),
                    "error",
                    "fault-never-starts",
                    f"fault {f.id}: {why[1]}; it never starts",
                )

    # -- faults, mitigations, diagnostics ------------------------------------------------

    def faults_and_mitigations(self) -> Iterator[Finding]:
        """Faults nothing clears, mitigations that clear nothing or change nothing."""
        s = self.s
        cleared_by: dict[str, list[str]] = {}
        for m in s.mitigations:
            for fid in m.possible_clears():
                cleared_by.setdefault(fid, []).append(m.id)
        for i, f in enumerate(s.faults):
            if f.duration is not None or cleared_by.get(f.id) or not self.reach.can_start(f):
                continue
            if f.root_cause:
                yield self.at(
                    ("faults", i),
                    "error",
                    "fault-not-cleared",
                    f"root-cause fault {f.id} never clears: no mitigation lists it under clears "
                    "and it has no duration",
                )
            else:
                yield self.at(
                    ("faults", i),
                    "warning",
                    "fault-not-cleared",
                    f"fault {f.id} never clears once started: no mitigation clears it and it has "
                    "no duration",
                )
        for i, m in enumerate(s.mitigations):
            if not m.possible_clears() and not m.possible_starts():
                yield self.at(
                    ("mitigations", i),
                    "warning",
                    "mitigation-no-effect",
                    f"mitigation {m.id} clears no fault and starts none: choosing it changes "
                    "nothing (give the wrong call a consequence, or say why it has none)",
                )
                continue
            if m.clears and not any(self.reach.can_start(self.faults[fid]) for fid in m.clears):
                yield self.at(
                    ("mitigations", i, "clears"),
                    "error",
                    "mitigation-clears-nothing",
                    f"mitigation {m.id} clears only faults that never start "
                    f"({', '.join(m.clears)})",
                )

    # -- format 2 ----------------------------------------------------------------------

    def ramps(self) -> Iterator[Finding]:
        """A ramp longer than its fault never reaches its full effect."""
        from simulator.model import MetricEffect

        for i, f in enumerate(self.s.faults):
            if f.duration is None:
                continue
            for j, e in enumerate(f.effects):
                if isinstance(e, MetricEffect) and e.ramp > f.duration:
                    yield self.at(
                        ("faults", i, "effects", j, "ramp"),
                        "warning",
                        "ramp-outlasts-fault",
                        f"the ramp of {format_duration(e.ramp)} is longer than fault {f.id} "
                        f"lasts ({format_duration(f.duration)}): {e.metric} never reaches its "
                        "full effect",
                    )

    def preconditions(self) -> Iterator[Finding]:
        """A precondition that no responder can meet in time, or one that always holds because
        the responder it names (or, for a skill alone, someone with the skill) is in the incident
        from the start and never leaves."""
        s = self.s
        owners: list[tuple[Loc, str, Requirement | None]] = []
        for i, m in enumerate(s.mitigations):
            owners.append((("mitigations", i, "requires"), m.id, m.requires))
        for i, d in enumerate(s.diagnostics):
            owners.append((("diagnostics", i, "requires"), d.id, d.requires))
        people = {r.id: r for r in s.responders}
        leaving = {rid for inj in s.injects for rid in inj.leaves}
        always = [r.id for r in s.responders if r.available and r.id not in leaving]
        for loc, owner, req in owners:
            if req is None:
                continue
            pool = [people[req.responder]] if req.responder in people else list(people.values())
            if req.skill is not None:
                pool = [r for r in pool if req.skill in r.skills]
            if (req.skill is not None or req.responder is not None) and not pool:
                yield self.at(
                    loc,
                    "error",
                    "precondition-unmeetable",
                    f"no responder meets the precondition of {owner}: "
                    + (
                        f"{req.responder} does not have the {req.skill} skill"
                        if req.responder is not None
                        else f"nobody has the {req.skill} skill"
                    ),
                )
            elif pool and all(not r.available and r.join_delay >= s.duration for r in pool):
                yield self.at(
                    loc,
                    "error",
                    "precondition-unmeetable",
                    f"whoever meets the precondition of {owner} joins after the exercise ends",
                )
            elif req.responder is not None and req.responder in always:
                yield self.at(
                    (*loc, "responder"),
                    "warning",
                    "precondition-always-met",
                    f"{req.responder} is in the incident from the start (available defaults to "
                    f"true) and never leaves, so the precondition of {owner} always has them; "
                    "for someone who must be paged first, set available: false and a join_delay",
                )
            elif (
                req.skill is not None
                and req.responder is None
                and not req.known
                and req.when is None
                and any(req.skill in people[r].skills for r in always)
            ):
                holders = ", ".join(r for r in always if req.skill in people[r].skills)
                yield self.at(
                    (*loc, "skill"),
                    "warning",
                    "precondition-always-met",
                    f"{holders} has the {req.skill} skill from the start and never leaves, so the "
                    f"precondition of {owner} always holds; for someone who must be paged first, "
                    "set available: false and a join_delay",
                )

    def consequences(self) -> Iterator[Finding]:
        """A conditional consequence whose condition can never hold when the mitigation is
        applied, or a mitigation whose ``offered`` condition never holds (never on offer)."""
        for i, m in enumerate(self.s.mitigations):
            if m.offered is not None:
                never = self.reach.never(m.offered, ("mitigations", i, "offered"), self.s.duration)
                if never is not None:
                    yield self.at(
                        never[0],
                        "error",
                        "mitigation-never-offered",
                        f"mitigation {m.id} is never on offer: {never[1]}",
                    )
            for j, case in enumerate(m.cases):
                why = self.reach.never(
                    case.when, ("mitigations", i, "cases", j, "when"), self.s.duration
                )
                if why is not None:
                    yield self.at(
                        why[0],
                        "error",
                        "consequence-untriggerable",
                        f"case {j + 1} of mitigation {m.id} never applies: {why[1]}",
                    )

    def diagnostics(self) -> Iterator[Finding]:
        """Diagnostics nobody is skilled to run, findings that never show, causes never revealed."""
        s = self.s
        skills = {k for r in s.responders for k in r.skills}
        for i, d in enumerate(s.diagnostics):
            if d.skill is not None and d.skill not in skills:
                yield self.at(
                    ("diagnostics", i, "skill"),
                    "error",
                    "diagnostic-unrunnable",
                    f"no responder has skill {d.skill!r} for {d.id}: only the IC can run it "
                    "(heads-down) or an unskilled responder at half speed",
                )
            groups: list[tuple[Loc, str, list[DiagnosticOutput]]] = (
                [(("diagnostics", i), d.id, d.outputs)] if d.outputs else []
            )
            groups += [
                (("diagnostics", i, "choices", j), f"{d.id} ({c.id})", c.outputs)
                for j, c in enumerate(d.choices)
            ]
            for base, name, outputs in groups:
                for k, out in enumerate(outputs):
                    shows = [*out.reveals, *out.finds]
                    if out.when is None or not shows:
                        continue
                    why = self.reach.never(out.when, (*base, "outputs", k, "when"), s.duration)
                    if why is not None:
                        yield self.at(
                            (*base, "outputs", k),
                            "error",
                            "diagnostic-unrunnable",
                            f"{name} can never show the output that reveals "
                            f"{', '.join(shows)}: {why[1]}",
                        )
                last = outputs[-1]
                if last.when is not None:
                    yield self.at(
                        (*base, "outputs", len(outputs) - 1, "when"),
                        "error",
                        "diagnostic-no-fallback",
                        f"the last output of {name} has a 'when': when no output's condition "
                        "holds, the engine shows the last one anyway"
                        + (
                            f", and it reveals {', '.join([*last.reveals, *last.finds])}"
                            if last.reveals or last.finds
                            else ""
                        )
                        + "; end the list with an output without 'when'",
                    )
        revealed = {fid for d in s.diagnostics for o in d.all_outputs() for fid in o.reveals}
        for i, f in enumerate(s.faults):
            if f.root_cause and f.id not in revealed and s.expected.declare:
                yield self.at(
                    ("faults", i),
                    "error",
                    "diagnostic-unrunnable",
                    f"no diagnostic reveals root-cause fault {f.id}: nobody can find the cause",
                )


def _strings(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every string value of the document with its location."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))
    elif isinstance(data, str) and data:
        yield loc, data
