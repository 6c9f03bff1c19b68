"""The certification quiz: the bank is sound, draws are seeded, grading meets the pass mark."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from assessments.policy import Policy, load_policy
from assessments.quiz import (
    Answer,
    AnswerFile,
    CategoryDraw,
    Question,
    QuestionBank,
    Quiz,
    QuizItem,
    bank_path,
    check_bank,
    draw_quiz,
    grade_quiz,
    load_answers,
    load_bank,
    render_answer_template,
    render_quiz,
    render_result,
)
from simulator.yamlio import LoadError


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy("default")


@pytest.fixture(scope="module")
def quiz(bank: QuestionBank, policy: Policy) -> Quiz:
    return draw_quiz(bank, policy, seed=42)


def _right(q: Question) -> Answer:
    return q.answer if isinstance(q.answer, str) else list(q.answer)


def _wrong(q: Question) -> Answer:
    if q.kind == "order":
        return list(reversed(q.answer_keys))
    wrong = next(k for k in q.choices if k not in q.answer_keys)
    return wrong if q.kind in ("single", "classify") else [wrong]


def _answers(quiz: Quiz, right: int) -> dict[str, Answer]:
    """The first ``right`` questions answered right, the rest wrong."""
    return {
        item.question.id: _right(item.question) if i < right else _wrong(item.question)
        for i, item in enumerate(quiz.items)
    }


# --------------------------------------------------------------------------- the bank


def test_the_packaged_bank_loads_without_problems(bank: QuestionBank) -> None:
    assert len(bank.questions) >= 60
    assert list(check_bank(bank)) == []


def test_every_category_holds_at_least_twice_what_a_quiz_draws(
    bank: QuestionBank, policy: Policy
) -> None:
    counts = Counter(q.category for q in bank.questions)
    for category in policy.certification_rules.quiz.categories:
        assert counts[category.id] >= 2 * category.questions, category.id


def test_every_kind_of_question_is_in_the_bank(bank: QuestionBank) -> None:
    kinds = Counter(q.kind for q in bank.questions)
    assert set(kinds) == {"single", "multi", "classify", "order"}
    assert kinds["classify"] >= 10


def test_exercise_2_1_scenarios_are_classify_questions(bank: QuestionBank) -> None:
    exercise = [q for q in bank.questions if "Exercise 2.1" in q.source]
    assert len(exercise) == 6
    assert [q.answer for q in exercise] == ["SEV-1", "SEV-2", "SEV-4", "SEV-1", "SEV-3", "SEV-3"]
    assert all(q.kind == "classify" for q in exercise)


def test_single_and_classify_questions_have_exactly_one_existing_answer(
    bank: QuestionBank,
) -> None:
    for q in bank.questions:
        if q.kind in ("single", "classify"):
            assert isinstance(q.answer, str), q.id
            assert q.answer in q.choices, q.id


def test_multi_questions_have_right_and_wrong_options(bank: QuestionBank) -> None:
    for q in bank.questions:
        if q.kind == "multi":
            assert 1 <= len(q.answer_keys) < len(q.choices), q.id


def test_order_answers_are_permutations_of_their_items(bank: QuestionBank) -> None:
    for q in bank.questions:
        if q.kind == "order":
            assert sorted(q.answer_keys) == sorted(q.choices), q.id


def test_every_question_has_an_explanation_and_a_cited_source(bank: QuestionBank) -> None:
    for q in bank.questions:
        assert q.explanation.strip() and q.source.strip(), q.id
        assert q.source.startswith(("training module", "on-call runbook")), q.id


def test_no_question_is_asked_twice(bank: QuestionBank) -> None:
    ids = [q.id for q in bank.questions]
    prompts = [" ".join(q.prompt.casefold().split()) for q in bank.questions]
    assert len(set(ids)) == len(ids)
    assert len(set(prompts)) == len(prompts)


def test_severity_questions_use_the_training_modules_scale(bank: QuestionBank) -> None:
    for q in bank.questions:
        if q.kind == "classify":
            assert list(q.choices) == ["SEV-1", "SEV-2", "SEV-3", "SEV-4"], q.id


def test_a_broken_bank_reports_each_problem_where_it_is(tmp_path: Path) -> None:
    data = yaml.safe_load(bank_path().read_text(encoding="utf-8"))
    qs = data["questions"]
    qs[1]["id"] = qs[0]["id"]
    qs[2]["prompt"] = qs[0]["prompt"]
    qs[3]["answer"] = "SEV-9"
    qs[4]["answer"] = ["SEV-1", "SEV-2"]
    multi = next(i for i, q in enumerate(qs) if q["kind"] == "multi")
    qs[multi]["answer"] = []
    order = next(i for i, q in enumerate(qs) if q["kind"] == "order")
    qs[order]["answer"] = qs[order]["answer"][:-1]
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_bank(path)
    problems = [str(p) for p in info.value.problems]
    assert all(re.match(rf"^{re.escape(str(path))}:\d+:\d+: error: ", p) for p in problems)
    text = "\n".join(problems)
    assert "questions[1].id: duplicate id" in text
    assert "questions[2].prompt: same prompt as questions[0]" in text
    assert "questions[3].answer: 'SEV-9' is not an option" in text
    assert "questions[4].answer: a classify question has exactly one answer" in text
    assert f"questions[{multi}].answer: a multi question has at least one answer" in text
    assert f"questions[{order}].answer: the order must list every item once" in text
    assert len(problems) == 6


def test_every_field_of_the_bank_and_answer_formats_is_documented() -> None:
    for model in (QuestionBank, AnswerFile):
        schema = model.model_json_schema()
        for name, definition in [("", schema), *schema.get("$defs", {}).items()]:
            for field, spec in definition.get("properties", {}).items():
                assert spec.get("description"), f"{model.__name__}{name}.{field}"


# --------------------------------------------------------------------------- drawing


def test_a_quiz_draws_the_policys_count_per_category(quiz: Quiz, policy: Policy) -> None:
    wanted = {c.id: c.questions for c in policy.certification_rules.quiz.categories}
    drawn = Counter(item.question.category for item in quiz.items)
    assert dict(drawn) == wanted
    assert len(quiz.items) == 30
    assert [item.number for item in quiz.items] == list(range(1, 31))
    assert len(set(quiz.question_ids)) == 30


def test_questions_are_grouped_by_category_in_the_policys_order(quiz: Quiz) -> None:
    order = [item.question.category for item in quiz.items]
    assert order == sorted(
        order, key=["severity", "escalation", "ic", "communication", "tools"].index
    )


def test_the_same_seed_draws_the_same_quiz(bank: QuestionBank, policy: Policy) -> None:
    assert draw_quiz(bank, policy, 7) == draw_quiz(bank, policy, 7)
    assert render_quiz(draw_quiz(bank, policy, 7)) == render_quiz(draw_quiz(bank, policy, 7))


def test_different_seeds_draw_different_quizzes(bank: QuestionBank, policy: Policy) -> None:
    draws = {draw_quiz(bank, policy, seed).question_ids for seed in range(20)}
    assert len(draws) == 20
    assert draw_quiz(bank, policy, 1).question_ids != draw_quiz(bank, policy, 2).question_ids


def test_options_are_shuffled_but_keys_stay_the_banks(bank: QuestionBank, policy: Policy) -> None:
    shuffled = 0
    for seed in range(5):
        for item in draw_quiz(bank, policy, seed).items:
            q = item.question
            assert sorted(item.shown) == sorted(q.choices)
            if q.kind == "classify":
                assert item.shown == tuple(q.choices)
            shuffled += item.shown != tuple(q.choices)
    assert shuffled > 0


def test_an_order_question_is_never_shown_already_in_order(
    bank: QuestionBank, policy: Policy
) -> None:
    for seed in range(40):
        for item in draw_quiz(bank, policy, seed).items:
            if item.question.kind == "order":
                assert item.shown != item.question.answer_keys


def test_every_policy_draws_the_training_modules_quiz(bank: QuestionBank) -> None:
    for name in ("agentos", "nexus"):
        assert len(draw_quiz(bank, load_policy(name), 3).items) == 30


def test_a_bank_too_small_for_the_policy_is_an_error(bank: QuestionBank, policy: Policy) -> None:
    small = bank.model_copy(update={"questions": bank.questions[:5]})
    with pytest.raises(ValueError, match="'severity' questions"):
        draw_quiz(small, policy, 1)


# --------------------------------------------------------------------------- grading


def test_a_perfect_answer_file_scores_full_marks(quiz: Quiz, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    answers = {item.question.id: _right(item.question) for item in quiz.items}
    path.write_text(yaml.safe_dump({"trainee": "Ana", "answers": answers}), encoding="utf-8")
    loaded = load_answers(path)
    result = grade_quiz(quiz, loaded.answers, trainee=loaded.trainee)
    assert (result.correct, result.total, result.score, result.passed) == (30, 30, 1.0, True)
    assert all(c.correct == c.total for c in result.categories)
    assert result.trainee == "Ana"


def test_a_failing_answer_file_fails_and_explains_every_wrong_answer(quiz: Quiz) -> None:
    result = grade_quiz(quiz, _answers(quiz, right=10))
    assert (result.correct, result.passed) == (10, False)
    wrong = [q for q in result.questions if not q.correct]
    assert len(wrong) == 20
    assert all(q.question.explanation for q in wrong)
    text = render_result(result)
    assert "NOT PASSED: 10/30" in text
    for q in wrong:
        assert f"[{q.question.id}]" in text


def test_unanswered_questions_count_as_wrong(quiz: Quiz) -> None:
    half = {item.question.id: _right(item.question) for item in quiz.items[:15]}
    half[quiz.items[15].question.id] = ""
    half[quiz.items[16].question.id] = []
    result = grade_quiz(quiz, half)
    assert result.correct == 15
    unanswered = [q for q in result.questions if q.given is None]
    assert len(unanswered) == 15
    assert result.to_dict()["questions"][20]["given"] is None


def test_exactly_the_pass_mark_passes(quiz: Quiz) -> None:
    result = grade_quiz(quiz, _answers(quiz, right=24))
    assert result.correct == 24 and result.passed


def test_one_below_the_pass_mark_fails(quiz: Quiz) -> None:
    result = grade_quiz(quiz, _answers(quiz, right=23))
    assert result.correct == 23 and not result.passed


def test_per_category_scores_add_up(quiz: Quiz) -> None:
    result = grade_quiz(quiz, _answers(quiz, right=12))
    scores = {c.id: (c.correct, c.total) for c in result.categories}
    assert scores == {
        "severity": (10, 10),
        "escalation": (2, 5),
        "ic": (0, 5),
        "communication": (0, 5),
        "tools": (0, 5),
    }


def test_multi_select_answers_match_in_any_order_and_keys_ignore_case(quiz: Quiz) -> None:
    answers: dict[str, Answer] = {}
    for item in quiz.items:
        q = item.question
        if q.kind == "multi":
            answers[q.id] = [k.upper() for k in reversed(q.answer_keys)]
        elif q.kind == "classify":
            answers[q.id] = str(q.answer).lower()
        else:
            answers[q.id] = _right(q)
    assert grade_quiz(quiz, answers).correct == 30


def test_a_multi_select_answer_missing_one_right_option_is_wrong(bank: QuestionBank) -> None:
    multi = next(q for q in bank.questions if q.kind == "multi" and len(q.answer_keys) > 1)
    quiz = Quiz(
        0,
        "default",
        0.8,
        (CategoryDraw(multi.category, "x", 1),),
        (QuizItem(1, multi, tuple(multi.choices)),),
    )
    assert not grade_quiz(quiz, {multi.id: list(multi.answer_keys[:-1])}).passed
    assert grade_quiz(quiz, {multi.id: list(multi.answer_keys)}).passed


def test_answers_to_questions_not_in_the_quiz_are_set_aside(quiz: Quiz) -> None:
    result = grade_quiz(quiz, {"not-a-question": "a"})
    assert result.unknown == ("not-a-question",)
    assert result.correct == 0


def test_the_result_is_json_ready(quiz: Quiz) -> None:
    data = grade_quiz(quiz, _answers(quiz, right=24)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {"seed", "policy", "score", "passed", "pass_mark", "categories", "questions"} <= set(
        data
    )
    assert data["seed"] == 42 and data["policy"] == "default"
    assert data["score"] == 0.8 and data["passed"] is True and data["pass_mark"] == 0.8
    assert set(data["categories"][0]) >= {"id", "correct", "total", "score"}
    assert set(data["questions"][0]) >= {
        "id",
        "category",
        "correct",
        "given",
        "answer",
        "explanation",
    }


def test_an_answer_file_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("trainee: Ana\nanswer:\n  sev-ex21-api-503: SEV-1\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_answers(path)
    assert "unknown key 'answer'" in str(info.value)


# --------------------------------------------------------------------------- rendering


def test_the_printed_quiz_numbers_questions_and_shows_no_answers(quiz: Quiz) -> None:
    text = render_quiz(quiz)
    assert "policy default, seed 42" in text
    for item in quiz.items:
        assert f"\n{item.number}. " in text
        assert f"({item.question.id})" in text
        assert item.question.explanation not in text
    assert "answer:" not in text.lower().replace("answer in a yaml", "")


def test_the_answer_template_loads_as_an_empty_answer_file(quiz: Quiz, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(render_answer_template(quiz, trainee='Ana "the" IC'), encoding="utf-8")
    loaded = load_answers(path)
    assert loaded.seed == 42 and loaded.trainee == 'Ana "the" IC'
    assert list(loaded.answers) == list(quiz.question_ids)
    assert grade_quiz(quiz, loaded.answers).correct == 0


def test_the_printed_result_has_a_table_per_category(quiz: Quiz) -> None:
    text = render_result(grade_quiz(quiz, _answers(quiz, right=30), trainee="Ana"))
    assert "PASSED: 30/30 (100%)" in text
    for name in ("Severity classification", "Escalation procedures", "Tool usage", "Total"):
        assert name in text
    assert "Wrong or unanswered" not in text
