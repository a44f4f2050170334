"""course.yaml's reveal_answers, and quiz percentages rounded half up."""

from __future__ import annotations

import shutil
from pathlib import Path

from course_content.loader import check_content, load_catalog
from course_content.models import Question, Quiz, LocalizedText, percent_of, right_needed

GOOD = Path(__file__).parent / "fixtures" / "good"


def _course_yaml(tmp_path, extra: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    course = root / "mini" / "course.yaml"
    course.write_text(course.read_text() + extra)
    return root


def test_answers_are_held_back_until_passed_by_default():
    # Every course leads to a certificate, so the default is after_pass.
    assert load_catalog(GOOD).courses["mini"].reveal_answers == "after_pass"
    assert load_catalog().courses["library-basics"].reveal_answers == "after_pass"


def test_a_course_may_always_show_the_right_answers(tmp_path):
    root = _course_yaml(tmp_path, "reveal_answers: always\n")
    assert check_content(root) == []
    assert load_catalog(root).courses["mini"].reveal_answers == "always"


def test_an_unknown_reveal_answers_value_is_reported(tmp_path):
    root = _course_yaml(tmp_path, "reveal_answers: never\n")
    assert [p.message for p in check_content(root)] == [
        "reveal_answers: 'never' is not one of after_pass, always"
    ]


def test_percent_rounds_half_up():
    assert percent_of(4, 6) == 67  # was shown as 66
    assert percent_of(1, 8) == 13  # 12.5
    assert percent_of(1, 3) == 33
    assert percent_of(2, 3) == 67
    assert percent_of(0, 5) == 0 and percent_of(5, 5) == 100 and percent_of(0, 0) == 0


def _quiz(questions: int, pass_mark: int) -> Quiz:
    text = LocalizedText("v", "q")
    return Quiz(pass_mark=pass_mark, questions=tuple(
        Question(id=f"q{i}", text=text, multiple=False, options=(), correct=frozenset({"a"}),
                 explanation=text) for i in range(questions)))


def test_the_pass_check_compares_the_exact_fraction_not_the_rounded_percent():
    quiz = _quiz(3, 67)
    two_right = {"q0": ["a"], "q1": ["a"], "q2": ["b"]}
    result = quiz.score(two_right)
    assert (result.percent, result.passed) == (67, False)  # 66.7% < 67%
    assert right_needed(67, 3) == 3 and right_needed(70, 6) == 5 and right_needed(80, 5) == 4
    assert _quiz(6, 66).score({f"q{i}": ["a"] for i in range(4)}).passed is True  # 66.7 >= 66
