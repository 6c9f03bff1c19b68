"""The certification quiz: one question at a time, then the results per category.

The quiz is drawn by ``assessments.quiz`` under the policy's certification rules (the training
module's Session 7: 30 questions in five categories, 80% to pass). Each answer type of the bank
has its widget: one choice (``single`` and ``classify``) is a radio set, ``multi`` a column of
check boxes, ``order`` a line where the trainee types the items' letters first to last. Options
are lettered by the position they are shown in (a, b, c…), whatever their keys in the bank;
a chosen option carries a mark (◉ / ☒), not only a colour, so it reads the same under
NO_COLOR; space chooses or toggles and Enter goes to the next question. Option text is shown as
written (never parsed as markup: "IC handoff from [old IC] to [new IC]"). A clock shows the
time taken (the seed sets no limit; Session 7 is 30 minutes in all). When the trainee
finishes, the quiz is graded, recorded in the trainee's record, and the results screen shows
each category and the explanation of every question.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    Static,
)

from assessments.policy import Policy
from assessments.quiz import Question, Quiz, QuizItem, QuizResult, grade_quiz
from tui.screens.footer import KeyFooter

Answer = str | list[str]

KIND_HINTS: dict[str, str] = {
    "single": "Pick one answer: ↑ ↓ to move, space to choose, enter for the next question.",
    "classify": "Pick the level: ↑ ↓ to move, space to choose, enter for the next question.",
    "multi": "Pick every answer that applies (there may be more than one): ↑ ↓ to move, "
    "space to tick or untick, enter for the next question.",
    "order": "Type the letters in order, first to last (e.g. 'c a d b'), then enter.",
}

LETTERS = "abcdefghijklmnopqrstuvwxyz"
"""Options are lettered by position: the first shown is a, then b…"""


def lettered(shown: tuple[str, ...]) -> dict[str, str]:
    """The letter of each option key, by the position it is shown in."""
    return {key: LETTERS[i] for i, key in enumerate(shown)}


class MarkedRadioButton(RadioButton):
    """A radio button whose label starts with a mark that says whether it is chosen."""

    BUTTON_LEFT = ""
    BUTTON_INNER = ""
    BUTTON_RIGHT = ""

    def __init__(self, letter: str, text: str, *, value: bool, id: str) -> None:
        """Option ``letter``) ``text`` (shown as written), chosen when ``value``."""
        self._letter = letter
        self._text = text
        super().__init__(self._mark(value), value=value, id=id)

    def _mark(self, value: bool) -> Text:
        return Text(f"{'◉' if value else '○'} {self._letter}) {self._text}")

    def watch_value(self) -> None:
        super().watch_value()
        self.label = self._mark(self.value)


class QuizRadioSet(RadioSet, inherit_bindings=False):
    """A radio set where space chooses and Enter is left to the screen (next question)."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("down,right", "next_button", "Next option", show=False),
        Binding("up,left", "previous_button", "Previous option", show=False),
        Binding("space", "toggle_button", "Choose", show=False),
    ]


class MarkedCheckbox(Checkbox, inherit_bindings=False):
    """A tick box whose label starts with ☒ or ☐; space toggles, Enter is the screen's."""

    BUTTON_LEFT = ""
    BUTTON_INNER = ""
    BUTTON_RIGHT = ""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("space", "toggle_button", "Tick", show=False),
        Binding("down", "screen.focus_next", show=False),
        Binding("up", "screen.focus_previous", show=False),
    ]

    def __init__(self, letter: str, text: str, *, value: bool, id: str) -> None:
        """Option ``letter``) ``text`` (shown as written), ticked when ``value``."""
        self._letter = letter
        self._text = text
        super().__init__(self._mark(value), value=value, id=id)

    def _mark(self, value: bool) -> Text:
        return Text(f"{'☒' if value else '☐'} {self._letter}) {self._text}")

    def watch_value(self) -> None:
        super().watch_value()
        self.label = self._mark(self.value)


def parse_order(text: str, keys: tuple[str, ...]) -> list[str] | None:
    """The keys typed for an order question, or ``None`` when blank.

    Raises:
        ValueError: a key that is not an item, a key given twice, or one missing.
    """
    given = [k for k in text.replace(",", " ").lower().split() if k]
    if not given:
        return None
    wanted = {k.lower(): k for k in keys}
    unknown = [k for k in given if k not in wanted]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} is not one of the items ({' '.join(keys)})")
    if len(set(given)) != len(given):
        raise ValueError("each item goes in the order once")
    if len(given) != len(keys):
        missing = [k for k in keys if k.lower() not in given]
        raise ValueError(f"put every item in the order: {' '.join(missing)} missing")
    return [wanted[k] for k in given]


