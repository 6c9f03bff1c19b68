"""The policy in force, as the screen states it: every limit, choice and checklist line.

The dialogs and the First-actions checklist never hard-code a limit: they ask here, and this
module reads the policy (its rules and levels, with their citations). Before the trainee has
classified, a rule that depends on the level lists it for every level rather than guess the
one the scenario calls for (that would give the answer away).

Pure text: this module must not import Textual, run the engine or grade anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from assessments.policy import ChannelRule, Deadline, Level, Policy
from simulator.durations import format_duration


def _span(seconds: float) -> str:
    return format_duration(seconds)


def short_levels(names: Sequence[str]) -> str:
    """Level names joined for a narrow column: ``SEV-1/2``, ``P0/1``, ``P0``."""
    if not names:
        return ""
    first = names[0]
    if len(names) > 1 and all(len(n) == len(first) and n[:-1] == first[:-1] for n in names):
        return first + "".join(f"/{n[-1]}" for n in names[1:])
    return "/".join(names)


def _by_level(policy: Policy, pick: Deadline | ChannelRule | None, fallback: str) -> str:
    """A global deadline in words: its own time, else each level's response time."""
    if pick is not None and pick.within is not None:
        return f"within {_span(pick.within)} ({pick.says}; {pick.source})"
    times = [
        f"{lv.name} {_span(lv.response_time.within)}"
        for lv in policy.levels
        if lv.response_time.within is not None and lv.declare.incident
    ]
    said = f" ({pick.source})" if pick is not None else ""
    return f"{fallback}: {', '.join(times)}{said}" if times else f"no deadline{said}"


def acknowledge_rule(policy: Policy, level: Level | None = None) -> str:
    """When to acknowledge the first firing alert, under ``policy``."""
    rule = policy.rules.acknowledge
    if rule.within is None and level is not None and level.response_time.within is not None:
        return (
            f"Acknowledge the first firing alert within {_span(level.response_time.within)}, "
            f"{level.name}'s response time ({level.response_time.says}; {rule.source})."
        )
    text = _by_level(policy, rule, "within the level's response time")
    return f"Acknowledge the first firing alert {text}."


def channel_rule(policy: Policy, level: Level | None = None) -> str:
    """When to open the incident channel and how to name it, under ``policy``."""
    rule = policy.rules.channel
    if rule.within is None and level is not None and level.response_time.within is not None:
        when = (
            f"within {_span(level.response_time.within)}, {level.name}'s response time "
            f"({rule.says}; {rule.source})"
        )
    else:
        when = _by_level(policy, rule, "within the level's response time")
    return f"Create the channel {when}."


def ic_deadline(policy: Policy, level: Level) -> float | None:
    """The IC deadline at ``level``: the stricter of the global and the level's, else the
    response time; ``None`` when the level needs no IC or has no deadline."""
    if level.ic.required != "yes":
        return None
    given = [v for v in (policy.rules.assign_ic.within, level.ic.within) if v is not None]
    return min(given) if given else level.response_time.within


def ic_rule(policy: Policy) -> str:
    """When an Incident Commander is due, level by level, under ``policy``."""
    parts = []
    for lv in policy.levels:
        deadline = ic_deadline(policy, lv)
        if deadline is not None:
            parts.append(f"{lv.name} {_span(deadline)}")
    optional = [lv.name for lv in policy.levels if lv.ic.required == "optional"]
    text = "Assign an IC within " + (", ".join(parts) if parts else "no set time")
    if optional:
        text += f"; optional at {', '.join(optional)}"
    return f"{text} ({policy.rules.assign_ic.says}; {policy.rules.assign_ic.source})."


def postmortem_deadline(policy: Policy, level: Level) -> float | None:
    """The postmortem deadline at ``level`` (its own, else the policy's for a declared level)."""
    own = level.postmortem.schedule_within
    if own is None and level.declare.incident:
        own = policy.rules.postmortem.schedule_within
    return own


def postmortem_choices(policy: Policy) -> tuple[tuple[str, float], ...]:
    """The postmortem deadlines the policy sets, each labelled with its levels."""
    found: dict[float, list[str]] = {}
    for lv in policy.levels:
        deadline = postmortem_deadline(policy, lv)
        if deadline is not None:
            found.setdefault(deadline, []).append(lv.name)
    return tuple(
        (f"within {_span(seconds)} ({short_levels(names)})", seconds)
        for seconds, names in sorted(found.items())
    )


def postmortem_rule(policy: Policy, level: Level | None = None) -> str:
    """The postmortem deadline in words, for the level chosen (or every level)."""
    if level is not None:
        deadline = postmortem_deadline(policy, level)
        if deadline is None:
            return f"No postmortem is needed at {level.name} ({level.postmortem.says})."
        return (
            f"Schedule the postmortem within {_span(deadline)} at {level.name} "
            f"({level.postmortem.says}; {level.postmortem.source})."
        )
    choices = "; ".join(label for label, _ in postmortem_choices(policy))
    return f"Schedule the postmortem {choices} ({policy.rules.postmortem.source})."


def first_actions(policy: Policy) -> tuple[tuple[str, str], ...]:
    """The Quick Reference Card's first actions, with the levels where each applies."""
    ic = [lv.name for lv in policy.levels if lv.ic.required == "yes"]
    status = [lv.name for lv in policy.levels if lv.status_page.within is not None]
    return (
        ("acknowledge", "Acknowledge alert"),
        ("severity", "Determine severity"),
        ("channel", "Create incident channel"),
        ("ic", f"Assign IC ({short_levels(ic)})" if ic else "Assign IC"),
        (
            "status_page",
            f"Update status page ({short_levels(status)})" if status else "Update status page",
        ),
    )
