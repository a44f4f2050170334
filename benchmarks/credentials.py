"""Credentials: making, serving and checking an OpenBadgeCredential, and the
status list built from the database, against a bare RS256 signature of the same
payload (PyJWT, key loaded) in the same run.

    .venv/bin/python -m benchmarks.credentials            # 50 timed runs, 50,000 in the list
    .venv/bin/python -m benchmarks.credentials -n 100 --list-size 65536

The status list is the row that grows: every GET reads the revoked indexes of
its list, packs 131,072 bits, gzips and signs them. It is seeded with
--list-size credentials in one issuer's list, 1 % of them revoked.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

import jwt
from sqlalchemy import insert, select

from lti_app import create_app
# Every model through lti_app.models: the app's import order (mappers configure).
from lti_app.models import Certificate, IssuedCredential, Person, Platform
from lti_app.credentials import keys, service, status_list
from lti_app.extensions import db
from lti_app.testing.issuing import issued_snapshot
from lti_app.timeutil import utc_now

from .database import bench_database
from .rows import Row, ratio_row, timing_row
from .run import format_table, machine_line

SNAPSHOT = issued_snapshot()


def _timed(samples: list[float], action) -> object:
    start = time.perf_counter()
    result = action()
    samples.append((time.perf_counter() - start) * 1000)
    return result


def _seed(list_size: int) -> tuple[int, list[int]]:
    """list_size certificates, each with a credential in one list; 1 % revoked.
    Rows are inserted in bulk (the credentials' JWT text is a placeholder: only
    the status columns matter to the list)."""
    platform = Platform(name="LMS", issuer="https://lms.example.org", client_id="c",
                        auth_login_url="https://lms.example.org/a",
                        auth_token_url="https://lms.example.org/t",
                        institution="Universiteit Utrecht")
    db.session.add(platform)
    db.session.flush()
    now = utc_now()
    db.session.execute(insert(Person), [
        {"platform_id": platform.id, "sub": f"p{i}", "name": f"Learner {i}",
         "email": f"p{i}@example.org", "created_at": now, "last_seen_at": now}
        for i in range(list_size + 200)])
    person_ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    db.session.execute(insert(Certificate), [
        {"person_id": pid, "course_slug": "library-basics", "course_version": "v1",
         "verification_code": secrets.token_urlsafe(24), "learner_name": f"Learner {i}",
         "language": "nl", "completed_on": date(2026, 11, 20), "snapshot": SNAPSHOT,
         "issued_at": now, "revoked_at": now if _revoked(i, list_size) else None,
         "revoked_reason": "bench" if _revoked(i, list_size) else None}
        for i, pid in enumerate(person_ids)])
    certificate_ids = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
    key = service.issuer_key("Universiteit Utrecht")
    indexes = secrets.SystemRandom().sample(range(status_list.LIST_BITS), list_size)
    db.session.execute(insert(IssuedCredential), [
        {"certificate_id": cid, "credential_uri": f"https://tool.example.org/verify/{cid}",
         "subject_uri": f"urn:uuid:{cid}", "issuer_key": key,
         "issuer_name": "Universiteit Utrecht", "status_list": 1, "status_index": index,
         "include_email": False, "kid": "seed", "jwt": "seed", "created_at": now,
         "signed_at": now}
        for cid, index in zip(certificate_ids, indexes)])
    db.session.commit()
    return 1, certificate_ids[list_size:]  # the fresh ones have no credential yet


def _revoked(i: int, list_size: int) -> bool:
    return i < list_size and i % 100 == 0  # 1 % of the list; the fresh ones stand


def run(n: int, list_size: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="kd-bench-") as tmp, \
            bench_database(Path(tmp)) as database_url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                          "SECRET_KEY": "benchmark-secret",
                          "TOOL_BASE_URL": "https://tool.example.org"}, instance_path=tmp)
        with app.app_context():
            db.create_all()
            number, fresh = _seed(list_size)
            signing = keys.signing_key()
            private = keys.private_key(signing)
            db.session.commit()
            issuer = service.issuer_key("Universiteit Utrecht")
            list_url = f"/credentials/status/{status_list.list_id(issuer, number)}"
        client = app.test_client()
        samples: dict[str, list[float]] = {k: [] for k in (
            "bare", "make", "download", "check", "status", "allocate")}
        made: list[str] = []
        for i in range(n + 2):
            warm = i < 2
            with app.app_context():
                certificate = db.session.get(Certificate, fresh[i % len(fresh)])
                token = service.credential_jwt(certificate) if warm else None
                if not warm:
                    token = _timed(samples["make"], lambda: service.credential_jwt(certificate))
                db.session.commit()
                made.append(token)
                payload = service.credential_json(certificate)
                _timed(samples["bare"], lambda: jwt.encode(
                    payload, private, algorithm="RS256", headers={"kid": "k"}))
                _timed(samples["download"], lambda: service.credential_jwt(
                    db.session.get(Certificate, fresh[0])))
                _timed(samples["allocate"], lambda: status_list.allocate(issuer))
            with app.test_request_context(base_url="https://tool.example.org"):
                outcome = _timed(samples["check"], lambda: service.check_credential(token))
                assert outcome.outcome == "valid", outcome
            response = _timed(samples["status"], lambda: client.get(list_url))
            assert response.status_code == 200
            if warm:
                for values in samples.values():
                    values.clear()
        bare = samples["bare"]
        return [
            timing_row("credential: bare RS256 sign (PyJWT)", bare),
            timing_row("credential: make on first request", samples["make"]),
            timing_row("credential: stored, second request", samples["download"]),
            timing_row("credential: check_credential (valid)", samples["check"]),
            timing_row(f"status list GET ({list_size:,} in list)", samples["status"]),
            timing_row(f"status index allocate ({list_size:,} used)", samples["allocate"]),
            ratio_row("make / bare sign", samples["make"], bare),
            ratio_row("check / bare sign", samples["check"], bare),
            ratio_row("status list GET / bare sign", samples["status"], bare),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--list-size", type=int, default=50_000)
    args = parser.parse_args()
    rows = run(args.n, args.list_size)
    print(machine_line())
    print(format_table(rows))


if __name__ == "__main__":
    main()
