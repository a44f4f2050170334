"""Every module of both courses opens for a learner, in Dutch and in English."""

from __future__ import annotations

import pytest
from markupsafe import escape

from course_content.loader import load_catalog
from tests.learning.helpers import launch_ltik


@pytest.mark.parametrize("course_slug", ["library-basics", "licence-negotiation"])
def test_every_module_renders_in_both_languages(client, lms, course_slug):
    course = load_catalog().courses[course_slug]
    for lang in ("nl", "en"):
        ltik = launch_ltik(client, lms, sub=f"reader-{lang}", locale=lang,
                           custom={"course": course_slug}, resource_link_id=course_slug)
        for module in course.modules:
            page = client.get(f"/modules/{module.slug}?ltik={ltik}")
            html = page.get_data(as_text=True)
            assert page.status_code == 200, module.slug
            assert str(escape(module.title.get(lang))) in html
            if module.quiz is not None:
                assert str(escape(module.quiz.questions[-1].text.get(lang))) in html
            if module.scenario is not None:
                start = module.scenario.node(module.scenario.start)
                assert str(escape(start.choices[0].text.get(lang))) in html
            for prompt in module.reflection:
                assert str(escape(prompt.text.get(lang))) in html
