"""Scenario format 2: versioning and migration, preconditions, findings, conditional
consequences, and the new condition predicates."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from simulator import commands as c
from simulator.library import library_dir, library_paths, load_scenario
from simulator.migrate import MigrationError, declared_format, migrate_text
from simulator.model import Scenario
from simulator.yamlio import LoadError
from tui.cli.parser import main

from .conftest import make, scenario

BOB = {"id": "bob", "name": "Bob", "role": "SRE", "skills": ["logs"]}
KENJI = {
    "id": "kenji",
    "name": "Kenji",
    "role": "Security",
    "skills": ["registrar"],
    "available": False,
    "join_delay": "3m",
}
LOGS = {
    "id": "logs",
    "title": "Check logs",
    "skill": "logs",
    "duration": "1m",
    "outputs": [
        {"when": {"fault": "broken"}, "finds": ["zone-b"], "reveals": ["broken"], "text": "b"},
        {"text": "fine"},
    ],
}
BLIP = {
    "id": "blip",
    "title": "t",
    "duration": "1m",
    "effects": [{"metric": "api.error_rate", "to": 100}],
}
BROKEN = {
    "id": "broken",
    "title": "t",
    "root_cause": True,
    "at": "0s",
    "effects": [{"metric": "api.error_rate", "to": 50}],
}


def _with(mitigation: dict[str, Any], **extra: Any) -> Scenario:
    return scenario(
        faults=[BROKEN, BLIP],
        responders=[BOB, KENJI],
        diagnostics=[LOGS],
        mitigations=[mitigation],
        **extra,
    )


# --------------------------------------------------------------------------- format, migrate


def test_every_library_scenario_is_format_2() -> None:
    for path in library_paths():
        assert load_scenario(str(path)).scenario.format == 2, path


def test_a_format_1_file_loads_but_format_2_fields_in_it_say_how_to_upgrade() -> None:
    s = scenario(responders=[BOB], diagnostics=[LOGS])
    old = Scenario.model_validate({**s.model_dump(by_alias=True), "format": 1})
    assert old.format == 1
    problems = old.check_references()
    assert problems == [
        (
            ("diagnostics", 0, "outputs", 0, "finds"),
            "needs format: 2 (this file says format: 1); upgrade it: warroom migrate FILE",
        )
    ]


def test_migrate_rewrites_only_the_format_line_and_is_idempotent() -> None:
    text = "# comment\nformat: 1   # version\nid: x\n"
    assert migrate_text(text) == "# comment\nformat: 2  # version\nid: x\n"
    assert migrate_text(migrate_text(text)) == migrate_text(text)
    assert migrate_text("# head\nid: x\n") == "# head\nformat: 2\nid: x\n"
    assert declared_format("id: x\n") == 1
    with pytest.raises(MigrationError, match="newer"):
        migrate_text("format: 3\n")


def test_warroom_migrate_upgrades_a_format_1_file_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = library_dir() / "chain-halted.yaml"  # uses nothing of format 2 beyond the version
    path = tmp_path / src.name
    shutil.copy(src, path)
    path.write_text(path.read_text().replace("format: 2", "format: 1"))
    assert main(["migrate", "--check", str(path)]) == 1
    assert main(["migrate", str(path)]) == 0
    assert "format 1 -> 2" in capsys.readouterr().out
    assert path.read_bytes() == src.read_bytes()
    assert main(["migrate", "--check", str(path)]) == 0


def test_warroom_migrate_never_writes_into_a_fifo_left_at_its_temporary_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = library_dir() / "chain-halted.yaml"
    path = tmp_path / src.name
    old = src.read_text().replace("format: 2", "format: 1")
    path.write_text(old)
    os.mkfifo(tmp_path / f".{src.name}.migrate")

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("migrate waited on the FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        assert main(["migrate", str(path)]) == 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{tmp_path / f'.{src.name}.migrate'}: error: cannot write: is a FIFO (named pipe), "
        "not a regular file"
    ]
    assert path.read_text() == old


def test_warroom_migrate_leaves_an_invalid_file_alone_with_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("format: 1\nid: Bad Id\n")
    assert main(["migrate", str(path)]) == 1
    assert f"{path}:2:5: error:" in capsys.readouterr().out
    assert path.read_text() == "format: 1\nid: Bad Id\n"


# --------------------------------------------------------------------------- preconditions


def test_a_mitigation_that_needs_a_skill_is_rejected_until_someone_with_it_has_joined() -> None:
    s = _with(
        {
            "id": "fix",
            "label": "Reissue the certificate",
            "strategy": "config_change",
            "duration": "1m",
            "clears": ["broken"],
            "requires": {"skill": "registrar", "consequence": "only the registrar can do it"},
        }
    )
    engine, rec = make(s)
    engine.run_until(10)
    out = engine.submit(c.ApplyMitigation(mitigation="fix"))
    assert not out.accepted
    assert out.reason == (
        "Reissue the certificate cannot go ahead: needs someone in the incident with the "
        "registrar skill (Kenji has not been paged) (only the registrar can do it)"
    )
    assert engine.submit(c.Page(target="kenji")).accepted
    out = engine.submit(c.ApplyMitigation(mitigation="fix"))
    assert "Kenji was paged but has not joined yet" in out.reason
    engine.run_until(200)
    assert engine.submit(c.ApplyMitigation(mitigation="fix")).accepted
    assert rec.of("rejected")[0].reason.startswith("Reissue the certificate cannot")


def test_a_mitigation_that_needs_a_finding_waits_for_the_result_not_the_start() -> None:
    s = _with(
        {
            "id": "evacuate",
            "label": "Evacuate the impaired zone",
            "strategy": "failover",
            "duration": "1m",
            "clears": ["broken"],
            "requires": {"known": ["zone-b"]},
        }
    )
    engine, rec = make(s)
    engine.run_until(10)
    assert engine.submit(c.Delegate(diagnostic="logs", responder="bob")).accepted
    out = engine.submit(c.ApplyMitigation(mitigation="evacuate"))
    assert "needs the finding zone-b first" in out.reason
    engine.run_until(200)
    found = rec.first("finding_revealed")
    assert (found.finding, found.diagnostic, found.by) == ("zone-b", "logs", "bob")
    assert engine.submit(c.ApplyMitigation(mitigation="evacuate")).accepted


def test_an_unmet_precondition_with_proceed_applies_it_and_states_the_consequence() -> None:
    s = _with(
        {
            "id": "fix",
            "label": "Fix blind",
            "strategy": "restart",
            "duration": "1m",
            "clears": ["broken"],
            "requires": {
                "known": ["zone-b"],
                "unmet": "proceed",
                "consequence": "restarting the wrong zone drops every request for a minute",
                "starts": ["blip"],
            },
        }
    )
    engine, rec = make(s)
    engine.run_until(10)
    assert engine.submit(c.ApplyMitigation(mitigation="fix")).accepted
    unmet = rec.first("precondition_unmet")
    assert unmet.target == "fix" and unmet.started == ("blip",)
    assert unmet.unmet == ("needs the finding zone-b first: no diagnostic result has shown it",)
    assert "blip" in engine.active_faults()


def test_a_precondition_needs_at_least_one_part_and_proceed_needs_a_consequence() -> None:
    with pytest.raises(ValidationError, match="at least one of"):
        _with({"id": "x", "label": "x", "strategy": "restart", "requires": {"unmet": "reject"}})
    with pytest.raises(ValidationError, match="consequence"):
        _with(
            {
                "id": "x",
                "label": "x",
                "strategy": "restart",
                "requires": {"skill": "logs", "unmet": "proceed"},
            }
        )


def test_a_precondition_naming_nothing_in_the_scenario_is_a_located_error() -> None:
    data = _with({"id": "x", "label": "x", "strategy": "restart", "clears": ["broken"]})
    bad = Scenario.model_validate(
        {
            **data.model_dump(by_alias=True),
            "mitigations": [
                {
                    "id": "x",
                    "label": "x",
                    "strategy": "restart",
                    "requires": {"skill": "dns", "responder": "kenji-sec", "known": ["zone-c"]},
                }
            ],
        }
    )
    problems = dict(bad.check_references())
    assert "no responder has the skill 'dns'" in problems[("mitigations", 0, "requires", "skill")]
    assert "unknown responder 'kenji-sec'" in problems[("mitigations", 0, "requires", "responder")]
    assert "zone-c" in problems[("mitigations", 0, "requires", "known", 0)]


def test_a_delegated_diagnostic_that_needs_a_person_goes_only_to_that_person() -> None:
    diag = {**LOGS, "id": "registrar", "requires": {"responder": "kenji"}}
    s = scenario(faults=[BROKEN], responders=[BOB, KENJI], diagnostics=[LOGS, diag])
    engine, _ = make(s)
    out = engine.submit(c.Delegate(diagnostic="registrar", responder="bob"))
    assert "needs Kenji to carry it out (Kenji has not been paged)" in out.reason
    assert "delegate it" in engine.submit(c.RunDiagnostic(diagnostic="registrar")).reason


# --------------------------------------------------------------------------- consequences


def test_a_case_chosen_when_applied_adds_its_consequences_and_offered_gates_a_mitigation() -> None:
    stale = {
        "id": "replica-stale",
        "title": "Replica lagging",
        "at": "0s",
        "duration": "5m",
        "effects": [{"metric": "api.error_rate", "by": 0}],
    }
    data_loss = {**BLIP, "id": "data-loss", "duration": None, "title": "Writes lost"}
    data_loss.pop("duration")
    s = scenario(
        faults=[BROKEN, stale, data_loss],
        mitigations=[
            {
                "id": "failover",
                "label": "Fail over",
                "strategy": "failover",
                "duration": "1m",
                "clears": ["broken"],
                "cases": [
                    {
                        "when": {"fault": "replica-stale"},
                        "starts": ["data-loss"],
                        "outcome": "Failed over; the replica was behind: writes lost.",
                    }
                ],
            },
            {
                "id": "fail-back",
                "label": "Fail back",
                "strategy": "failover",
                "duration": "1m",
                "offered": {"since": "mitigation:failover"},
            },
        ],
    )
    engine, rec = make(s)
    engine.run_until(10)
    assert "not on offer" in engine.submit(c.ApplyMitigation(mitigation="fail-back")).reason
    assert engine.submit(c.ApplyMitigation(mitigation="failover")).accepted
    engine.run_until(400)  # the replica caught up meanwhile: the case was chosen when applied
    done = rec.first("mitigation_finished")
    assert done.started == ("data-loss",) and "writes lost" in done.outcome
    assert engine.submit(c.ApplyMitigation(mitigation="fail-back")).accepted


# --------------------------------------------------------------------------- predicates


def test_the_expert_autopilot_makes_a_conditional_harm_safe_before_applying_the_fix() -> None:
    # The README's failover example: failing over while the replica is stale loses writes.
    # The expert first clears the stale replica (needs Dana, who must be paged), then fails over.
    from assessments.policy import load_policy
    from simulator.autopilot import Autopilot
    from simulator.runner import run

    db = {"id": "db", "name": "DB", "metrics": [{"id": "lag", "name": "Lag", "baseline": 1}]}
    lag = [{"metric": "db.lag", "to": 2400}]
    stale = {"id": "stale", "title": "Replica behind", "at": "0s", "effects": lag}
    lost = {**BLIP, "id": "lost", "title": "Writes lost"}
    dana = {**KENJI, "id": "dana", "name": "Dana", "skills": ["database"], "join_delay": "1m"}
    s = scenario(
        duration="1h",
        services=[*scenario().model_dump(mode="json")["services"], db],
        faults=[BROKEN, stale, lost],
        responders=[{**BOB, "rotation": "primary"}, dana],
        diagnostics=[LOGS],
        mitigations=[
            {
                "id": "failover",
                "label": "Fail over",
                "strategy": "failover",
                "duration": "1m",
                "clears": ["broken"],
                "cases": [{"when": {"fault": "stale"}, "starts": ["lost"]}],
            },
            {
                "id": "catch-up",
                "label": "Let the replica catch up",
                "strategy": "config_change",
                "duration": "2m",
                "clears": ["stale"],
                "requires": {"skill": "database"},
            },
        ],
    )
    policy = load_policy("default")
    level = policy.level_for(s.expected.severity, s.expected.overrides)
    engine, rec = make(s)
    run(engine, Autopilot("expert", s, policy.playbook(level.name), seed=1))
    applied = [e.mitigation for e in rec.of("mitigation_started")]
    assert applied == ["catch-up", "failover"]
    started = [e.fault for e in rec.of("fault_started")]
    assert "lost" not in started
    cleared = {e.fault for e in rec.of("fault_cleared")}
    assert {"stale", "broken"} <= cleared
    paged = [e for e in rec.of("action") if e.command.get("do") == "page"]
    assert any(e.command.get("target") == "dana" for e in paged)


def test_since_clock_finding_and_responder_predicates_hold_when_their_moment_has_come() -> None:
    injects = [
        {"id": "late", "from": "x", "text": "t", "when": {"since": "incident", "after": "2m"}},
        {"id": "clock", "from": "x", "text": "t", "when": {"clock": "14:03"}},
        {"id": "found", "from": "x", "text": "t", "when": {"finding": "zone-b"}},
        {"id": "here", "from": "x", "text": "t", "when": {"responder": "kenji"}},
        {
            "id": "after-alert",
            "from": "x",
            "text": "t",
            "when": {"since": "alert:ErrorsHigh", "after": "1m"},
        },
    ]
    s = scenario(faults=[BROKEN], responders=[BOB, KENJI], diagnostics=[LOGS], injects=injects)
    engine, rec = make(s)
    engine.run_until(60)
    engine.submit(c.Delegate(diagnostic="logs", responder="bob"))
    engine.submit(c.Page(target="kenji"))
    engine.run_until(600)
    at = {x.inject: x.t for x in rec.of("inject")}
    assert at["late"] == 120.0 and at["clock"] == 180.0
    assert at["found"] == rec.first("finding_revealed").t
    assert at["here"] == rec.first("responder_joined").t
    assert at["after-alert"] == rec.first("alert_firing").t + 60


def test_a_since_naming_nothing_is_a_located_error() -> None:
    base = scenario()
    bad = Scenario.model_validate(
        {
            **base.model_dump(by_alias=True),
            "injects": [{"id": "a", "from": "x", "text": "t", "when": {"since": "fault:nope"}}],
        }
    )
    assert bad.check_references() == [(("injects", 0, "when", "since"), "unknown fault 'nope'")]


def test_a_format_1_yaml_file_with_a_format_2_predicate_gets_the_upgrade_line(
    tmp_path: Path,
) -> None:
    src = (library_dir() / "chain-halted.yaml").read_text().replace("format: 2", "format: 1")
    assert "{after: " in src
    src = src.replace("{after: ", "{since: start, after: ", 1)
    path = tmp_path / "old.yaml"
    path.write_text(src)
    with pytest.raises(LoadError) as exc:
        load_scenario(str(path))
    (problem,) = exc.value.problems
    assert "needs format: 2" in str(problem) and "warroom migrate FILE" in str(problem)


# --------------------------------------------------------------------------- validate scripts


def test_validate_tells_scripts_from_scenarios_by_shape_and_checks_both(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scripts = sorted((library_paths()[0].parent / "scripts").glob("*.expert.yaml"))
    assert main(["validate", *map(str, scripts), str(library_paths()[0])]) == 0
    assert capsys.readouterr().out == (
        f"ok: 1 scenario file and {len(scripts)} action scripts valid\n"
    )


def test_a_script_s_references_are_checked_against_its_scenario_with_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenario: api-outage\n"
        "actions:\n"
        "  - {at: 1m, do: acknowledge, alert: APIErrorRateHihg}\n"
        "  - {at: 2m, do: page, target: kenji-sec}\n"
        "  - {at: 3m, do: apply_mitigation, mitigation: restart-ml}\n"
    )
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}:3:38: error: actions[0].alert: unknown alert 'APIErrorRateHihg' "
        "(did you mean 'APIErrorRateHigh'?)",
        f"{path}:4:32: error: actions[1].target: no responder 'kenji-sec'",
        f"{path}:5:48: error: actions[2].mitigation: unknown mitigation 'restart-ml' "
        "(did you mean 'restart-api'?)",
    ]
    assert main(["validate", "--scenario", "memory-leak-oom", str(path)]) == 1


def test_a_script_s_escalation_must_reach_someone_the_grader_knows() -> None:
    # The grader counts an escalation only when it names a responder, a rotation, an
    # escalation target of the policies or a stakeholder the scenario adds; anything else
    # was accepted and silently never counted.
    from simulator.references import check_script

    s = scenario(
        duration="1h",
        responders=[BOB, KENJI],
        stakeholders=[{"id": "finance", "name": "Mei", "role": "VP Finance"}],
    )
    script = c.ActionScript.model_validate(
        {
            "actions": [
                {"at": "1m", "do": "escalate", "to": "Kenji"},
                {"at": "2m", "do": "escalate", "to": "secondary"},
                {"at": "3m", "do": "escalate", "to": "vp_engineering"},
                {"at": "4m", "do": "escalate", "to": "finance"},
                {"at": "5m", "do": "escalate", "to": "kenj"},
                {"at": "6m", "do": "escalate", "to": "VP Engineering"},
                {"at": "2h", "do": "note", "text": "late"},
            ]
        }
    )
    problems = check_script(script, s)
    assert [(loc, msg.split(";")[0]) for loc, msg in problems] == [
        (
            ("actions", 4, "to"),
            "'kenj' names no responder or escalation target (did you mean 'kenji'?)",
        ),
        (
            ("actions", 5, "to"),
            "'VP Engineering' names no responder or escalation target "
            "(did you mean 'vp_engineering'?)",
        ),
        (("actions", 6, "at"), f"is after the end of the scenario ({s.id} lasts 1h)"),
    ]
    assert "one of: bob, ceo, cto, eng_lead, finance, ic_rotation, kenji," in problems[0][1]


def test_a_script_without_a_scenario_is_checked_for_shape_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("actions:\n  - {at: 1m, do: acknowledge, alert: Anything}\n")
    assert main(["validate", str(path)]) == 0
    assert "1 action script valid" in capsys.readouterr().out
    path.write_text("actions:\n  - {at: 1m, do: acknowlege, alert: X}\n")
    assert main(["validate", str(path)]) == 1
    assert "missing required field" not in capsys.readouterr().out


def test_a_condition_on_an_action_checks_targets_and_fixed_values() -> None:
    base = scenario(responders=[BOB])
    bad = Scenario.model_validate(
        {
            **base.model_dump(by_alias=True),
            "injects": [
                {
                    "id": "a",
                    "from": "x",
                    "text": "t",
                    "when": {
                        "any": [
                            {"action": "page", "with": {"target": "kenji-sec"}},
                            {"action": "post_update", "with": {"audience": "statuspage"}},
                        ]
                    },
                }
            ],
        }
    )
    problems = dict(bad.check_references())
    assert (
        "'kenji-sec' names no responder or rotation"
        in problems[("injects", 0, "when", "any", 0, "with", "target")]
    )
    assert problems[("injects", 0, "when", "any", 1, "with", "audience")] == (
        "'statuspage' is not a valid audience (did you mean 'status_page'?); one of: incident, "
        "stakeholders, status_page"
    )


# --------------------------------------------------------------------------- channels, stakeholders


def test_a_scenario_s_own_channels_and_stakeholders_work_in_injects_notify_and_updates() -> None:
    s = scenario(
        channels=[{"id": "changes", "name": "#changes", "about": "change announcements"}],
        stakeholders=[{"id": "finance", "name": "Mei Tanaka", "role": "VP Finance"}],
        injects=[
            {
                "id": "freeze",
                "from": "Change board",
                "channel": "changes",
                "text": "Change freeze in effect.",
                "when": {"action": "notify", "with": {"stakeholder": "finance"}},
            }
        ],
    )
    engine, rec = make(s)
    assert engine.submit(c.Notify(stakeholder="finance")).accepted
    assert rec.first("inject").channel == "changes"
    assert engine.submit(
        c.PostUpdate(audience="changes", status="investigating", text="x")
    ).accepted
    out = engine.submit(c.Notify(stakeholder="financ"))
    assert out.reason == "no stakeholder 'financ' (did you mean 'finance'?)"
    assert (
        "no audience 'statuspage'"
        in engine.submit(
            c.PostUpdate(audience="statuspage", status="investigating", text="x")
        ).reason
    )


def test_an_unknown_inject_channel_or_a_reused_built_in_name_is_a_located_error() -> None:
    base = scenario()
    bad = Scenario.model_validate(
        {
            **base.model_dump(by_alias=True),
            "channels": [{"id": "incident", "name": "#x"}],
            "stakeholders": [{"id": "cto", "name": "x", "role": "x"}],
            "injects": [{"id": "a", "from": "x", "text": "t", "at": "1m", "channel": "chnages"}],
        }
    )
    problems = dict(bad.check_references())
    assert "unknown channel 'chnages'" in problems[("injects", 0, "channel")]
    assert problems[("channels", 0, "id")] == "'incident' is a built-in channel already"
    assert problems[("stakeholders", 0, "id")] == "'cto' is a stakeholder of every policy already"


# --------------------------------------------------------------------------- history, repeats


def test_metric_history_is_sent_once_at_the_start_oldest_first() -> None:
    s = scenario(
        services=[
            {
                "id": "api",
                "name": "API",
                "metrics": [
                    {
                        "id": "error_rate",
                        "name": "Error rate",
                        "baseline": 1.0,
                        "history": [{"ago": "5m", "value": 3}, {"ago": "30m", "value": 2}],
                    }
                ],
            }
        ]
    )
    engine, rec = make(s)
    engine.run_until(10)
    assert rec.kinds("metrics")[:2] == ["scenario_started", "metric_history"]
    assert rec.first("metric_history").series == {"api.error_rate": [[-1800.0, 2.0], [-300.0, 3.0]]}


def test_a_timed_repeating_fault_comes_back_every_period_until_a_mitigation_clears_it() -> None:
    tooth = {**BROKEN, "at": "1m", "duration": "2m", "repeat": {"every": "5m", "times": 3}}
    s = scenario(
        faults=[tooth],
        mitigations=[
            {
                "id": "fix",
                "label": "Fix",
                "strategy": "rollback",
                "duration": "1m",
                "clears": ["broken"],
            }
        ],
    )
    engine, rec = make(s)
    engine.run_until(1200)
    assert [e.t for e in rec.of("fault_started")] == [60.0, 360.0, 660.0]
    assert [e.t for e in rec.of("fault_cleared")] == [180.0, 480.0, 780.0]
    engine2, rec2 = make(s)
    engine2.run_until(400)
    engine2.submit(c.ApplyMitigation(mitigation="fix"))
    engine2.run_until(1200)
    assert [e.t for e in rec2.of("fault_started")] == [60.0, 360.0]


def test_a_conditional_repeating_fault_starts_again_whenever_its_condition_holds() -> None:
    tooth = {
        **BROKEN,
        "at": None,
        "when": {"after": "1m"},
        "duration": "2m",
        "repeat": {"times": 3},
    }
    tooth.pop("at")
    engine, rec = make(scenario(faults=[tooth]))
    engine.run_until(1200)
    assert [e.t for e in rec.of("fault_started")] == [60.0, 180.0, 300.0]
    with pytest.raises(ValidationError, match="no 'every'"):
        scenario(faults=[{**tooth, "repeat": {"times": 2, "every": "5m"}}])


# --------------------------------------------------------------------------- logs, choices


def test_a_diagnostic_with_choices_needs_one_and_shows_that_choice_s_output() -> None:
    zones = {
        "id": "zone-health",
        "title": "Check a zone",
        "duration": "1m",
        "outputs": [{"text": "unused"}],
        "choices": [
            {"id": "a", "label": "Zone a", "outputs": [{"text": "zone a healthy"}]},
            {
                "id": "b",
                "label": "Zone b",
                "outputs": [
                    {"when": {"fault": "broken"}, "finds": ["zone-b"], "text": "zone b impaired"},
                    {"text": "zone b healthy"},
                ],
            },
        ],
    }
    s = scenario(faults=[BROKEN], responders=[BOB], diagnostics=[zones])
    engine, rec = make(s)
    assert (
        "say which one (choice: a, b)"
        in engine.submit(c.Delegate(diagnostic="zone-health", responder="bob")).reason
    )
    assert (
        "no choice 'c'"
        in engine.submit(c.Delegate(diagnostic="zone-health", responder="bob", choice="c")).reason
    )
    assert engine.submit(c.Delegate(diagnostic="zone-health", responder="bob", choice="b")).accepted
    engine.run_until(300)
    assert rec.first("diagnostic_result").text == "zone b impaired"
    assert rec.first("finding_revealed").finding == "zone-b"


def test_a_diagnostic_with_choices_needs_no_outputs_of_its_own_and_one_without_either_is_an_error(
    tmp_path: Path,
) -> None:
    zones = {
        "id": "zone-health",
        "title": "Check a zone",
        "skill": "logs",
        "duration": "1m",
        "choices": [{"id": "a", "label": "Zone a", "outputs": [{"text": "zone a healthy"}]}],
    }
    s = scenario(faults=[BROKEN], responders=[BOB], diagnostics=[zones])
    engine, rec = make(s)
    assert engine.submit(c.Delegate(diagnostic="zone-health", responder="bob", choice="a")).accepted
    engine.run_until(300)
    assert rec.first("diagnostic_result").text == "zone a healthy"
    assert "diagnostic-no-fallback" not in _lint(s, tmp_path)
    bare = {k: v for k, v in zones.items() if k != "choices"}
    with pytest.raises(ValidationError, match="needs outputs"):
        scenario(faults=[BROKEN], responders=[BOB], diagnostics=[bare])


def test_a_diagnostic_with_logs_shows_the_service_s_lines_that_hold_and_its_noise() -> None:
    api = {
        "id": "api",
        "name": "API",
        "metrics": [{"id": "error_rate", "name": "Error rate", "baseline": 1.0, "max": 100}],
        "logs": [
            {"text": "GET /health 200"},
            {
                "level": "error",
                "text": "handshake failed ({api.error_rate:.0f}%)",
                "when": {"fault": "broken"},
            },
        ],
    }
    diag = {
        "id": "tail",
        "title": "Tail logs",
        "duration": "30s",
        "logs": "api",
        "outputs": [{"text": "tail -n 50"}],
    }
    s = scenario(faults=[BROKEN], services=[api], diagnostics=[diag])
    engine, rec = make(s)
    engine.submit(c.RunDiagnostic(diagnostic="tail"))
    engine.run_until(60)
    assert rec.first("diagnostic_result").text == (
        "tail -n 50\n--- api logs ---\nINFO  GET /health 200\nERROR handshake failed (50%)"
    )


# --------------------------------------------------------------------------- lint


def _lint(s: Scenario, tmp_path: Path) -> list[str]:
    import yaml

    from assessments.lint import lint_file
    from assessments.policy import load_policy

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(s.model_dump(mode="json", by_alias=True, exclude_none=True)))
    return [f.check for f in lint_file(str(path), load_policy("default"), seeds=(1,)).findings]


def test_lint_finds_a_long_ramp_an_unmeetable_precondition_and_an_untriggerable_case(
    tmp_path: Path,
) -> None:
    ramped = {**BLIP, "effects": [{"metric": "api.error_rate", "to": 100, "ramp": "5m"}]}
    s = scenario(
        faults=[BROKEN, ramped],
        responders=[BOB, KENJI],
        mitigations=[
            {
                "id": "fix",
                "label": "Fix",
                "strategy": "restart",
                "duration": "1m",
                "clears": ["broken"],
                "requires": {"responder": "bob", "skill": "registrar"},
                "cases": [{"when": {"after": "2h"}, "starts": ["blip"]}],
            }
        ],
    )
    checks = _lint(s, tmp_path)
    assert "ramp-outlasts-fault" in checks
    assert "precondition-unmeetable" in checks
    assert "consequence-untriggerable" in checks


def test_lint_warns_when_a_precondition_s_person_is_there_from_the_start(tmp_path: Path) -> None:
    # Responders are in the incident from T+0 unless `available: false`: a requirement on
    # someone who never has to be paged is always met, whatever the author meant by it.
    fix = {"id": "fix", "label": "Fix", "strategy": "restart", "duration": "1m"}
    kenji_here = {**KENJI, "available": True}
    needs_kenji = {**fix, "clears": ["broken"], "requires": {"responder": "kenji"}}
    present = scenario(faults=[BROKEN], responders=[BOB, kenji_here], mitigations=[needs_kenji])
    assert "precondition-always-met" in _lint(present, tmp_path)
    # Kenji must be paged: the requirement means something.
    paged = scenario(faults=[BROKEN], responders=[BOB, KENJI], mitigations=[needs_kenji])
    assert "precondition-always-met" not in _lint(paged, tmp_path)
    # Kenji leaves mid-incident: the requirement can fail then.
    leaves = {"id": "gone", "from": "Kenji", "at": "5m", "text": "off", "leaves": ["kenji"]}
    left = scenario(
        faults=[BROKEN], responders=[BOB, kenji_here], mitigations=[needs_kenji], injects=[leaves]
    )
    assert "precondition-always-met" not in _lint(left, tmp_path)
    # A skill alone that Bob (there from the start) has always holds; with a finding it does not.
    needs_logs = {**fix, "clears": ["broken"], "requires": {"skill": "logs"}}
    skill_only = scenario(faults=[BROKEN], responders=[BOB, KENJI], mitigations=[needs_logs])
    assert "precondition-always-met" in _lint(skill_only, tmp_path)
    known = {**needs_logs, "requires": {"skill": "logs", "known": ["zone-b"]}}
    with_finding = scenario(
        faults=[BROKEN], responders=[BOB, KENJI], diagnostics=[LOGS], mitigations=[known]
    )
    assert "precondition-always-met" not in _lint(with_finding, tmp_path)


def test_lint_errors_on_a_diagnostic_whose_last_output_has_a_condition(tmp_path: Path) -> None:
    # When no output's `when` holds the engine shows the last one anyway: a finding behind a
    # condition that does not hold would be revealed. Each choice is its own list.
    only_when = [{"when": {"fault": "blip"}, "finds": ["zone-b"], "text": "b"}]
    plain = {"id": "logs", "title": "Logs", "skill": "logs", "duration": "1m"}
    guarded = scenario(
        faults=[BROKEN, BLIP], responders=[BOB], diagnostics=[{**plain, "outputs": only_when}]
    )
    assert "diagnostic-no-fallback" in _lint(guarded, tmp_path)
    zones = {
        **plain,
        "outputs": [{"text": "pick"}],
        "choices": [
            {"id": "a", "label": "A", "outputs": [{"text": "fine"}]},
            {"id": "b", "label": "B", "outputs": only_when},
        ],
    }
    chosen = scenario(faults=[BROKEN, BLIP], responders=[BOB], diagnostics=[zones])
    assert "diagnostic-no-fallback" in _lint(chosen, tmp_path)
    fallback = [*only_when, {"text": "fine"}]
    ok = scenario(
        faults=[BROKEN, BLIP], responders=[BOB], diagnostics=[{**plain, "outputs": fallback}]
    )
    assert "diagnostic-no-fallback" not in _lint(ok, tmp_path)


def test_lint_finds_a_since_or_clock_past_the_end_and_a_mitigation_never_on_offer(
    tmp_path: Path,
) -> None:
    # The tiny scenario starts at 14:00 and lasts 30m: 13:59 comes 23h59m later, never.
    fix = {"id": "fix", "label": "Fix", "strategy": "restart", "duration": "1m"}
    late = {"since": "mitigation:fix", "after": "1h"}
    s = scenario(
        faults=[BROKEN],
        responders=[BOB],
        mitigations=[
            {**fix, "clears": ["broken"]},
            {**fix, "id": "undo", "label": "Undo", "offered": late},
        ],
        injects=[{"id": "late", "from": "X", "when": {"clock": "13:59"}, "text": "t"}],
    )
    checks = _lint(s, tmp_path)
    assert "mitigation-never-offered" in checks
    assert "inject-undeliverable" in checks
    soon = scenario(
        faults=[BROKEN],
        responders=[BOB],
        mitigations=[
            {**fix, "clears": ["broken"]},
            {**fix, "id": "undo", "label": "Undo", "offered": {**late, "after": "5m"}},
        ],
        injects=[{"id": "late", "from": "X", "when": {"clock": "14:20"}, "text": "t"}],
    )
    checks = _lint(soon, tmp_path)
    assert "mitigation-never-offered" not in checks
    assert "inject-undeliverable" not in checks


def test_a_key_person_who_leaves_vacates_their_roles_and_cannot_be_paged_back() -> None:
    s = scenario(
        responders=[BOB],
        injects=[
            {
                "id": "bob-leaves",
                "from": "Bob",
                "text": "I have to go.",
                "at": "2m",
                "leaves": ["bob"],
            }
        ],
    )
    engine, rec = make(s)
    assert engine.submit(c.AssignRole(role="comms_lead", person="bob")).accepted
    engine.run_until(130)
    left = rec.first("responder_left")
    assert (left.responder, left.roles) == ("bob", ("comms_lead",))
    assert "comms_lead" not in engine.state.roles
    assert "has left the incident" in engine.submit(c.Page(target="bob")).reason
    assert (
        "has left the incident" in engine.submit(c.AssignRole(role="scribe", person="bob")).reason
    )


# --------------------------------------------------------------------------- grading reads it


def test_restoring_over_live_data_without_a_snapshot_is_a_critical_failure() -> None:
    from assessments.assessor import grade
    from assessments.policy import load_policy
    from simulator.engine import Engine
    from simulator.events import Event, PreconditionUnmet

    policy = load_policy("default")
    s = load_scenario("data-corruption-restore").scenario
    engine = Engine(s, seed=1, severity_levels=policy.level_names)
    events: list[Event] = []
    engine.subscribe(events.append)
    engine.run_until(200)
    engine.submit(c.Acknowledge(alert="LedgerReconcileMismatch"))
    assert engine.submit(c.ApplyMitigation(mitigation="restore-affected-rows")).accepted
    engine.run_until(900)
    unmet = next(e for e in events if isinstance(e, PreconditionUnmet))
    assert unmet.started == ("live-writes-lost",)
    assert len(unmet.unmet) == 3  # Carol absent, no list of affected rows, no snapshot
    a = grade(events, scenario=s, policy=policy, trainee="t", seed=1)
    assert not a.passed and a.critical_failures
    failure = a.critical_failures[0]
    assert failure.id == "scenario_must_not" and "restore-affected-rows" in failure.detail


def test_failing_over_to_the_stale_standby_is_critical_and_fail_back_is_offered_only_after() -> (
    None
):
    from assessments.assessor import grade
    from assessments.policy import load_policy
    from simulator.engine import Engine
    from simulator.events import Event

    policy = load_policy("default")
    s = load_scenario("region-failover-stale").scenario
    engine = Engine(s, seed=1, severity_levels=policy.level_names)
    events: list[Event] = []
    engine.subscribe(events.append)
    engine.run_until(90)
    engine.submit(c.Acknowledge(alert="ReplicaLagHigh"))
    rejected = engine.submit(c.ApplyMitigation(mitigation="fail-back"))
    assert not rejected.accepted and "not on offer" in (rejected.reason or "")
    engine.run_until(300)
    # The standby is still 40 minutes behind: the case starts writes-lost when failover completes.
    assert engine.submit(c.ApplyMitigation(mitigation="failover-usw2")).accepted
    engine.run_until(420)
    assert "writes-lost" in engine.active_faults()
    assert "primary-region-down" not in engine.active_faults()
    assert engine.submit(c.ApplyMitigation(mitigation="fail-back")).accepted
    engine.run_until(900)
    a = grade(events, scenario=s, policy=policy, trainee="t", seed=1)
    assert not a.passed
    assert [f.id for f in a.critical_failures][:1] == ["scenario_must_not"]
    # Applied at T+5m, the first alert (ReplicaLagHigh) fired at T+1m: the decision's time.
    assert a.critical_failures[0].detail.startswith(
        "applied Fail over the orders database to us-west-2 [failover-usw2], which started "
        "Orders written in the last 40 minutes are gone; customers are charged twice on retry, "
        "at 4m after the first alert: Failing over to a replica 40 minutes behind"
    )
    # Failing back into the partition is the major one: 15% off, dated when it was applied.
    assert [(p.t, p.penalty) for p in a.penalties] == [(420, 0.15)]


def test_the_debrief_shows_a_metric_s_run_up_before_t0(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert (
        main(
            [
                "run",
                "data-corruption-restore",
                "--actions",
                str(library_dir() / "scripts" / "data-corruption-restore.expert.yaml"),
                "--report",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    debrief = (out / "debrief.html").read_text(encoding="utf-8")
    assert ">-15m<" in debrief  # an axis tick before T+0


def test_a_precondition_reads_as_what_it_needs_and_what_happens_unmet() -> None:
    s = load_scenario("data-corruption-restore").scenario
    restore = next(m for m in s.mitigations if m.id == "restore-affected-rows")
    assert restore.requires is not None
    lines = restore.requires.describe()
    assert lines[:2] == [
        "carried out by carol, present in the incident",
        "known first: affected-rows",
    ]
    assert lines[-1].startswith("if unmet: goes ahead, and restoring over live data")
