"""The action dialogs: typed modal forms that dismiss with a command, one module per group.

``base`` (``ActionDialog``, ``FormError``) and ``helpers`` (``field``, ``picked``, ``section``)
are what every form is built from, the facilitator's too; ``incident`` (acknowledge,
severity, declare, channel), ``people`` (roles, handoff, page, escalate, notify), ``updates``,
``investigation`` (diagnostics, mitigation) and ``closing`` (resolve, postmortem, note) hold
the IC's forms; ``confirm`` asks before leaving. ``dialogs.tcss`` styles them all. Import
from the module that defines a name; this package exports nothing itself.
"""
