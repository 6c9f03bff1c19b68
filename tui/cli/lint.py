"""``warroom lint PATH...``: quality checks for scenarios, beyond ``validate``.

Plays each scenario headless (expert and novice autopilots on a few seeds, and an idle run) and
checks it statically; prints ``PATH:LINE:COL: error|warning: [check-id] message`` lines, errors
first, then warnings, then a summary line; ``--json`` prints the same as JSON. Exit 0 when there
are no errors (warnings alone do not fail), 1 with errors, 2 on a usage error. ``--junit FILE``
also writes JUnit XML (one test case per scenario and check). PATH is a library
id or a file; no PATH lints the whole library.

This module only parses arguments and prints; the checks live in ``assessments.lint``, imported
when the command runs. It must not import Textual or Rich.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from tui.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    Handler,
    load_policy,
    output_file,
    plural,
    write_text,
)


def _seeds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of seeds, not {text!r}") from None
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError("between 1 and 50 seeds")
    return value


def add_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``lint`` to the ``warroom`` sub-commands."""
    p = subparsers.add_parser(
        "lint",
        help="quality checks: plays each scenario headless; PATH:LINE:COL errors and warnings",
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="library ids or files (default: the library)"
    )
    p.add_argument(
        "--policy",
        default="default",
        metavar="P",
        help="policy name (default, agentos, nexus) or path (default: default)",
    )
    p.add_argument(
        "--seeds",
        type=_seeds,
        default=3,
        metavar="N",
        help="autopilot plays per profile, seeds 1..N (default 3)",
    )
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument(
        "--junit",
        metavar="FILE",
        default=None,
        help="also write JUnit XML: one test case per scenario and check (for CI)",
    )


def cmd_lint(args: argparse.Namespace) -> int:
    """Lint scenarios; exit 1 when any has an error."""
    from assessments.lint import lint_file, lint_targets

    if args.junit:
        output_file("--junit", args.junit)
    policy = load_policy(args.policy)
    seeds = tuple(range(1, args.seeds + 1))
    reports = [lint_file(spec, policy, seeds=seeds) for spec in lint_targets(args.paths)]
    errors = [f for r in reports for f in r.errors]
    warnings = [f for r in reports for f in r.warnings]
    suppressed = sum(len(r.suppressed) for r in reports)
    if args.junit:
        from assessments.exports import junit_xml, lint_suites

        write_text(args.junit, junit_xml(lint_suites(reports), name="warroom lint"))
    if args.json:
        print(
            json.dumps(
                {
                    "policy": policy.id,
                    "seeds": list(seeds),
                    "files": [r.to_dict() for r in reports],
                    "errors": len(errors),
                    "warnings": len(warnings),
                    "suppressed": suppressed,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for finding in [*errors, *warnings]:
            print(finding)
        clean = sum(1 for r in reports if not r.findings)
        print(
            f"{len(reports)} scenario{plural(len(reports))} linted under policy "
            f"{policy.id}: {len(errors)} error{plural(len(errors))}, "
            f"{len(warnings)} warning{plural(len(warnings))}"
            + (f", {suppressed} suppressed" if suppressed else "")
            + f"; {clean} clean"
        )
    return EXIT_INVALID if errors else EXIT_OK


HANDLERS: dict[str, Handler] = {"lint": cmd_lint}
"""Command name → handler, for ``tui.cli.parser.main``."""
