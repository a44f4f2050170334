"""The two real courses are complete: every module published, valid, in nl and en."""

from __future__ import annotations

from course_content.loader import check_content, load_catalog
from course_content.markdown import count_words


def test_real_content_has_no_problems():
    assert [str(p) for p in check_content()] == []


def test_both_courses_are_complete_and_published():
    courses = load_catalog().courses
    library_basics = courses["library-basics"]
    licence = courses["licence-negotiation"]
    assert 12 <= len(library_basics.published_modules) == len(library_basics.modules) <= 16
    assert len(licence.published_modules) == len(licence.modules) == 7
    assert library_basics.shadow_days_required == 2
    assert licence.shadow_days_required == 0


def test_every_module_is_a_real_text_in_both_languages():
    for course in load_catalog().courses.values():
        for module in course.modules:
            for lang in ("nl", "en"):
                assert 700 <= count_words(module.body.get(lang)) <= 1800, (module.slug, lang)
                assert module.objectives.get(lang), (module.slug, lang)
            assert module.body.nl != module.body.en
            assert module.quiz is not None or module.scenario is not None, module.slug
            if module.quiz is not None:
                assert len(module.quiz.questions) >= 5
                assert any(q.is_numeric for q in module.quiz.questions), module.slug
            assert module.sources and all(s.url.startswith(("https://", "http://")) for s in module.sources)
            assert all(s.date for s in module.sources), module.slug
            assert module.last_checked and len(module.reflection) == 2 and module.ask_your_host


def test_every_course_states_one_pass_mark():
    for course in load_catalog().courses.values():
        assert 1 <= course.pass_mark <= 100
        for module in course.modules:
            assert module.quiz is None or module.quiz.pass_mark == course.pass_mark
