"""/verify with the credential's facts, and the upload check, against the bare
code look-up (GET /verify?code=…, what /verify/<code> did before) in the same run.

    .venv/bin/python -m benchmarks.verify_share          # 40 timed runs each
    .venv/bin/python -m benchmarks.verify_share -n 100

Rows: the page and its JSON (look-up, credential, stored PDFs' hashes, the
signature's facts, cached per PDF hash), POST /verify with the issued PDF, a
one-byte-changed copy (pypdf reads its code, pyHanko its broken signature), a
PDF of someone else, a pasted JWT; and pyHanko's signature_facts itself, the
cost the per-hash cache saves on every page view after the first.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import date
from pathlib import Path

import pypdf

from certificates.signing import signature_facts
# Every model through lti_app.models: the app's import order (mappers configure).
from lti_app.models import Certificate, Person, Platform
from lti_app import create_app
from lti_app.credentials import service as credentials
from lti_app.extensions import db
from lti_app.issuing import service as issuing
from lti_app.testing.issuing import issued_snapshot
from lti_app.timeutil import utc_now

from .database import bench_database
from .rows import Row, ratio_row, timing_row
from .run import format_table, machine_line

SNAPSHOT = issued_snapshot()
JSON = {"Accept": "application/json"}


def _seed() -> tuple[str, bytes, str]:
    platform = Platform(name="LMS", issuer="https://lms.example.org", client_id="c",
                        auth_login_url="https://lms.example.org/a",
                        auth_token_url="https://lms.example.org/t",
                        institution="Universiteit Utrecht")
    db.session.add(platform)
    db.session.flush()
    person = Person(platform_id=platform.id, sub="p1", name="Anna de Vries",
                    email="anna@example.org")
    db.session.add(person)
    db.session.flush()
    certificate = Certificate(
        person_id=person.id, course_slug="library-basics", course_version="v1",
        verification_code=issuing.new_verification_code(), learner_name="Anna de Vries",
        language="en", completed_on=date(2026, 11, 20), snapshot=SNAPSHOT,
        issued_at=utc_now())
    db.session.add(certificate)
    db.session.flush()
    pdf = issuing.pdf_for(certificate, "en").pdf  # rendered and signed, as issued
    jwt = credentials.credential_jwt(certificate)
    db.session.commit()
    return certificate.verification_code, pdf, jwt


def _other_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _multipart(field: str, data: bytes, name: str = "file.pdf") -> tuple[bytes, str]:
    boundary = "----kd-bench"
    if field == "document":
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="document"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n')
    else:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def run(n: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="kd-bench-") as tmp, \
            bench_database(Path(tmp)) as database_url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                          "SECRET_KEY": "benchmark-secret", "RATELIMIT_ENABLED": False,
                          "TOOL_BASE_URL": "https://tool.example.org"}, instance_path=tmp)
        with app.app_context():
            db.create_all()
            code, pdf, jwt = _seed()
        position = pdf.index(b"stream") + 200
        changed = pdf[:position] + bytes([pdf[position] ^ 1]) + pdf[position + 1:]
        client = app.test_client()

        def upload(field, data, name="file.pdf"):
            body, content_type = _multipart(field, data, name)
            return lambda: client.post("/verify", data=body, content_type=content_type,
                                       headers=JSON)

        cases = {
            "look-up only (baseline)": lambda: client.get(f"/verify?code={code}"),
            "GET /verify/<code> JSON": lambda: client.get(f"/verify/{code}", headers=JSON),
            "GET /verify/<code> page": lambda: client.get(f"/verify/{code}"),
            "POST /verify issued PDF": upload("document", pdf),
            "POST /verify changed PDF": upload("document", changed),
            "POST /verify other PDF": upload("document", _other_pdf()),
            "POST /verify pasted JWT": upload("pasted", jwt.encode()),
        }
        expected = {"look-up only (baseline)": 302, "POST /verify pasted JWT": 200}
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for i in range(n + 3):
            for name, action in cases.items():  # interleaved: the load hits all alike
                start = time.perf_counter()
                response = action()
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == expected.get(name, 200), (name, response.status)
                if i >= 3:  # warm-up: templates, key and signature caches
                    samples[name].append(elapsed)
        facts = []
        for _ in range(n):
            start = time.perf_counter()
            signature_facts(pdf)
            facts.append((time.perf_counter() - start) * 1000)
    base = samples["look-up only (baseline)"]
    rows = [timing_row(name, values) for name, values in samples.items()]
    rows.append(timing_row("signature_facts(pdf), uncached", facts))
    rows += [ratio_row(f"{name} / baseline", values, base)
             for name, values in samples.items() if values is not base]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40)
    args = parser.parse_args()
    print(machine_line())
    print(format_table(run(args.n)))


if __name__ == "__main__":
    main()
