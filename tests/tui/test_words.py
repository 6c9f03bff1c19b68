"""The console speaks in people's and roles' names, labels and units, not ids (issue 14, item 7)."""

from __future__ import annotations

from simulator import events as ev
from simulator.library import load_scenario
from tui.headless.views import ResponderView
from tui.headless.words import Words
from tui.screens.dialogs.people import whereabouts


def words() -> Words:
    return Words(load_scenario("api-outage").scenario, "Ada")


def said(data: dict[str, object]) -> str:
    return words().event(ev.ActionAccepted(60.0, "trainee", data))[1]  # type: ignore[index]


def test_actions_name_people_roles_stakeholders_and_audiences() -> None:
    assert said({"do": "assign_role", "role": "tech_lead", "person": "bob"}) == (
        "made Bob Technical lead"
    )
    assert said({"do": "assign_role", "role": "ic", "person": "me"}) == (
        "took the Incident Commander (IC) role yourself"
    )
    assert said({"do": "notify", "stakeholder": "eng_lead"}) == "notified Engineering lead"
    assert said({"do": "page", "target": "ic_rotation"}) == "paged IC rotation"
    assert said({"do": "page", "target": "dana"}) == "paged Dana"
    assert said(
        {"do": "post_update", "audience": "status_page", "status": "investigating", "text": "x"}
    ) == ("posted an update to Status page (customers) (Investigating)\nx")
    assert "ack_alert" not in said({"do": "acknowledge", "alert": "APIErrorRateHigh"})


def test_alert_values_carry_their_metrics_unit() -> None:
    w = words()
    assert w.event(ev.AlertPending(5.0, "APIErrorRateHigh", 11.58)) == (
        "ALERT",
        "APIErrorRateHigh pending (11.6%)",
    )
    assert w.event(ev.AlertResolved(9.0, "APILatencyHigh", 1512.0, True)) == (
        "ALERT",
        "APILatencyHigh resolved (1,512 ms)",
    )


def responder(*, joined: bool, paged: bool) -> ResponderView:
    return ResponderView("dana", "Dana", "ML", (), None, joined, paged, "", 0.0)


def test_someone_paged_is_on_the_way_not_told_to_be_paged() -> None:
    assert whereabouts(responder(joined=False, paged=False)) == "not here yet: page first"
    assert whereabouts(responder(joined=False, paged=True)) == "paged, on the way"
    assert whereabouts(responder(joined=True, paged=True)) == "in the incident"


def test_alert_rules_name_the_metric_and_give_values_with_units(tmp_path: object) -> None:
    from tui.headless.session import new_session

    session = new_session("api-outage", trainee="Ada", journal_dir=str(tmp_path), paused=True)
    session.open(0.0)
    session.jump(120)
    first = session.view().alerts[0]
    assert first.rule == "API error rate > 5% for 1m"
    assert first.now.endswith("%") and "." in first.now
