"""The host contact's pages: no LMS account, a signed link or a short code.

They show this one day and nothing else, and work once.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, redirect, render_template, url_for

from ..extensions import db, limiter
from ..forms import add_errors, render_form
from . import bp, service
from .forms import CodeForm, DecisionForm
from .host_links import host_token, read_host_token


@bp.route("/host/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_HOST"])
def host_confirm(token: str):
    day_id, token_id = read_host_token(token)
    day = service.day_for_invitation(day_id=day_id, token_id=token_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            service.decide(day=day, is_confirmed=form.decision.data == "confirm", by="host",
                           by_name=form.name.data, by_person_id=None,
                           comment=form.comment.data, today=date.today())
        except service.ShadowDayInvalid as exc:
            add_errors(form, exc.errors)
        else:
            db.session.commit()
            return render_template("shadowing/host_done.html", day=day)
    return render_form("shadowing/host_confirm.html", form, day=day, today=date.today())


@bp.route("/host/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_HOST"])
def host_code():
    """For a host who got the short code instead of the link."""
    form = CodeForm()
    if form.validate_on_submit():
        day = service.day_for_code(form.code.data)
        return redirect(url_for("shadowing.host_confirm",
                                token=host_token(day.id, day.confirmation_id)))
    return render_template("shadowing/host_code.html", form=form)
