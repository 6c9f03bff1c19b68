"""The certification quiz: a question bank, seeded draws, grading and plain-text rendering.

The bank (``assessments/quiz_bank.yaml``) holds questions in the categories of the training
module's written assessment, each with the seed passage it tests and an explanation shown after
grading. ``draw_quiz`` draws as many questions per category as the policy in force asks for,
from one ``random.Random(seed)``: the same seed always gives the same quiz, options in the same
order. ``grade_quiz`` marks an answer file against the policy's pass mark.

Option and item keys (``a``, ``b``, ``SEV-1``, ``detect``) belong to the bank and never change;
only the order they are shown in is shuffled. This module must not import the TUI, Textual or
Rich, and must not touch trainee records (the records module stores results).

Why one module of about 600 lines: the bank's format, the draw and the grading share the
question model and its answer kinds; each part alone is a page.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from assessments.policy import Loc, Policy, QuizCategory
from simulator import yamlio
from simulator.strict import Strict

Kind = Literal["single", "multi", "classify", "order"]
"""``single``: one answer of several; ``multi``: every right answer; ``classify``: the
severity of a situation; ``order``: put the steps in order."""

OptionKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
Answer = str | Sequence[str]
"""A given answer: one key (``"b"``), several (``["a", "c"]``) or an order of item keys."""

WIDTH = 88
"""Width the text renderings wrap at."""


class Question(Strict):
    """One question of the bank."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    """Stable id; answer files key answers by it."""
    category: QuizCategory
    """``severity``, ``escalation``, ``ic``, ``communication`` or ``tools``."""
    kind: Kind
    """``single``, ``multi``, ``classify`` or ``order``."""
    prompt: Annotated[str, Field(min_length=10, max_length=2000)]
    """The question."""
    options: dict[OptionKey, Annotated[str, Field(min_length=1, max_length=400)]] | None = None
    """Key → text, for ``single``, ``multi`` and ``classify`` (keys of a classify question
    are the levels, e.g. ``SEV-1``)."""
    items: dict[OptionKey, Annotated[str, Field(min_length=1, max_length=400)]] | None = None
    """Key → text of the steps to order, for ``order``."""
    answer: OptionKey | tuple[OptionKey, ...]
    """The right answer: one key (``single``, ``classify``), a list of keys (``multi``) or
    every item key in the right order (``order``)."""
    explanation: Annotated[str, Field(min_length=10, max_length=2000)]
    """Why the answer is right, shown after grading."""
    source: Annotated[str, Field(min_length=10, max_length=400)]
    """The seed passage the question tests, cited precisely (document, section, line)."""

    @property
    def answer_keys(self) -> tuple[str, ...]:
        """The answer as a tuple of keys (one for single and classify)."""
        return (self.answer,) if isinstance(self.answer, str) else self.answer

    @property
    def choices(self) -> dict[str, str]:
        """Options, or items for an ``order`` question."""
        return dict(self.options or self.items or {})


class QuestionBank(Strict):
    """A bank of quiz questions."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    """What the bank covers."""
    questions: tuple[Question, ...] = Field(min_length=1)
    """Every question."""

    def by_category(self) -> dict[str, list[Question]]:
        """Questions per category, in bank order."""
        out: dict[str, list[Question]] = {}
        for q in self.questions:
            out.setdefault(q.category, []).append(q)
        return out

    def question(self, question_id: str) -> Question:
        """The question with ``question_id``.

        Raises:
            KeyError: when the bank has no such question.
        """
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"no question {question_id!r} in the bank")


class AnswerFile(Strict):
    """A trainee's answers: ``answers: {question_id: "b" | ["a", "c"] | [...]}``."""

    trainee: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    """The trainee's name."""
    seed: int | None = None
    """The seed of the quiz these answers are for, when the file says."""
    policy: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """The policy of the quiz these answers are for, when the file says."""
    answers: dict[
        Annotated[str, Field(min_length=1, max_length=64)],
        Annotated[str, Field(max_length=64)] | list[Annotated[str, Field(max_length=64)]] | None,
    ] = Field(default_factory=dict)
    """Question id → key, list of keys, or ``null``/empty for unanswered."""


