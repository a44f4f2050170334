"""Parts of a module page that are the same for every learner, rendered once.

A module's text, its quiz questions (before any answer is given), its sources
and the links around it depend only on the module's content version and the
page's language: rendering them on every page view was most of the module
page's template time. How parts are cached: `lti_app/page_cache.py`.
"""

from __future__ import annotations

from flask import get_template_attribute, render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from course_content.models import Course, CourseModule

from ..page_cache import cached_answer_part, cached_part, fill_slots, page_language, slot
from ..templating import format_date


def module_part(template: str, module: CourseModule, *, cacheable: bool = True,
                variant: str = "", **context) -> Markup:
    """`template` rendered for `module` in this request's language (`lang`)."""
    if not cacheable:
        return Markup(render_template(template, module=module, lang=page_language(),
                                      **context))
    return cached_part(template, (module.course_slug, module.slug, module.version, variant),
                       module=module, **context)


def quiz_section(module: CourseModule, *, submission_id: str, answers, missing) -> Markup:
    """The quiz: cached with slots for its hidden fields until a refused
    submission marks answers (then rendered for this learner alone)."""
    questions = module_part("learning/_quiz_questions.html", module,
                            cacheable=not answers and not missing,
                            answers=answers, missing=missing)
    own = {"csrf": generate_csrf(), "submission": submission_id}
    if answers or missing:
        return module_part("learning/_quiz_section.html", module, cacheable=False,
                           quiz_questions=questions, missing=missing,
                           slot=lambda kind, _key="": own[kind])
    part = module_part("learning/_quiz_section.html", module, quiz_questions=questions,
                       missing=[], slot=slot)
    return fill_slots(part, lambda kind, _key: own[kind])


def reflection_section(module: CourseModule, reflections) -> Markup:
    """The reflection prompts, cached; the learner's own answers (`reflections`,
    by prompt id) and when each was saved put into the part's slots."""
    part = module_part("learning/_reflection_section.html", module, slot=slot)
    saved = get_template_attribute("learning/_reflection_saved.html", "saved")
    token = generate_csrf()

    def fill(kind: str, prompt_id: str):
        if kind == "csrf":
            return token
        answer = reflections.get(prompt_id)
        if answer is None:
            return ""
        return answer.text if kind == "text" else Markup(saved(format_date(answer.updated_at)))

    return fill_slots(part, fill)


_FEEDBACK = "learning/_quiz_feedback_item.html"


def quiz_feedback(module: CourseModule, answers: dict, *, reveal: bool) -> list[Markup]:
    """Each question's feedback on an attempt's `answers`, cached by all that it
    shows: right or not, the module's own options chosen (a tampered id adds no
    variant) and how many ids were sent; a typed number goes into a slot."""
    items = []
    for q in module.quiz.questions:
        given = answers.get(q.id, [])
        right = q.is_answered_correctly(given)
        key = (module.course_slug, module.slug, module.version, q.id, reveal, right)
        if q.is_numeric:
            part = cached_answer_part(_FEEDBACK, (*key, bool(given)), q=q, right=right,
                                      reveal=reveal, given=[slot("given")] if given else [])
            items.append(fill_slots(part, lambda _kind, _key, typed=given[:1]: typed[0]))
        else:
            chosen = tuple(option.id for option in q.options if option.id in given)
            items.append(cached_answer_part(_FEEDBACK, (*key, chosen, len(given)), q=q,
                                            right=right, reveal=reveal, given=given))
    return items


def module_page_parts(course: Course, module: CourseModule, *, submission_id: str,
                      reflections, answers=None, missing=()) -> dict[str, Markup | None]:
    """Every cached part of a module page, as the page and the warm-up ask for them."""
    published = course.published_modules
    place = published.index(module) if module in published else None
    around = dict(
        course=course, place=place, published=published,
        previous_module=published[place - 1] if place else None,
        following_module=(published[place + 1]
                          if place is not None and place + 1 < len(published) else None),
    )
    return dict(
        nav_top=module_part("learning/_module_nav.html", module, variant="top",
                            where="top", **around),
        nav_bottom=module_part("learning/_module_nav.html", module, variant="bottom",
                               where="bottom", **around),
        module_text=module_part("learning/_module_text.html", module),
        quiz_section=quiz_section(module, submission_id=submission_id, answers=answers or {},
                                  missing=list(missing)) if module.quiz else None,
        reflection_section=reflection_section(module, reflections)
        if module.reflection else None,
    )
