"""GET /verify/<code>: is this certificate valid? Name, course, date, who issued it and
who confirmed each shadowing day; nothing more. GET /verify: a field for the code
printed on the paper (GET /verify?code=… goes on to /verify/<code>)."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for

from ..extensions import limiter

from ..errors import wants_json
from ..issuing import service as issuing
from ..learning.content import find_course
from . import bp

# One budget for both ways of trying a code (the form and the address).
verify_limit = limiter.shared_limit(lambda: current_app.config["RATELIMIT_VERIFY"],
                                    scope="verify")

# Which page status a failed lookup gets: an unknown code is not found; a code
# with a typing error (or too few or many characters) is a form to correct.
_STATUS = {"unknown": 404, "mistyped": 422, "length": 422}
_JSON_STATUS = {"unknown": "unknown", "mistyped": "mistyped", "length": "wrong_length"}


@bp.get("", strict_slashes=False)
@verify_limit
def check():
    typed = request.args.get("code")
    if typed is None:
        return render_template("verification/check.html", lookup=None, typed="")
    if not typed.strip():
        return render_template("verification/check.html", lookup=None, typed=typed,
                               empty=True), 422
    lookup = issuing.look_up(typed)
    if lookup.status == "found":
        return redirect(url_for("verification.verify", code=lookup.code))
    return render_template("verification/check.html", lookup=lookup,
                           typed=typed), _STATUS[lookup.status]


@bp.get("/<code>")
@verify_limit
def verify(code: str):
    lookup = issuing.look_up(code)
    result = lookup.verification
    course = find_course(result.course_slug) if result else None
    if wants_json():
        if result is None:
            return jsonify(status=_JSON_STATUS[lookup.status],
                           code=code[:64]), _STATUS[lookup.status]
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
    if result is None:
        return render_template("verification/check.html", lookup=lookup,
                               typed=code[:100]), _STATUS[lookup.status]
    return render_template("verification/verify.html", result=result, course=course,
                           code=lookup.code)