# --------------------------------------------------------------------------- checks


def check_bank(bank: QuestionBank) -> Iterator[tuple[Loc, str]]:
    """Problems of a bank, each with the location of the offending value.

    Unique ids; no duplicate prompts; options for single/multi/classify and items for order;
    answers that name existing options; exactly one answer for single and classify, at least
    one for multi; an order answer that is a permutation of the items.
    """
    ids: dict[str, int] = {}
    prompts: dict[str, int] = {}
    for i, q in enumerate(bank.questions):
        here: Loc = ("questions", i)
        if q.id in ids:
            yield (*here, "id"), f"duplicate id {q.id!r} (also questions[{ids[q.id]}])"
        ids.setdefault(q.id, i)
        prompt = _normal(q.prompt)
        if prompt in prompts:
            yield (*here, "prompt"), f"same prompt as questions[{prompts[prompt]}]"
        prompts.setdefault(prompt, i)
        yield from _check_question(q, here)


def _check_question(q: Question, here: Loc) -> Iterator[tuple[Loc, str]]:
    wanted, other = ("items", "options") if q.kind == "order" else ("options", "items")
    choices: dict[str, str] | None = getattr(q, wanted)
    if getattr(q, other) is not None:
        yield (*here, other), f"a {q.kind} question has {wanted}, not {other}"
    if choices is None:
        yield here, f"a {q.kind} question needs {wanted}"
        return
    if len(choices) < 2:
        yield (*here, wanted), f"give at least two {wanted}"
    texts: dict[str, str] = {}
    for key, text in choices.items():
        norm = _normal(text)
        if norm in texts:
            yield (*here, wanted, key), f"same text as {texts[norm]!r}"
        texts.setdefault(norm, key)
    answer = q.answer
    if q.kind in ("single", "classify"):
        if not isinstance(answer, str):
            yield (*here, "answer"), f"a {q.kind} question has exactly one answer: write one key"
            return
        if answer not in choices:
            yield (*here, "answer"), f"{answer!r} is not an option ({_keys(choices)})"
        return
    if isinstance(answer, str):
        yield (*here, "answer"), f"a {q.kind} question's answer is a list of keys"
        return
    for j, key in enumerate(answer):
        if key not in choices:
            yield (*here, "answer", j), f"{key!r} is not one of the {wanted} ({_keys(choices)})"
        elif key in answer[:j]:
            yield (*here, "answer", j), f"{key!r} is listed twice"
    if q.kind == "multi":
        if not answer:
            yield (*here, "answer"), "a multi question has at least one answer"
        elif len(set(answer)) == len(choices):
            yield (*here, "answer"), "every option is right: add a wrong one"
    elif q.kind == "order" and set(answer) != set(choices):
        missing = ", ".join(repr(k) for k in choices if k not in answer)
        yield (*here, "answer"), f"the order must list every item once (missing: {missing})"


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _keys(choices: Mapping[str, str]) -> str:
    return ", ".join(choices)


# --------------------------------------------------------------------------- loading


def bank_path() -> Path:
    """The packaged question bank."""
    return Path(str(resources.files("assessments").joinpath("quiz_bank.yaml")))


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """Load and check a question bank (the packaged one by default).

    Raises:
        simulator.yamlio.LoadError: when the file is invalid.
    """
    return yamlio.load(bank_path() if path is None else path, QuestionBank, checks=check_bank)


def load_answers(path: str | Path) -> AnswerFile:
    """Load an answer file.

    Raises:
        simulator.yamlio.LoadError: when the file is invalid.
    """
    return yamlio.load(path, AnswerFile)


# --------------------------------------------------------------------------- drawing


@dataclass(frozen=True)
class QuizItem:
    """One question as presented in a quiz."""

    number: int
    """1-based position in the quiz."""
    question: Question
    """The bank question."""
    shown: tuple[str, ...]
    """Option (or item) keys in the order shown."""


@dataclass(frozen=True)
class CategoryDraw:
    """One category of a drawn quiz."""

    id: str
    """Category id."""
    name: str
    """Category name as the policy states it."""
    count: int
    """Questions drawn."""


