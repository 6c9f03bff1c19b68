"""The certification quiz in the TUI: every answer type, validation, results, the record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, RadioButton, SelectionList

from assessments.records import Records
from tests.tui.conftest import SIZE, press, settle
from tui.app import make_app
from tui.screens.dialogs.confirm import ConfirmQuit
from tui.screens.lobby import LobbyScreen
from tui.screens.quiz import QuizResultScreen, QuizScreen, parse_order
from tui.screens.record import RecordScreen


def top(app: App[Any]) -> Screen[Any]:
    """The screen on top, typed as any screen (an earlier ``isinstance`` does not narrow it)."""
    return app.screen


def test_an_order_answer_names_every_item_once() -> None:
    keys = ("a", "b", "c")
    assert parse_order(" C, a b ", keys) == ["c", "a", "b"]
    assert parse_order("  ", keys) is None
    for bad, why in (("a a b", "once"), ("a b", "c missing"), ("a b z", "z is not one")):
        try:
            parse_order(bad, keys)
        except ValueError as exc:
            assert why in str(exc)
        else:
            raise AssertionError(bad)


async def answer(pilot: Pilot[None], screen: QuizScreen, *, right: bool) -> None:
    item = screen.item
    q = item.question
    keys = list(q.answer_keys)
    if not right:
        keys = [k for k in item.shown if k not in keys][:1] or list(reversed(keys))
    if q.kind in ("single", "classify"):
        screen.query_one(f"#opt-{keys[0]}", RadioButton).value = True
    elif q.kind == "multi":
        selection = screen.query_one("#answer", SelectionList)
        for key in keys:
            selection.select(key)
    else:
        screen.query_one("#answer", Input).value = " ".join(
            list(q.answer_keys) if right else list(reversed(q.answer_keys))
        )
    await settle(pilot)


async def test_taking_the_quiz_from_the_lobby_grades_and_records_it(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    app = make_app(trainee="Ada", journal_dir=tmp_path, quiz_seed=7, db_path=db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LobbyScreen)
        await press(pilot, "ctrl+t")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        total = len(screen.quiz.items)
        assert total == 30
        assert f"question 1 of {total}" in str(screen.query_one("#quiz-title").render())
        kinds = set()
        for n in range(total):
            kinds.add(screen.item.question.kind)
            await answer(pilot, screen, right=n >= 4)  # four wrong: 26/30 still passes
            await press(pilot, "ctrl+n")
        assert {"single", "multi", "order"} <= kinds
        await press(pilot, "ctrl+f")
        result_screen = app.screen
        assert isinstance(result_screen, QuizResultScreen)
        result = result_screen.result
        assert (result.correct, result.total, result.passed) == (26, 30, True)
        title = str(result_screen.query_one("#result-title").render())
        assert "✔ PASSED" in title and "26/30" in title
        assert "recorded" in result_screen.note
        await press(pilot, "enter")
        assert isinstance(app.screen, LobbyScreen)
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, RecordScreen)
        text = str(app.screen.query_one("#record-text").render())
        assert "Quizzes (1)" in text and "(26/30) passed" in text
    with Records(db) as records:
        quizzes = records.record("Ada").quizzes
    assert [(q.correct, q.total, q.passed, q.seed) for q in quizzes] == [(26, 30, True, 7)]


async def test_a_malformed_order_keeps_the_question_and_finishing_early_asks_first(
    tmp_path: Path,
) -> None:
    app = make_app(trainee="Ada", journal_dir=tmp_path, quiz_seed=7, db_path=tmp_path / "r.db")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+t")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        while screen.item.question.kind != "order":
            await press(pilot, "ctrl+n")
        number = screen.item.number
        screen.query_one("#answer", Input).value = "a a"
        await press(pilot, "ctrl+n")
        assert screen.item.number == number
        assert "✘" in str(screen.query_one("#quiz-error").render())
        screen.query_one("#answer", Input).value = ""
        await press(pilot, "ctrl+f")
        assert isinstance(app.screen, ConfirmQuit)
        assert "30 unanswered" in str(app.screen.query_one("#dialog-title").render())
        await press(pilot, "n")
        assert top(app) is screen
