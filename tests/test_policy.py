"""Policies as data: the shipped policies load, say what the seeds say, and map and play."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from typing import get_args

import pytest
import yaml

from assessments.policy import (
    CLASS_ORDER,
    Certification,
    InheritCertification,
    Policy,
    Rotation,
    check_policy,
    list_policies,
    load_policy,
    policy_path,
)
from simulator.commands import ROTATIONS, CreateChannel
from simulator.durations import format_period, parse_period
from simulator.model import SeverityClass
from simulator.playbook import Notification
from simulator.yamlio import LoadError

MINUTE = 60.0
HOUR = 3600.0


@pytest.fixture(scope="module")
def default() -> Policy:
    return load_policy("default")


@pytest.fixture(scope="module")
def agentos() -> Policy:
    return load_policy("agentos")


@pytest.fixture(scope="module")
def nexus() -> Policy:
    return load_policy("nexus")


def _notify(policy: Policy, level: str) -> dict[str, float | None]:
    return {n.stakeholder: n.within for n in policy.level(level).notify}


def _copy_default(tmp_path: Path, edit: dict[str, object] | None = None) -> Path:
    data = yaml.safe_load(policy_path("default").read_text(encoding="utf-8"))
    data.update(edit or {})
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- shipped files


def test_the_three_packaged_policies_are_listed_default_first() -> None:
    assert list_policies() == ["default", "agentos", "nexus"]


@pytest.mark.parametrize("name", ["default", "agentos", "nexus"])
def test_each_shipped_policy_loads_without_problems(name: str) -> None:
    policy = load_policy(name)
    assert policy.id == name
    assert list(check_policy(policy)) == []


@pytest.mark.parametrize("name", ["default", "agentos", "nexus"])
def test_every_level_of_a_shipped_policy_gives_a_playbook(name: str) -> None:
    policy = load_policy(name)
    for level in policy.level_names:
        playbook = policy.playbook(level)
        assert playbook.policy == name
        assert playbook.level == level
        assert playbook.levels == policy.level_names
        assert set(playbook.page) <= set(ROTATIONS)


def test_a_policy_loads_from_a_path_as_well_as_by_name(default: Policy) -> None:
    by_path = load_policy(str(policy_path("default")))
    assert by_path.level_names == default.level_names


def test_an_unknown_policy_name_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match="default, agentos, nexus"):
        load_policy("acme")


def test_packaged_policies_are_loaded_once_and_shared() -> None:
    assert load_policy("default") is load_policy("default")


# --------------------------------------------------------------------------- default policy


def test_the_default_scale_is_sev_1_to_sev_4_most_severe_first(default: Policy) -> None:
    assert default.level_names == ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
    assert [lv.class_ for lv in default.levels] == ["critical", "high", "medium", "low"]


def test_sev_1_notifies_the_ceo_within_15_minutes_and_the_cto_within_its_response_time(
    default: Policy,
) -> None:
    notify = _notify(default, "SEV-1")
    assert notify["ceo"] == 15 * MINUTE
    assert notify["cto"] == 5 * MINUTE == default.level("SEV-1").response_time.within
    assert notify["support"] == 5 * MINUTE


def test_sev_2_follows_the_notification_matrix_and_response_requirements(default: Policy) -> None:
    notify = _notify(default, "SEV-2")
    assert notify == {
        "eng_lead": 30 * MINUTE,
        "cto": 30 * MINUTE,
        "ceo": HOUR,
        "support": 15 * MINUTE,
    }
    assert default.level("SEV-2").status_page.within == 15 * MINUTE


def test_sev_3_notifies_the_team_lead_within_an_hour_and_executives_only_in_summaries(
    default: Policy,
) -> None:
    notify = _notify(default, "SEV-3")
    assert notify["team_lead"] == HOUR
    assert notify["cto"] is None and notify["ceo"] is None
    assert default.level("SEV-3").status_page.within is None


def test_update_cadences_match_the_training_module(default: Policy) -> None:
    cadence = {lv.name: (lv.updates, lv.stakeholder_updates) for lv in default.levels}
    assert cadence["SEV-1"][0] is not None and cadence["SEV-1"][0].every == 10 * MINUTE
    assert cadence["SEV-1"][1].every == 30 * MINUTE
    assert cadence["SEV-2"][0] is not None and cadence["SEV-2"][0].every == 15 * MINUTE
    assert cadence["SEV-2"][1].every == HOUR
    assert cadence["SEV-3"][0] is not None and cadence["SEV-3"][0].every is None


def test_response_and_resolution_times_match_the_sla(default: Policy) -> None:
    sla = {lv.name: (lv.response_time.within, lv.resolution_target.within) for lv in default.levels}
    assert sla == {
        "SEV-1": (5 * MINUTE, HOUR),
        "SEV-2": (15 * MINUTE, 2 * HOUR),
        "SEV-3": (HOUR, 24 * HOUR),
        "SEV-4": (24 * HOUR, 7 * 24 * HOUR),
    }


def test_sev_1_pages_the_entire_on_call_rotation_and_sev_3_pages_nobody(default: Policy) -> None:
    assert default.level("SEV-1").page.targets == ("primary", "secondary", "ic_rotation")
    assert default.level("SEV-2").page.targets == ("primary",)
    assert default.level("SEV-3").page.targets == ()


def test_the_ic_is_required_for_sev_1_and_sev_2_only(default: Policy) -> None:
    assert [lv.ic.required for lv in default.levels] == ["yes", "yes", "optional", "no"]


def test_global_rules_come_from_the_mock_incident_evaluation_criteria(default: Policy) -> None:
    rules = default.rules
    assert rules.acknowledge.within == 2 * MINUTE
    assert rules.channel.within == 5 * MINUTE
    assert rules.assign_ic.within == 10 * MINUTE
    assert (rules.stability.min, rules.stability.max) == (15 * MINUTE, 30 * MINUTE)
    assert rules.postmortem.schedule_within == 48 * HOUR
    trigger = default.trigger("no_root_cause")
    assert trigger is not None and trigger.after == 15 * MINUTE


def test_the_channel_convention_is_stored_readable_and_as_strftime(default: Policy) -> None:
    channel = default.rules.channel
    assert channel.convention == "#incident-YYYY-MM-DD-HHMM"
    assert channel.strftime == "#incident-%Y-%m-%d-%H%M"
    name = channel.name_for(datetime(2026, 1, 30, 14, 23))
    assert name == "#incident-2026-01-30-1423"
    assert channel.matches(name)
    assert not channel.matches("#incident-api-outage")
    CreateChannel(name=name, rationale=None)


def test_every_threshold_cites_a_seed_section(default: Policy) -> None:
    sev1 = default.level("SEV-1")
    assert sev1.notify[1].source.startswith("training module §Session 4")
    assert "SEV-1 Response Requirements" in sev1.status_page.source
    assert sev1.status_page.note is not None and "Immediately" in sev1.status_page.note


def test_the_default_certification_follows_session_7(default: Policy) -> None:
    cert = default.certification_rules
    assert [(c.id, c.questions) for c in cert.quiz.categories] == [
        ("severity", 10),
        ("escalation", 5),
        ("ic", 5),
        ("communication", 5),
        ("tools", 5),
    ]
    assert cert.quiz.total == 30
    assert cert.quiz.pass_mark == 0.8
    assert [(c.kind, c.count) for c in cert.practical] == [
        ("shadow-shift", 2),
        ("mock-incident", 1),
        ("ic-exercise", 1),
    ]
    assert cert.validity.period == 365 * 24 * HOUR
    recert = {c.kind: (c.count, c.per) for c in cert.recertification}
    assert recert["real-incident"] == (5, "year")
    assert recert["gameday"] == (1, "quarter")
    assert "refresher-quiz" in recert


# --------------------------------------------------------------------------- agentos and nexus


def test_agentos_has_five_levels_with_p4_informational(agentos: Policy) -> None:
    assert agentos.level_names == ("P0", "P1", "P2", "P3", "P4")
    assert agentos.level("P4").class_ == "info"
    assert not agentos.level("P4").declare.incident


def test_agentos_p0_communicates_every_15_minutes(agentos: Policy) -> None:
    p0 = agentos.level("P0")
    assert p0.updates is not None and p0.updates.every == 15 * MINUTE
    assert p0.status_page.within == 15 * MINUTE
    assert agentos.level("P1").status_page.within == 30 * MINUTE


def test_agentos_escalation_matrix_and_postmortem_timeline(agentos: Policy) -> None:
    steps = [(s.at, s.target) for s in agentos.level("P0").escalation]
    assert steps[1:] == [(15 * MINUTE, "vp_engineering"), (30 * MINUTE, "cto"), (HOUR, "ceo")]
    post = {
        lv.name: (lv.postmortem.schedule_within, lv.postmortem.complete_within)
        for lv in agentos.levels
    }
    assert post["P0"] == (24 * HOUR, 72 * HOUR)
    assert post["P3"] == (14 * 24 * HOUR, 30 * 24 * HOUR)


def test_agentos_names_channels_by_incident_and_announces_by_severity(agentos: Policy) -> None:
    channel = agentos.rules.channel
    assert channel.matches("#incident-payments-down")
    assert not channel.matches("#incident-critical")
    announce = {a.channel: a.levels for a in channel.announce}
    assert announce["#incident-critical"] == ("P0",)


def test_nexus_has_four_levels_and_monitors_30_minutes(nexus: Policy) -> None:
    assert nexus.level_names == ("P0", "P1", "P2", "P3")
    assert (nexus.rules.stability.min, nexus.rules.stability.max) == (30 * MINUTE, 30 * MINUTE)
    assert nexus.level("P1").response_time.within == HOUR
    assert nexus.level("P3").response_time.within is None


@pytest.mark.parametrize("name", ["agentos", "nexus"])
def test_runbooks_without_certification_inherit_the_training_modules(
    name: str, default: Policy
) -> None:
    policy = load_policy(name)
    assert isinstance(policy.certification, InheritCertification)
    assert policy.certification_inherited_from == "default"
    assert policy.certification_rules == default.certification_rules


# --------------------------------------------------------------------------- class mapping


def test_each_class_maps_to_the_level_of_that_class(default: Policy, agentos: Policy) -> None:
    assert default.level_for("critical").name == "SEV-1"
    assert default.level_for("medium").name == "SEV-3"
    assert agentos.level_for("critical").name == "P0"
    assert agentos.level_for("info").name == "P4"


def test_info_maps_to_sev_4_on_the_default_policy(default: Policy) -> None:
    assert default.level_for("info").name == "SEV-4"


def test_info_maps_to_the_least_severe_nexus_level(nexus: Policy) -> None:
    assert nexus.level_for("info").name == "P3"


def test_a_scenario_override_pins_the_level_under_its_policy(
    default: Policy, agentos: Policy
) -> None:
    overrides = {"agentos": "P1"}
    assert agentos.level_for("critical", overrides).name == "P1"
    assert default.level_for("critical", overrides).name == "SEV-1"


def test_an_override_naming_a_missing_level_is_an_error(agentos: Policy) -> None:
    with pytest.raises(KeyError, match="SEV-9"):
        agentos.level_for("high", {"agentos": "SEV-9"})


def test_an_unknown_class_is_an_error(default: Policy) -> None:
    with pytest.raises(ValueError, match="unknown severity class"):
        default.level_for("catastrophic")


def test_a_missing_class_maps_to_the_nearest_less_severe_level(tmp_path: Path) -> None:
    data = yaml.safe_load(policy_path("default").read_text(encoding="utf-8"))
    data["levels"] = [lv for lv in data["levels"] if lv["class"] != "high"]
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    policy = load_policy(str(path))
    assert policy.level_for("high").name == "SEV-3"


def test_severity_classes_and_rotations_match_the_simulators_vocabulary() -> None:
    assert get_args(SeverityClass) == CLASS_ORDER
    assert get_args(Rotation) == ROTATIONS


def test_every_field_of_the_policy_format_is_documented() -> None:
    schema = Policy.model_json_schema(by_alias=True)
    for name, definition in schema["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field}"


# --------------------------------------------------------------------------- playbooks


def test_the_sev_1_playbook_holds_the_strictest_deadlines(default: Policy) -> None:
    pb = default.playbook("SEV-1")
    assert pb.acknowledge_within_s == 2 * MINUTE
    assert pb.channel_within_s == 5 * MINUTE
    assert pb.channel_format == "#incident-%Y-%m-%d-%H%M"
    assert pb.ic_required and pb.ic_within_s == 5 * MINUTE
    assert pb.page == ("primary", "secondary", "ic_rotation")
    assert pb.notify == (
        Notification("cto", 5 * MINUTE),
        Notification("support", 5 * MINUTE),
        Notification("ceo", 15 * MINUTE),
    )
    assert pb.status_page_within_s == 5 * MINUTE
    assert pb.update_cadence_s == 10 * MINUTE
    assert pb.stakeholder_cadence_s == 30 * MINUTE
    assert (pb.escalate_after_s, pb.escalate_to) == (15 * MINUTE, "secondary")
    assert pb.stability_window_s == 15 * MINUTE
    assert pb.postmortem_within_s == 48 * HOUR
    assert pb.declare


def test_the_sev_2_playbook_uses_the_stricter_global_ic_deadline(default: Policy) -> None:
    assert default.playbook("SEV-2").ic_within_s == 10 * MINUTE


def test_the_sev_3_playbook_has_no_cadence_status_page_or_required_ic(default: Policy) -> None:
    pb = default.playbook("SEV-3")
    assert not pb.ic_required
    assert pb.page == ()
    assert pb.status_page_within_s is None
    assert pb.update_cadence_s is None
    assert pb.stakeholder_cadence_s is None
    assert {n.stakeholder for n in pb.notify} == {"team_lead", "eng_lead"}
    assert pb.declare


def test_the_sev_4_playbook_is_not_declared(default: Policy) -> None:
    assert not default.playbook("SEV-4").declare


def test_agentos_deadlines_fall_back_to_the_levels_response_time(agentos: Policy) -> None:
    p1 = agentos.playbook("P1")
    assert p1.acknowledge_within_s == p1.channel_within_s == 15 * MINUTE
    assert (p1.escalate_after_s, p1.escalate_to) == (30 * MINUTE, "secondary")
    assert agentos.playbook("P0").postmortem_within_s == 24 * HOUR


def test_a_level_that_never_escalates_has_no_escalation_deadline(nexus: Policy) -> None:
    pb = nexus.playbook("P2")
    assert math.isinf(pb.escalate_after_s)
    assert pb.escalate_to == ""


def test_asking_for_a_level_the_policy_lacks_is_a_key_error(default: Policy) -> None:
    with pytest.raises(KeyError, match="SEV-1, SEV-2, SEV-3, SEV-4"):
        default.playbook("P0")


# --------------------------------------------------------------------------- broken files


def _problems(path: Path) -> list[str]:
    with pytest.raises(LoadError) as info:
        load_policy(str(path))
    return [str(p) for p in info.value.problems]


def test_a_broken_policy_file_gives_path_line_col_problems(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    text = policy_path("default").read_text(encoding="utf-8")
    text = text.replace("    class: high\n", "    class: severe\n", 1)
    text = text.replace(
        "      within: 15m\n      says: Status page", "      within: soon\n      says: Status page"
    )
    path.write_text(text, encoding="utf-8")
    problems = _problems(path)
    pattern = re.compile(rf"^{re.escape(str(path))}:(\d+):(\d+): error: (.+)$")
    assert len(problems) == 2
    for line in problems:
        assert pattern.match(line), line
    assert any("levels[1].class" in p for p in problems)
    assert any("levels[1].status_page.within" in p for p in problems)


def test_duplicate_levels_and_classes_out_of_order_are_reported_where_they_are(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load(policy_path("default").read_text(encoding="utf-8"))
    data["levels"][2]["name"] = "SEV-2"
    data["levels"][2]["class"] = "critical"
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    problems = _problems(path)
    assert any("levels[2].name: duplicate level name 'SEV-2'" in p for p in problems)
    assert any("levels[2].class:" in p and "less severe" in p for p in problems)


def test_a_zero_deadline_and_an_uncited_source_are_reported(tmp_path: Path) -> None:
    data = yaml.safe_load(policy_path("default").read_text(encoding="utf-8"))
    data["rules"]["acknowledge"]["within"] = "0s"
    data["levels"][0]["response_time"]["source"] = "somebody said so"
    path = tmp_path / "zero.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    problems = _problems(path)
    assert any("rules.acknowledge.within: within must be more than zero" in p for p in problems)
    assert any("levels[0].response_time.source: citation 'somebody said so'" in p for p in problems)


def test_a_less_severe_level_may_not_respond_faster(tmp_path: Path) -> None:
    data = yaml.safe_load(policy_path("default").read_text(encoding="utf-8"))
    data["levels"][2]["response_time"]["within"] = "1m"
    path = tmp_path / "fast.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert any("SEV-3 responds faster" in p for p in _problems(path))


def test_a_channel_pattern_must_accept_the_names_it_makes(tmp_path: Path) -> None:
    data = yaml.safe_load(policy_path("default").read_text(encoding="utf-8"))
    data["rules"]["channel"]["pattern"] = r"^#inc-\d+$"
    path = tmp_path / "channel.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert any("the pattern rejects '#incident-2026-01-30-1423'" in p for p in _problems(path))


def test_inheriting_certification_from_an_unknown_policy_is_reported(tmp_path: Path) -> None:
    path = _copy_default(tmp_path, {"certification": {"inherit": "acme", "note": "Theirs."}})
    assert any("certification.inherit: no packaged policy 'acme'" in p for p in _problems(path))


def test_a_policy_built_in_code_states_or_resolves_its_certification(default: Policy) -> None:
    data = default.model_dump(by_alias=True)
    assert isinstance(Policy.model_validate(data).certification, Certification)
    data["certification"] = {"inherit": "default", "note": "Theirs."}
    unresolved = Policy.model_validate(data)
    with pytest.raises(LookupError, match="load_policy"):
        _ = unresolved.certification_rules


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("365d", 365 * 86400.0), ("2w", 14 * 86400.0), ("1d12h", 36 * HOUR), ("48h", 48 * HOUR)],
)
def test_periods_read_days_and_weeks(text: str, seconds: float) -> None:
    assert parse_period(text) == seconds


def test_periods_format_back_to_days() -> None:
    assert format_period(365 * 86400.0) == "365d"
    assert format_period(48 * HOUR) == "2d"
    assert format_period(30 * MINUTE) == "30m"


def test_a_period_beyond_two_years_is_refused() -> None:
    with pytest.raises(ValueError, match="two years"):
        parse_period("800d")


@pytest.mark.parametrize("name", ["default", "agentos", "nexus"])
def test_every_policy_names_its_critical_failures_and_reaction_window_with_seed_lines(
    name: str,
) -> None:
    policy = load_policy(name)
    assert policy.grading is not None
    assert [c.id for c in policy.grading.critical] == [
        "never_acknowledged",
        "impact_not_ended",
        "resolved_while_active",
        "scenario_must_not",
    ]
    reaction = policy.rules.reaction
    assert reaction is not None and reaction.within == 5 * MINUTE
    assert reaction.note is not None and "immediately" in reaction.note.lower()


def test_timed_escalation_rules_follow_each_matrix() -> None:
    agentos, nexus, default = (load_policy(n) for n in ("agentos", "nexus", "default"))
    p0 = [(r.after, r.target) for r in agentos.escalation_rules(agentos.level("P0"))]
    assert p0 == [(15 * MINUTE, "vp_engineering"), (30 * MINUTE, "cto"), (60 * MINUTE, "ceo")]
    p1 = [(r.after, r.target) for r in agentos.escalation_rules(agentos.level("P1"))]
    assert p1[0] == (30 * MINUTE, "secondary")
    assert [(r.after, r.target) for r in nexus.escalation_rules(nexus.level("P1"))] == [
        (120 * MINUTE, "management")
    ]
    sev2 = {
        (r.after, r.target, r.condition) for r in default.escalation_rules(default.level("SEV-2"))
    }
    assert (15 * MINUTE, "secondary", "root_cause_not_found") in sev2
    assert (60 * MINUTE, "eng_lead", "not_resolved") in sev2
    assert (120 * MINUTE, "vp_engineering", "impact_ongoing") in sev2