@dataclass(frozen=True)
class Quiz:
    """A drawn quiz: the questions in order, for one seed under one policy."""

    seed: int
    """The seed it was drawn with."""
    policy: str
    """The policy id whose certification rules it follows."""
    pass_mark: float
    """Fraction needed to pass."""
    categories: tuple[CategoryDraw, ...]
    """Categories in the order asked."""
    items: tuple[QuizItem, ...]
    """Questions in the order asked, grouped by category."""

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Question ids in order."""
        return tuple(item.question.id for item in self.items)

    def item(self, question_id: str) -> QuizItem:
        """The quiz item for ``question_id``.

        Raises:
            KeyError: when the question is not in this quiz.
        """
        for item in self.items:
            if item.question.id == question_id:
                return item
        raise KeyError(f"question {question_id!r} is not in this quiz")


def draw_quiz(bank: QuestionBank, policy: Policy, seed: int) -> Quiz:
    """Draw a quiz per the policy's certification categories.

    Questions are drawn without replacement per category from one ``random.Random(seed)``;
    option order is shuffled too (except for ``classify``, whose options keep the scale's
    order); an ``order`` question never shows its items already in the right order.

    Raises:
        ValueError: when the bank has too few questions in a category.
    """
    rules = policy.certification_rules.quiz
    pool = bank.by_category()
    rng = random.Random(seed)
    categories: list[CategoryDraw] = []
    items: list[QuizItem] = []
    for spec in rules.categories:
        available = pool.get(spec.id, [])
        if len(available) < spec.questions:
            raise ValueError(
                f"the bank has {len(available)} {spec.id!r} questions; "
                f"policy {policy.id!r} draws {spec.questions}"
            )
        categories.append(CategoryDraw(spec.id, spec.name, spec.questions))
        for q in rng.sample(available, spec.questions):
            items.append(QuizItem(len(items) + 1, q, _presentation(q, rng)))
    return Quiz(seed, policy.id, rules.pass_mark, tuple(categories), tuple(items))


def _presentation(q: Question, rng: random.Random) -> tuple[str, ...]:
    keys = list(q.choices)
    if q.kind == "classify":
        return tuple(keys)
    rng.shuffle(keys)
    if q.kind == "order" and tuple(keys) == q.answer_keys:
        keys = keys[1:] + keys[:1]
    return tuple(keys)


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class CategoryScore:
    """The result of one category."""

    id: str
    """Category id."""
    name: str
    """Category name."""
    correct: int
    """Questions answered correctly."""
    total: int
    """Questions asked."""

    @property
    def score(self) -> float:
        """Fraction correct."""
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class GradedQuestion:
    """One question's result."""

    number: int
    """Position in the quiz."""
    question: Question
    """The bank question."""
    given: tuple[str, ...] | None
    """The answer given (keys), ``None`` when unanswered."""
    correct: bool
    """Whether it was right."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        q = self.question
        return {
            "id": q.id,
            "number": self.number,
            "category": q.category,
            "kind": q.kind,
            "correct": self.correct,
            "given": _answer_json(q, self.given),
            "answer": _answer_json(q, q.answer_keys),
            "explanation": q.explanation,
            "source": q.source,
        }


@dataclass(frozen=True)
class QuizResult:
    """A graded quiz."""

    seed: int
    """The quiz's seed."""
    policy: str
    """The policy whose pass mark applies."""
    pass_mark: float
    """Fraction needed to pass."""
    categories: tuple[CategoryScore, ...]
    """Per-category results, in quiz order."""
    questions: tuple[GradedQuestion, ...]
    """Per-question results, in quiz order."""
    unknown: tuple[str, ...] = ()
    """Answered question ids that are not in the quiz (ignored)."""
    trainee: str | None = None
    """The trainee, when known."""

    @property
    def correct(self) -> int:
        """Questions answered correctly."""
        return sum(q.correct for q in self.questions)

    @property
    def total(self) -> int:
        """Questions asked."""
        return len(self.questions)

    @property
    def score(self) -> float:
        """Fraction correct."""
        return self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        """Whether the score reaches the pass mark (compared exactly: 24/30 meets 0.8)."""
        if not self.total:
            return False
        return Fraction(self.correct, self.total) >= Fraction(repr(self.pass_mark))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {
            "seed": self.seed,
            "policy": self.policy,
            "trainee": self.trainee,
            "score": round(self.score, 4),
            "correct": self.correct,
            "total": self.total,
            "passed": self.passed,
            "pass_mark": self.pass_mark,
            "categories": [
                {
                    "id": c.id,
                    "name": c.name,
                    "correct": c.correct,
                    "total": c.total,
                    "score": round(c.score, 4),
                }
                for c in self.categories
            ],
            "questions": [q.to_dict() for q in self.questions],
            "unknown": list(self.unknown),
        }