class QuizScreen(Screen[None]):
    """Ask the quiz's questions one at a time."""

    CSS_PATH = "quiz.tcss"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("enter", "next", "Next", show=False),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+f", "finish", "Finish", priority=True),
        Binding("escape", "leave", "Leave"),
    ]

    def __init__(
        self,
        quiz: Quiz,
        policy: Policy,
        trainee: str,
        *,
        record: Callable[[QuizResult], str] | None = None,
    ) -> None:
        """Ask ``quiz`` to ``trainee``; ``record`` stores the result and says where."""
        super().__init__()
        self.quiz = quiz
        self.policy = policy
        self.trainee = trainee
        self.record = record
        self.answers: dict[str, Answer] = {}
        self.index = 0
        self.started = time.monotonic()

    def compose(self) -> ComposeResult:
        with Horizontal(id="quiz-head"):
            yield Label("", id="quiz-title", markup=False)
            yield Label("", id="quiz-clock")
        yield ProgressBar(total=len(self.quiz.items), show_eta=False, id="quiz-progress")
        with VerticalScroll(id="quiz-body"):
            yield Static("", id="quiz-prompt")
            yield Vertical(id="answer-box")
            yield Label("", id="quiz-hint", markup=False)
            yield Static("", id="quiz-error")
        with Horizontal(id="quiz-buttons"):
            yield Button("◀ Back (ctrl+b)", id="back", compact=True)
            yield Button("Next ▶ (ctrl+n)", id="next", variant="primary", compact=True)
            yield Button("Finish (ctrl+f)", id="finish", variant="success", compact=True)
        yield KeyFooter(rows=1, narrow_rows=1)

    async def on_mount(self) -> None:
        self._tick()
        self.set_interval(1.0, self._tick)
        await self._show()

    def _tick(self) -> None:
        elapsed = max(0, int(time.monotonic() - self.started))
        self.query_one("#quiz-clock", Label).update(f"⏱ {elapsed // 60:02d}:{elapsed % 60:02d}")

    @property
    def item(self) -> QuizItem:
        """The question shown."""
        return self.quiz.items[self.index]

    async def _show(self) -> None:
        item = self.item
        q = item.question
        category = next(c.name for c in self.quiz.categories if c.id == q.category)
        self.query_one("#quiz-title", Label).update(
            f"Certification quiz · {self.policy.id} · question {item.number} of "
            f"{len(self.quiz.items)} · {category}"
        )
        self.query_one(ProgressBar).update(progress=len(self.answers))
        self.query_one("#quiz-prompt", Static).update(Text(q.prompt, style="bold"))
        self.query_one("#quiz-hint", Label).update(KIND_HINTS[q.kind])
        self._error("")
        box = self.query_one("#answer-box", Vertical)
        await box.remove_children()
        given = self.answers.get(q.id)
        choices = q.choices
        letters = lettered(item.shown)
        widget: Any
        focus: Any
        if q.kind in ("single", "classify"):
            widget = focus = QuizRadioSet(
                *(
                    MarkedRadioButton(
                        letters[key], choices[key], value=given == key, id=f"opt-{key}"
                    )
                    for key in item.shown
                ),
                id="answer",
            )
        elif q.kind == "multi":
            chosen = set(given) if isinstance(given, list) else set()
            boxes = [
                MarkedCheckbox(letters[key], choices[key], value=key in chosen, id=f"opt-{key}")
                for key in item.shown
            ]
            widget = Vertical(*boxes, id="answer")
            focus = boxes[0]
        else:
            listing = Table.grid(padding=(0, 1))
            listing.add_column(no_wrap=True)
            listing.add_column()
            for key in item.shown:
                listing.add_row(f"{letters[key]})", Text(choices[key]))
            await box.mount(Static(listing, id="order-items"))
            typed = " ".join(letters[k] for k in given) if isinstance(given, list) else ""
            widget = focus = Input(
                typed,
                placeholder="letters first to last, e.g. " + " ".join(LETTERS[: len(item.shown)]),
                id="answer",
            )
        await box.mount(widget)
        focus.focus()
        self.query_one("#back", Button).disabled = self.index == 0
        last = self.index == len(self.quiz.items) - 1
        self.query_one("#next", Button).disabled = last

    def _error(self, message: str) -> None:
        error = self.query_one("#quiz-error", Static)
        error.update(Text(f"✘ {message}") if message else "")
        error.set_class(bool(message), "-shown")

    def _capture(self) -> bool:
        """Keep the answer on screen; ``False`` (with the reason shown) when it is malformed."""
        q = self.item.question
        widget = self.query_one("#answer")
        answer: Answer | None = None
        if isinstance(widget, RadioSet):
            pressed = widget.pressed_button
            if pressed is not None and pressed.id is not None:
                answer = pressed.id.removeprefix("opt-")
        elif isinstance(widget, Input):
            shown = self.item.shown
            try:
                order = parse_order(widget.value, tuple(LETTERS[: len(shown)]))
            except ValueError as exc:
                self._error(str(exc))
                return False
            answer = None if order is None else [shown[LETTERS.index(x)] for x in order]
        else:
            ticked = {box.id for box in widget.query(MarkedCheckbox) if box.value}
            answer = [k for k in self.item.shown if f"opt-{k}" in ticked] or None
        if answer is None:
            self.answers.pop(q.id, None)
        else:
            self.answers[q.id] = answer
        return True

    async def action_next(self) -> None:
        """Keep the answer and show the next question."""
        if self._capture() and self.index < len(self.quiz.items) - 1:
            self.index += 1
            await self._show()

    async def action_back(self) -> None:
        """Keep the answer and show the previous question."""
        if self._capture() and self.index > 0:
            self.index -= 1
            await self._show()

    @on(Input.Submitted, "#answer")
    async def _order_submitted(self) -> None:
        await self.action_next()

    @on(Button.Pressed, "#next")
    async def _next_pressed(self) -> None:
        await self.action_next()

    @on(Button.Pressed, "#back")
    async def _back_pressed(self) -> None:
        await self.action_back()

    @on(Button.Pressed, "#finish")
    def _finish_pressed(self) -> None:
        self.action_finish()

    def action_finish(self) -> None:
        """Grade the quiz (asking first when questions are unanswered)."""
        if not self._capture():
            return
        unanswered = len(self.quiz.items) - len(self.answers)
        if unanswered == 0:
            self._grade()
            return
        from tui.screens.dialogs.confirm import ConfirmQuit

        def answered(finish: bool | None) -> None:
            if finish:
                self._grade()

        self.app.push_screen(
            ConfirmQuit(
                f"Finish with {unanswered} unanswered?",
                "Unanswered questions count as wrong. Choose No to go on answering.",
            ),
            answered,
        )

    def _grade(self) -> None:
        result = grade_quiz(self.quiz, self.answers, trainee=self.trainee)
        elapsed = time.monotonic() - self.started
        note = ""
        if self.record is not None:
            try:
                note = self.record(result)
            except Exception as exc:  # the result is shown even when the records fail
                note = f"not recorded: {exc}"
        self.app.switch_screen(QuizResultScreen(result, elapsed=elapsed, note=note))

    def action_leave(self) -> None:
        """Leave without grading (after confirming)."""
        from tui.screens.dialogs.confirm import ConfirmQuit

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmQuit("Leave the quiz?", "Your answers are not kept or recorded."), answered
        )


