"""The certification quiz in the TUI: every answer type, validation, results, the record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, Input, RadioButton

from assessments.records import Records
from tests.tui.conftest import SIZE, press, settle
from tests.tui.textual_private import screen_lines
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
        for key in keys:
            screen.query_one(f"#opt-{key}", Checkbox).value = True
    else:
        order = list(q.answer_keys) if right else list(reversed(q.answer_keys))
        letters = "abcdefghijklmnopqrstuvwxyz"
        screen.query_one("#answer", Input).value = " ".join(
            letters[item.shown.index(k)] for k in order
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


# --------------------------------------------------------------------------- issue 14, item 8


def small_quiz() -> Any:
    """Three bank questions, options shown in a fixed shuffled order: multi, order, single."""
    from assessments.policy import load_policy
    from assessments.quiz import CategoryDraw, Quiz, QuizItem, load_bank

    bank = {q.id: q for q in load_bank().questions}
    multi = next(q for q in bank.values() if q.kind == "multi")
    order = bank["ic-handoff-order"]
    single = next(q for q in bank.values() if q.kind == "single")
    items = tuple(
        QuizItem(n, q, tuple(reversed(list(q.choices))))
        for n, q in enumerate((multi, order, single), start=1)
    )
    categories = tuple(
        CategoryDraw(c, c, sum(1 for i in items if i.question.category == c))
        for c in dict.fromkeys(i.question.category for i in items)
    )
    return Quiz(0, "default", 0.8, categories, items), load_policy("default")


class QuizHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.quiz, self.policy = small_quiz()

    def on_mount(self) -> None:
        self.push_screen(QuizScreen(self.quiz, self.policy, "Ada"))


def label(widget: Any) -> str:
    return str(widget.label)


async def test_options_are_lettered_by_position_and_marked_when_chosen_not_only_coloured() -> None:
    app = QuizHost()
    async with app.run_test(size=SIZE, notifications=False) as pilot:
        await settle(pilot)
        screen = top(app)
        item = screen.item  # type: ignore[attr-defined]
        boxes = list(screen.query(Checkbox))
        assert [label(b)[:4] for b in boxes] == [f"☐ {x})" for x in "abcdefgh"[: len(boxes)]]
        first = item.shown[0]
        assert label(boxes[0]) == f"☐ a) {item.question.choices[first]}"
        await press(pilot, "space")  # space ticks the focused option
        assert label(boxes[0]).startswith("☒ a)") and boxes[0].value
        await press(pilot, "down", "enter")  # enter goes on; it does not tick
        assert not boxes[1].value
        assert screen.item.number == 2  # type: ignore[attr-defined]
        assert screen.answers[item.question.id] == [first]  # type: ignore[attr-defined]


async def test_an_order_is_typed_by_letters_and_option_text_keeps_its_brackets() -> None:
    app = QuizHost()
    async with app.run_test(size=SIZE, notifications=False) as pilot:
        await settle(pilot)
        screen = top(app)
        await press(pilot, "enter")
        item = screen.item  # type: ignore[attr-defined]
        assert item.question.id == "ic-handoff-order"
        listing = "\n".join(screen_lines(app))
        assert "IC handoff from [old IC] to [new IC]" in listing
        right = item.question.answer_keys
        letters = " ".join("abcd"[item.shown.index(k)] for k in right)
        screen.query_one("#answer", Input).value = letters
        await press(pilot, "enter")
        assert screen.answers[item.question.id] == list(right)  # type: ignore[attr-defined]


async def test_the_results_explain_answers_in_the_options_own_words(tmp_path: Path) -> None:
    from assessments.quiz import grade_quiz

    quiz, _ = small_quiz()
    order = quiz.items[1]
    wrong = list(reversed(order.question.answer_keys))
    result = grade_quiz(quiz, {order.question.id: wrong})
    screen = QuizResultScreen(result, elapsed=60)
    text = str(screen.explanations())
    assert "answer: a" not in text
    assert '1. Announce the handoff: "IC handoff from [old IC] to [new IC]"' in text
    assert "your answer: 1. The old IC remains available" in text


def test_the_record_says_what_each_requirement_is_and_how_to_earn_it() -> None:
    """Issue 14 item 10: the record did not say what a shadow shift or a mock incident is."""
    from assessments.policy import load_policy
    from tui.screens.record import what_counts

    policy = load_policy("default")
    text = what_counts(policy).plain
    for credit in (
        *policy.certification_rules.practical,
        *policy.certification_rules.recertification,
    ):
        assert credit.says in text  # the policy's words, never the screen's own
        assert credit.source in text
    assert "warroom credit NAME shadow-shift" in text
    assert "pass an exercise played live as Incident Commander" in text
    assert policy.certification_rules.quiz.says in text