def grade_quiz(
    quiz: Quiz, answers: Mapping[str, Answer | None], *, trainee: str | None = None
) -> QuizResult:
    """Mark answers against a quiz.

    Unanswered questions are wrong. Keys match case-insensitively (``sev-1`` is ``SEV-1``);
    a multi-select answer is right when it names exactly the right options, in any order; an
    order answer must list every item in the right order.

    Args:
        quiz: The drawn quiz.
        answers: question id → key, list of keys, or ``None``.
        trainee: Who answered, for the result.
    """
    graded: list[GradedQuestion] = []
    for item in quiz.items:
        given = _normalise(item.question, answers.get(item.question.id))
        graded.append(GradedQuestion(item.number, item.question, given, _is_right(item, given)))
    scores = []
    for cat in quiz.categories:
        mine = [g for g in graded if g.question.category == cat.id]
        scores.append(CategoryScore(cat.id, cat.name, sum(g.correct for g in mine), len(mine)))
    asked = set(quiz.question_ids)
    unknown = tuple(sorted(k for k in answers if k not in asked))
    return QuizResult(
        quiz.seed, quiz.policy, quiz.pass_mark, tuple(scores), tuple(graded), unknown, trainee
    )


def _normalise(q: Question, given: Answer | None) -> tuple[str, ...] | None:
    if given is None:
        return None
    raw = [given] if isinstance(given, str) else list(given)
    canonical = {k.casefold(): k for k in q.choices}
    keys = tuple(canonical.get(str(k).strip().casefold(), str(k).strip()) for k in raw)
    keys = tuple(k for k in keys if k)
    return keys or None


def _is_right(item: QuizItem, given: tuple[str, ...] | None) -> bool:
    if given is None:
        return False
    q = item.question
    if q.kind == "multi":
        return set(given) == set(q.answer_keys)
    return given == q.answer_keys


def _answer_json(q: Question, keys: tuple[str, ...] | None) -> str | list[str] | None:
    if keys is None:
        return None
    if q.kind in ("single", "classify") and len(keys) == 1:
        return keys[0]
    return list(keys)


# --------------------------------------------------------------------------- rendering


_HINT = {
    "single": "Choose one.",
    "classify": "Classify: choose one level.",
    "multi": "Choose all that apply.",
    "order": "Put in order: list every key, first step first.",
}


def render_quiz(quiz: Quiz) -> str:
    """The quiz as plain text: numbered questions with their options, no answers."""
    total = len(quiz.items)
    needed = _needed(quiz.pass_mark, total)
    lines = [
        f"Certification quiz — policy {quiz.policy}, seed {quiz.seed}",
        f"{total} questions; pass mark {quiz.pass_mark:.0%} ({needed} of {total} correct).",
        "Severity questions use the training module's SEV-1..SEV-4 scale.",
        "Answer in a YAML file keyed by question id, for example:",
        "  answers:",
        '    some-question: "b"            # one key',
        '    another-question: ["a", "c"]  # all that apply, or the order of steps',
    ]
    by_category: dict[str, list[QuizItem]] = {}
    for item in quiz.items:
        by_category.setdefault(item.question.category, []).append(item)
    for cat in quiz.categories:
        lines += ["", f"== {cat.name} ({cat.count}) =="]
        for item in by_category.get(cat.id, []):
            lines += ["", *_question_lines(item)]
    return "\n".join(lines) + "\n"


