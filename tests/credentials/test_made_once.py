"""One credential per certificate, even when two requests make it at once."""

from __future__ import annotations

from lti_app.credentials import service
from lti_app.credentials.models import IssuedCredential
from lti_app.extensions import db
from lti_app.issuing.models import Certificate
from tests.credentials.helpers import make_issued


def test_the_request_that_loses_the_race_gets_the_winners_credential(app, monkeypatch):
    with app.test_request_context():
        certificate_id = make_issued().id
        db.session.commit()
    real_stored = service._stored
    winner = {}

    def looked_before_the_other_committed(cid):
        if not winner:
            winner["jwt"] = None
            # The other request: its own session, made and committed first.
            with app.test_request_context():
                winner["jwt"] = service.credential_jwt(db.session.get(Certificate, cid))
                db.session.commit()
            return None  # what this request saw a moment before
        return real_stored(cid)

    monkeypatch.setattr(service, "_stored", looked_before_the_other_committed)
    with app.test_request_context():
        token = service.credential_jwt(db.session.get(Certificate, certificate_id))
        db.session.commit()
        rows = db.session.query(IssuedCredential).all()
    assert token == winner["jwt"]
    assert len(rows) == 1