class QuizResultScreen(Screen[None]):
    """The graded quiz: pass or fail, each category, every question's explanation."""

    CSS_PATH = "quiz.tcss"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,enter,q", "close", "Back to the lobby"),
    ]

    def __init__(self, result: QuizResult, *, elapsed: float, note: str = "") -> None:
        """Show ``result``; ``elapsed`` seconds taken; ``note`` says where it was recorded."""
        super().__init__()
        self.result = result
        self.elapsed = elapsed
        self.note = note

    def compose(self) -> ComposeResult:
        r = self.result
        verdict = "✔ PASSED" if r.passed else "✘ NOT PASSED"
        minutes, seconds = divmod(int(self.elapsed), 60)
        yield Label(
            f"Quiz results · {verdict} · {r.correct}/{r.total} ({r.score:.0%}; "
            f"{r.pass_mark:.0%} to pass) · {minutes:02d}:{seconds:02d}",
            id="result-title",
            classes="-passed" if r.passed else "-failed",
            markup=False,
        )
        with VerticalScroll(id="result-body"):
            yield Static(self._categories(), id="result-categories")
            yield Static(self.explanations(), id="result-questions")
            if self.note:
                yield Label(self.note, id="result-note", markup=False)
        yield KeyFooter(rows=1, narrow_rows=1)

    def _categories(self) -> Table:
        table = Table(title="By category", title_justify="left", expand=False)
        table.add_column("Category")
        table.add_column("Right", justify="right")
        table.add_column("Score", justify="right")
        table.add_column("")
        for c in self.result.categories:
            ok = c.score >= self.result.pass_mark
            table.add_row(
                Text(c.name),
                f"{c.correct}/{c.total}",
                f"{c.score:.0%}",
                "✔ on track" if ok else "✘ revise",
            )
        return table

    def explanations(self) -> Text:
        """Every question with its mark, the answers in the options' words, and why."""
        out = Text()
        out.append("\nEvery question, with why the answer is right\n", style="bold underline")
        for g in self.result.questions:
            q = g.question
            mark = "✔" if g.correct else "✘"
            out.append(f"\n{mark} {g.number}. ", style="bold")
            out.append(f"{q.prompt}\n")
            if not g.correct:
                out.append(f"   your answer: {said(q, g.given)}\n", style="italic")
            out.append(f"   right answer: {said(q, q.answer_keys)}\n")
            out.append(f"   why: {q.explanation}\n", style="dim")
        return out

    def action_close(self) -> None:
        """Back to the lobby."""
        self.dismiss(None)


def said(q: Question, keys: tuple[str, ...] | None) -> str:
    """An answer in the options' own words: one text, several joined by ``;``, or an order."""
    if not keys:
        return "(no answer)"
    texts = [q.choices.get(k, f"{k} (not an option)") for k in keys]
    if q.kind == "order":
        return " → ".join(f"{i}. {t}" for i, t in enumerate(texts, start=1))
    return "; ".join(texts)


def records_writer(
    db_path: Path | str | None, policy: Policy, trainee: str
) -> Callable[[QuizResult], str]:
    """A ``record`` callback that stores results in the records database."""
    from assessments.programme import record_quiz

    def record(result: QuizResult) -> str:
        return record_quiz(db_path, trainee, policy, result)

    return record