def _question_lines(item: QuizItem) -> list[str]:
    q = item.question
    head = f"{item.number}. "
    indent = " " * max(4, len(head))
    out = _wrap(q.prompt, WIDTH, initial_indent=head.ljust(len(indent)), subsequent_indent=indent)
    out.append(f"{indent}({q.id}) {_HINT[q.kind]}")
    choices = q.choices
    width = max(len(k) for k in item.shown)
    for key in item.shown:
        label = f"{indent}  {key.rjust(width)}) "
        out += _wrap(choices[key], WIDTH, initial_indent=label, subsequent_indent=" " * len(label))
    return out


def render_answer_template(quiz: Quiz, *, trainee: str | None = None) -> str:
    """A YAML answer file to fill in, one line per question, in quiz order."""
    lines = [f"# Answers for the quiz drawn with seed {quiz.seed} under policy {quiz.policy}."]
    if trainee is not None:
        lines.append(f"trainee: {_yaml_str(trainee)}")
    lines += [f"seed: {quiz.seed}", f"policy: {quiz.policy}", "answers:"]
    for item in quiz.items:
        q = item.question
        blank = '""' if q.kind in ("single", "classify") else "[]"
        lines.append(f"  {q.id}: {blank}  # {item.number}. {_HINT[q.kind]}")
    return "\n".join(lines) + "\n"


def _wrap(
    text: str, width: int, initial_indent: str = "", subsequent_indent: str = ""
) -> list[str]:
    return textwrap.wrap(
        text,
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_result(result: QuizResult) -> str:
    """A graded quiz as plain text: a table per category, then each wrong answer explained."""
    verdict = "PASSED" if result.passed else "NOT PASSED"
    who = f" — {result.trainee}" if result.trainee else ""
    needed = _needed(result.pass_mark, result.total)
    lines = [
        f"Certification quiz — policy {result.policy}, seed {result.seed}{who}",
        f"{verdict}: {result.correct}/{result.total} ({result.score:.0%}); "
        f"pass mark {result.pass_mark:.0%} ({needed} of {result.total})",
        "",
    ]
    name_width = max([len("Category"), *(len(c.name) for c in result.categories)])
    lines.append(f"{'Category'.ljust(name_width)}  Correct  Score")
    lines.append(f"{'-' * name_width}  -------  -----")
    for c in result.categories:
        lines.append(f"{c.name.ljust(name_width)}  {f'{c.correct}/{c.total}':>7}  {c.score:>5.0%}")
    lines.append(
        f"{'Total'.ljust(name_width)}  {f'{result.correct}/{result.total}':>7}  "
        f"{result.score:>5.0%}"
    )
    wrong = [g for g in result.questions if not g.correct]
    if wrong:
        lines += ["", f"Wrong or unanswered ({len(wrong)}):"]
        for g in wrong:
            q = g.question
            lines += [
                "",
                *_wrap(f"{g.number}. [{q.id}] {q.prompt}", WIDTH, subsequent_indent="   "),
            ]
            lines.append(f"   Your answer: {_describe(q, g.given)}")
            lines.append(f"   Right answer: {_describe(q, q.answer_keys)}")
            lines += _wrap(
                q.explanation, WIDTH, initial_indent="   Why: ", subsequent_indent="        "
            )
            lines += _wrap(
                q.source, WIDTH, initial_indent="   Source: ", subsequent_indent="           "
            )
    if result.unknown:
        lines += ["", "Ignored answers to questions not in this quiz: " + ", ".join(result.unknown)]
    return "\n".join(lines) + "\n"


def _describe(q: Question, keys: tuple[str, ...] | None) -> str:
    if not keys:
        return "(none)"
    choices = q.choices
    parts = [f"{k}) {choices[k]}" if k in choices else f"{k} (not an option)" for k in keys]
    return " → ".join(parts) if q.kind == "order" else "; ".join(parts)


def _needed(pass_mark: float, total: int) -> int:
    mark = Fraction(repr(pass_mark)) * total
    return int(mark) + (0 if mark.denominator == 1 else 1)
