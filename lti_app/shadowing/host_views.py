"""The host contact's pages: no LMS account, a signed link or a short code.

They show this one day and nothing else, and work once.

The link's token (valid for 30 days) travels in the URL's fragment,
`/host/#t=...`, which browsers never send: the page's script posts it. So it
appears in no request line, no access log and no Referer. Without JavaScript
the host enters the short code instead.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, redirect, render_template, request, url_for

from ..extensions import db, limiter
from ..forms import add_errors, render_form
from . import bp, service
from .forms import CodeForm, DecisionForm
from .host_links import host_open_url, host_token, read_host_token


def _host_limit() -> str:
    return current_app.config["RATELIMIT_HOST"]


@bp.get("/host/")
@limiter.limit(_host_limit)
def host_open():
    """The link's landing page: its script posts the token from the fragment."""
    return render_template("shadowing/host_open.html", form=CodeForm())


@bp.post("/host/confirm")
@limiter.limit(_host_limit)
def host_confirm():
    """The day and the decision form (token in the POST body), then the decision."""
    token = request.form.get("token", "")
    day_id, token_id = read_host_token(token)
    day = service.day_for_invitation(day_id=day_id, token_id=token_id)
    form = DecisionForm()
    if "decision" in request.form or "comment" in request.form:  # the decision was sent
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
        return render_form("shadowing/host_confirm.html", form, day=day, token=token,
                           today=date.today(), invalid=True)
    return render_form("shadowing/host_confirm.html", DecisionForm(formdata=None), day=day,
                       token=token, today=date.today())


@bp.get("/host/confirm/<token>")
@limiter.limit(_host_limit)
def host_confirm_old_link(token: str):
    """Links sent before the token moved to the fragment: once more, to the new page.

    This request line still carries the token (as the e-mail already does);
    the page it leads to does not.
    """
    return redirect(host_open_url(token), code=303)


@bp.route("/host/code", methods=["GET", "POST"])
@limiter.limit(_host_limit)
def host_code():
    """For a host who got the short code instead of the link (or has no JavaScript)."""
    form = CodeForm()
    if form.validate_on_submit():
        day = service.day_for_code(form.code.data)
        return render_form("shadowing/host_confirm.html", DecisionForm(formdata=None), day=day,
                           token=host_token(day.id, day.confirmation_id), today=date.today())
    return render_template("shadowing/host_code.html", form=form)
