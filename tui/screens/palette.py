"""The IC's actions, once: their keys (for the console's bindings and Footer) and the command
palette provider that lists them.

Keeping keys, names and help in one table means the Footer, the palette and the console's
action methods cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class ICAction:
    """One thing the Incident Commander can do from the console."""

    key: str
    """Textual key name(s) of the binding."""
    action: str
    """The console's action name (``action_<name>``)."""
    short: str
    """The Footer's label."""
    name: str
    """The command palette's label."""
    help: str
    """The palette's help line."""


IC_ACTIONS: tuple[ICAction, ...] = (
    ICAction("a", "acknowledge", "Ack", "Acknowledge an alert", "Stop the page escalating"),
    ICAction("s", "severity", "Severity", "Determine severity", "Classify with the decision tree"),
    ICAction("d", "declare", "Declare", "Declare the incident", "Declare it, with a title"),
    ICAction(
        "c", "channel", "Channel", "Create the incident channel", "Named by convention; rename it"
    ),
    ICAction("r", "role", "Role", "Assign a role", "IC, scribe, comms lead, tech lead"),
    ICAction("p", "page", "Page", "Page someone", "A rotation or a subject-matter expert"),
    ICAction("e", "escalate", "Escalate", "Escalate", "More expertise or authority"),
    ICAction(
        "n", "notify_stakeholder", "Notify", "Notify a stakeholder", "CTO, CEO, leads, support"
    ),
    ICAction("u", "update", "Update", "Post an update", "Channel, stakeholders, status page"),
    ICAction("i", "diagnose", "Diagnose", "Run a diagnostic", "Delegate it or run it yourself"),
    ICAction("m", "mitigate", "Mitigate", "Apply a mitigation", "Choose a fix"),
    ICAction("h", "handoff", "Handoff", "Hand off incident command", "Give the IC role away"),
    ICAction("R", "resolve", "Resolve", "Declare resolved", "After the stability window"),
    ICAction(
        "P", "postmortem", "Postmortem", "Schedule the postmortem", "By the policy's deadline"
    ),
    ICAction("t", "note", "Note", "Add a note to the timeline", "The scribe's log"),
)
"""Every IC action, in the order of the Quick Reference Card and the incident's phases."""


class ICActionsProvider(Provider):
    """Lists the IC's actions in the command palette (Ctrl+P)."""

    async def discover(self) -> Hits:
        """Every action, in order."""
        for item in IC_ACTIONS:
            yield DiscoveryHit(
                f"{item.name}  [{item.key}]",
                partial(self.screen.run_action, item.action),
                text=item.name,
                help=item.help,
            )

    async def search(self, query: str) -> Hits:
        """Actions whose name matches ``query``."""
        matcher = self.matcher(query)
        for item in IC_ACTIONS:
            score = matcher.match(item.name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(item.name),
                    partial(self.screen.run_action, item.action),
                    text=item.name,
                    help=item.help,
                )
