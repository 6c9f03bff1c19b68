"""Plain-text renderings for the terminal: the assessment table ``warroom grade`` and ``warroom
run`` print.

Pure functions from data to text (no colour, no markup: the words carry the meaning and each
status symbol sits next to its word). This module must not grade, read files or print.
"""

from __future__ import annotations

import math
import textwrap

from assessments.assessor import SYMBOLS, Assessment, HarmfulMitigation, percent
from simulator.durations import format_clock, format_duration

__all__ = ["render_table"]


def render_table(assessment: Assessment, *, width: int = 100) -> str:
    """The plain-text table ``warroom grade`` prints.

    One row per criterion (symbol and word, measured, limit, detail), then the score and
    PASSED/FAILED, then rejected actions, harmful and wasted mitigations, anti-patterns and
    warnings.
    """
    a = assessment
    lines = [
        f"{a.scenario}: graded against policy {a.policy} at {a.level} "
        f"(trainee {a.trainee}, seed {a.seed})"
        + (f", live at {format_clock(a.now)}" if a.live and a.now is not None else ""),
        "",
    ]
    for i, cf in enumerate(a.critical_failures):
        head = "CRITICAL FAILURE (decides the result)" if i == 0 else "Also critical"
        text = f'{head}: {cf.detail} ({cf.source}: "{cf.says}")'
        wrapped = textwrap.wrap(text, width) or [""]
        lines.append(wrapped[0])
        lines.extend("  " + more for more in wrapped[1:])
    if a.critical_failures:
        lines.append("")
    rows = [("", "CRITERION", "STATUS", "MEASURED", "LIMIT")]
    for c in a.criteria:
        rows.append(
            (
                SYMBOLS[c.status],
                c.id,
                c.status.replace("_", " "),
                _cell(c.measured_s),
                _cell(c.limit_s),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    head = "  ".join(x.ljust(w) for x, w in zip(rows[0], widths, strict=True)) + "  DETAIL"
    lines.append(head.rstrip())
    indent = sum(widths) + 2 * 5
    for row, c in zip(rows[1:], a.criteria, strict=True):
        left = "  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)) + "  "
        wrapped = textwrap.wrap(c.detail, max(30, width - indent)) or [""]
        lines.append(left + wrapped[0])
        lines.extend(" " * indent + more for more in wrapped[1:])
    applicable = [c for c in a.criteria if c.applicable]
    passed = [c for c in applicable if c.passed]
    pending = [c for c in applicable if c.status == "pending"]
    verdict = "PASSED" if a.passed else "FAILED"
    if a.critical_failures:
        verdict += " (critical failure: " + a.critical_failures[0].id.replace("_", " ") + ")"
    so_far = " so far" if a.live else ""
    less = ""
    if a.penalties:
        less = f", less {sum(p.penalty for p in a.penalties):.0%} in penalties"
    lines += [
        "",
        f"Score{so_far}: {percent(a.score)} ({len(passed)} of {len(applicable)} applicable "
        f"criteria passed{', ' + str(len(pending)) + ' pending' if pending else ''}{less}); "
        f"pass mark {percent(a.pass_score)}: {verdict}",
    ]
    sections: list[tuple[str, list[str]]] = [
        (
            "Rejected actions",
            [f"{format_clock(r.t)}  {r.command}: {r.reason}" for r in a.rejected_actions],
        ),
        (
            "Penalties",
            [f"{format_clock(p.t)}  {p.what}: -{p.penalty:.0%}: {p.says}" for p in a.penalties],
        ),
        ("Harmful mitigations", [_harmful(m) for m in a.harmful_mitigations]),
        (
            "Wasted mitigations",
            [f"{format_clock(m.t)}  {m.id} changed nothing" for m in a.wasted_mitigations],
        ),
        (
            "Anti-patterns",
            [
                f'{format_clock(p.t)}  {p.pattern}: {p.detail} ({p.source}: "{p.says}")'
                for p in a.anti_patterns
            ],
        ),
        ("Warnings", list(a.warnings)),
    ]
    for title, items in sections:
        lines += ["", f"{title}: " + ("none" if not items else "")]
        for item in items:
            wrapped = textwrap.wrap(item, width - 4) or [""]
            lines.append("  " + wrapped[0])
            lines.extend("    " + more for more in wrapped[1:])
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(seconds: float | None) -> str:
    if seconds is None or math.isinf(seconds):
        return "–"
    return format_duration(round(seconds, 1))


def _harmful(m: HarmfulMitigation) -> str:
    parts = [f"{format_clock(m.t)}  {m.id}"]
    if m.started:
        parts.append(f"started {', '.join(m.started)}")
    if m.consequence:
        parts.append(f"({m.consequence}: {m.says})")
    return " ".join(parts)
