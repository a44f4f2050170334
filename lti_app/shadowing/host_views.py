"""The host contact's pages: no LMS account, a signed link or a short code.

They show this one day and nothing else, and work once.

The link's token (valid for 30 days) travels in the URL's fragment,
`/host/#t=...`, which browsers never send: the page's script posts it. So it
appears in no request line, no access log and no Referer. Without JavaScript
the host enters the short code instead.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..extensions import db, limiter
from ..errors import TITLES
from ..forms import add_errors, render_form
from ..launch_scope import catalog
from . import bp, service
from .forms import CodeForm, DecisionForm
from .host_links import host_open_url, host_token, read_host_token
from .questions import modules_of_refs

DONE_KEY = "host-done"  # what the thank-you page says (this browser only)


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
    try:
        day_id, token_id = read_host_token(token)
        day = service.day_for_invitation(day_id=day_id, token_id=token_id)
    except service.ConfirmationLinkInvalid as exc:
        return _link_refused(exc)
    form = DecisionForm()
    if "decision" in request.form or "comment" in request.form:  # the decision was sent
        if form.validate_on_submit():
            try:
                service.decide(day=day, is_confirmed=form.decision.data == "confirm", by="host",
                               by_name=form.name.data, by_person_id=None,
                               comment=form.comment.data, today=date.today())
            except service.ShadowDayInvalid as exc:
                add_errors(form, exc.errors)
            except service.DayInFuture as exc:
                form.decision.errors = [*form.decision.errors, exc.user_message()]
            else:
                db.session.commit()
                # The answer is a redirect, so Back or Reload never sends it again.
                session[DONE_KEY] = str(day.status)
                return redirect(url_for("shadowing.host_done"), code=303)
        return _confirm_page(form, day, token, invalid=True)
    return _confirm_page(DecisionForm(formdata=None), day, token)


@bp.get("/host/done")
@limiter.limit(_host_limit)
def host_done():
    """The thank-you page (a GET: the decision's POST redirected here)."""
    return render_template("shadowing/host_done.html", status=session.get(DONE_KEY))


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
        try:
            day = service.day_for_code(form.code.data)
        except service.ConfirmationLinkInvalid:  # a typo or an old code: try again here
            form.code.errors = [*form.code.errors, _(
                "This code is not valid (any more). Check it for typos, or ask the learner "
                "for a new code.")]
        else:
            return _confirm_page(DecisionForm(formdata=None), day,
                                 host_token(day.id, day.confirmation_id))
    return render_form("shadowing/host_code.html", form)


def _confirm_page(form: DecisionForm, day, token: str, invalid: bool | None = None):
    return render_form("shadowing/host_confirm.html", form, day=day, token=token,
                       today=date.today(), invalid=invalid,
                       focus=modules_of_refs(catalog(), day.focus_question_refs))


def _link_refused(exc: service.ConfirmationLinkInvalid):
    """An expired, used or replaced link: the reason, and the code form to go on."""
    db.session.rollback()
    page = render_template("shadowing/host_code.html", form=CodeForm(formdata=None),
                           refused_title=TITLES[410](), refused=exc.user_message())
    return page, exc.status
