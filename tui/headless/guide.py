"""What the training module says, as the console shows it: the communication templates.

The texts come from the incident-response training module (``seeds/000_742908f4b747e081.txt``):
the internal update, declaration and status-page templates (Session 4). The severity decision
tree lives in the policy file (``Policy.decision_tree``) and the first actions' levels come from
the policy in force (``tui.headless.rules``). The functions
here fill the templates with what the exercise already knows and list the placeholders a
trainee still has to replace.

Pure text: this module must not import Textual, run the engine or grade anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

IC_ANTI_PATTERN = (
    "Debugging code yourself: you lose coordination focus. Delegate technical work "
    "(training module, Session 3, IC Anti-Patterns)."
)

INTERNAL_UPDATE = """\
[{hhmm}] {status} - {description}

Impact: [Who is affected, how]
Current Status: [What's happening now]
Actions: [What we're doing about it]
Next Update: {next_update}"""
"""Session 4, Internal Update Template (time, status and description filled in)."""

STATUS_PAGE: dict[str, str] = {
    "investigating": (
        "We are currently investigating issues with {service}.\n"
        "Users may experience [specific impact].\n"
        "We will provide updates as more information becomes available."
    ),
    "identified": (
        "We have identified the cause of the issue affecting {service}.\n"
        "[Brief description of cause - no sensitive details].\n"
        'We are implementing a fix. ETA: [time estimate or "working to determine"].'
    ),
    "monitoring": (
        "A fix has been implemented for {service}.\n"
        "We are monitoring the results and expect service to be fully restored shortly."
    ),
    "resolved": (
        "The issue affecting {service} has been resolved.\n"
        "Duration: {duration} minutes\n"
        "Impact: [brief summary]\n"
        "A detailed post-incident review will be published within 5 business days.\n"
        "\n"
        "We apologize for any inconvenience."
    ),
}
"""Session 4, Status Page Templates, one per status-page state."""

DECLARATION = """\
INCIDENT DECLARED

Severity: {severity}
Service: {service}
Impact: [User-facing impact description]

Incident Channel: {channel}
Incident Commander: {ic}
Status Page: https://status.virtengine.com

Join the incident channel if you can help."""
"""Session 4, Incident Declaration Template."""

PLACEHOLDERS: tuple[str, ...] = (
    "[Who is affected, how]",
    "[What's happening now]",
    "[What we're doing about it]",
    "[When to expect next update]",
    "[specific impact]",
    "[Brief description of cause - no sensitive details]",
    '[time estimate or "working to determine"]',
    "[brief summary]",
    "[User-facing impact description]",
)
"""The templates' bracketed blanks that only the trainee can fill."""

STATUS_WORDS: dict[str, str] = {
    "investigating": "Aware of issue, determining cause",
    "identified": "Root cause known, working on fix",
    "monitoring": "Fix applied, watching for stability",
    "resolved": "Issue fully resolved",
}
"""Session 4, Status Page Updates, Status States: when to use each."""


@dataclass(frozen=True)
class UpdateContext:
    """What the exercise knows when an update is composed."""

    hhmm: str
    """In-world time now, ``HH:MM``."""
    description: str
    """A brief description of the incident (its title)."""
    service: str
    """The affected service's display name."""
    next_update: str | None
    """In-world ``HH:MM UTC`` of the next update due at the level's cadence, if it has one."""
    duration_min: int
    """Minutes since the incident started (the first alert fired)."""


def compose_update(audience: str, status: str, ctx: UpdateContext) -> str:
    """The template for ``audience`` and ``status``, filled with what is known.

    Args:
        audience: ``incident``, ``stakeholders`` or ``status_page``.
        status: ``investigating``, ``identified``, ``monitoring`` or ``resolved``.
        ctx: What the exercise knows now.
    """
    if audience == "status_page":
        return STATUS_PAGE[status].format(service=ctx.service, duration=ctx.duration_min)
    return INTERNAL_UPDATE.format(
        hhmm=ctx.hhmm,
        status=status.upper(),
        description=ctx.description,
        next_update=ctx.next_update or "[When to expect next update]",
    )


def declaration(
    *,
    severity: str | None,
    service: str,
    channel: str | None,
    ic: str | None,
    levels: Sequence[str],
    convention: str,
) -> str:
    """The incident declaration template with what is known so far; the blanks name the
    policy's declared ``levels`` and its channel ``convention``."""
    return DECLARATION.format(
        severity=severity or f"[{'/'.join(levels)}]",
        service=service,
        channel=channel or convention,
        ic=f"@{ic}" if ic else "@[IC Name]",
    )


def unfilled(text: str) -> list[str]:
    """The template placeholders still in ``text``, in template order."""
    return [p for p in PLACEHOLDERS if p in text]
