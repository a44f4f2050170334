"""GET /verify/<code>: is this certificate valid? Name, course, date, who issued it and
who confirmed each shadowing day; nothing more."""

from __future__ import annotations

from flask import current_app, jsonify, render_template

from ..extensions import limiter

from ..errors import wants_json
from ..issuing import service as issuing
from ..learning.content import find_course
from . import bp


@bp.get("/<code>")
@limiter.limit(lambda: current_app.config["RATELIMIT_VERIFY"])
def verify(code: str):
    result = issuing.verify(code)
    course = find_course(result.course_slug) if result else None
    if wants_json():
        if result is None:
            return jsonify(status="unknown", code=code[:64]), 404
        return jsonify(
            status=result.state, name=result.learner_name, course=result.course_slug,
            course_title={"nl": course.title.nl, "en": course.title.en} if course else None,
            completed_on=result.completed_on.isoformat() if result.completed_on else "",
            issued_on=result.issued_at,
            # Who vouches for it (null: issued before this was recorded).
            institution=result.institution,
            shadow_days=[{"date": d.day.isoformat(), "host": d.host, "confirmed_by": d.confirmed_by}
                         for d in result.shadow_days],
        )
    status = 200 if result else 404
    return render_template("verification/verify.html", result=result, course=course), status
