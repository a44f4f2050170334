"""The learner's credential downloads (.json, .jwt, baked .png) and their choice
about the email hash. Launch-scoped like the PDF: only the learner's own
current certificate; another id is a 404 that says nothing about it."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _

from ..credentials import service as credentials
from ..extensions import db
from ..lti.context import current_launch, launch_required
from . import bp, service, sharing
from .forms import EmailChoiceForm


def _own_current_certificate(certificate_id: int):
    """The launch's person's certificate, if it is still current: a revoked or
    replaced one has nothing to share."""
    certificate = service.certificate_of_person(current_launch().person_id, certificate_id)
    if certificate is None or not service.is_current(certificate):
        abort(404)
    return certificate


@bp.get("/certificate/<int:certificate_id>/credential.<any(json, jwt, png):kind>")
@launch_required()
def my_credential(certificate_id: int, kind: str):
    certificate = _own_current_certificate(certificate_id)
    if kind == "json":
        body = json.dumps(credentials.credential_json(certificate), ensure_ascii=False,
                          indent=2).encode("utf-8")
        word = _("credential")
    elif kind == "jwt":
        body = credentials.credential_jwt(certificate).encode("ascii")
        word = _("credential")
    else:
        body = credentials.baked_png(certificate)
        word = _("badge")
    db.session.commit()  # a first request may store the signed credential
    _extension, mimetype = sharing.DOWNLOADS[kind]
    response = Response(body, mimetype=mimetype)
    name = sharing.download_name(certificate, kind, word)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/certificate/<int:certificate_id>/email-choice")
@launch_required()
def my_email_choice(certificate_id: int):
    certificate = _own_current_certificate(certificate_id)
    form = EmailChoiceForm()
    if not form.validate_on_submit():
        abort(400)
    credentials.set_email_choice(certificate, bool(form.include_email.data))
    db.session.commit()
    flash(_("Your badge now includes a hashed form of your email address.")
          if form.include_email.data else
          _("Your badge does not include your email address."))
    return redirect(url_for("issuing.my_certificate"))
