"""Certificates: render and sign vs bare WeasyPrint, serving an issued PDF, a ZIP of 200.

The render rows compare our renderer (locked-down URL fetcher, PDF/A-3b,
metadata), the render plus its PAdES signature (what issuing does), and the
signature alone with a bare WeasyPrint call on the very same HTML, in the same run.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from datetime import date
from pathlib import Path

import weasyprint

from certificates.data import CertificateData
from certificates.fetcher import ASSETS_DIR
from certificates.render import render_certificate_html, render_certificate_pdf
from certificates.signing import Signer, new_self_signed, sign_pdf
from lti_app import create_app
from lti_app.extensions import db
from lti_app.issuing.models import Certificate, CertificatePdf
from lti_app.issuing.zip_export import build_certificates_zip
from lti_app.jobs.models import Job
from lti_app.lti.context import LaunchContext, save_launch_context
from lti_app.people.models import Context, Enrollment, Person
from lti_app.platforms.service import add_platform
from lti_app.timeutil import utc_now

from .database import bench_database
from .rows import Row, ratio_row, timing_row

ZIP_SIZE = 200
SAMPLE = CertificateData(
    language="nl", learner_name="Maria Johanna Elisabeth van den Berg-Çelik",
    course_title="Library Basics", course_slug="library-basics",
    wording="Hierbij verklaren de organisatoren van Library Basics dat",
    completed_on="2026-03-12",
    modules=tuple(f"Module {i}: een titel van gemiddelde lengte" for i in range(1, 13)),
    shadow_days=(("2026-02-10", "TU Delft Library"), ("2026-02-24", "UB Utrecht")),
    organisers=("UKB", "SHB", "OKBN", "WSWB", "VOGIN"), trainer_name="Carla Visser",
    verification_code="Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4",
    verification_url="https://kennisdeling.example.nl/verify/Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4",
    issued_at="2026-03-12T10:00:00+00:00",
)


def run(n: int) -> list[Row]:
    renders = max(10, n // 3)  # a render takes ~0.2 s
    # The signer is loaded once per process, as the app does (signer.py).
    key, cert = new_self_signed("Kennisdeling certificate signing (self-signed)", "Kennisdeling")
    signer = Signer.from_key_and_certificates(key, cert)
    html = render_certificate_html(SAMPLE)
    rendered = render_certificate_pdf(SAMPLE)

    def sign(pdf: bytes) -> bytes:
        return sign_pdf(pdf, signer, reason="Certificate of completion",
                        location="tool.example.org", name="Kennisdeling")

    steps = {
        "bare": lambda: weasyprint.HTML(string=html, base_url=str(ASSETS_DIR) + "/").write_pdf(),
        "render": lambda: render_certificate_pdf(SAMPLE),
        "render+sign": lambda: sign(render_certificate_pdf(SAMPLE)),
        "sign": lambda: sign(rendered),
    }
    samples: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for i in range(renders + 2):
        # A different order each round, so drift in the shared CPUs spreads evenly.
        for name in names[i % len(names):] + names[:i % len(names)]:
            start = time.perf_counter()
            steps[name]()
            elapsed = (time.perf_counter() - start) * 1000
            if i >= 2:  # the first two are warm-up
                samples[name].append(elapsed)
    bare = samples["bare"]
    rows = [
        timing_row("certificate render: bare WeasyPrint", bare),
        timing_row("certificate render: kennisdeling", samples["render"]),
        timing_row("certificate render + sign: kennisdeling", samples["render+sign"]),
        timing_row("certificate sign alone (PAdES B-B)", samples["sign"]),
        ratio_row("certificate render: kennisdeling / bare", samples["render"], bare),
        ratio_row("certificate render + sign / bare", samples["render+sign"], bare),
        ratio_row("certificate sign alone / bare", samples["sign"], bare),
    ]
    return rows + _serve_and_zip(n)


def _serve_and_zip(n: int) -> list[Row]:
    pdf = render_certificate_pdf(SAMPLE)
    with tempfile.TemporaryDirectory(prefix="kd-bench-") as tmp, \
            bench_database(Path(tmp)) as database_url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                          "SECRET_KEY": "benchmark-secret", "SERVER_NAME": "tool.example.org"},
                         instance_path=tmp)
        with app.app_context():
            db.create_all()
            context, enrollments = _seed(pdf)
            launch = _launch(enrollments[0], context)
            context_id = context.id
            certificate_id = db.session.query(Certificate.id).filter_by(
                person_id=launch.person_id).scalar()
        with app.test_request_context():
            ltik = save_launch_context(launch)
            db.session.commit()
        client = app.test_client()
        url = f"/certificate/{certificate_id}.pdf?ltik={ltik}"
        serve = []
        for i in range(n + 5):
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200 and response.data == pdf
            if i >= 5:
                serve.append(elapsed)
        zips = []
        with app.app_context():
            for _ in range(max(3, n // 10)):
                job = Job(kind="certificates_zip", context_id=context_id)
                db.session.add(job)
                db.session.commit()
                start = time.perf_counter()
                data, _name = build_certificates_zip(job, lambda done, total: None)
                zips.append((time.perf_counter() - start) * 1000)
            size_mb = len(data) / 1e6
            db.session.remove()
            db.engine.dispose()
    return [
        timing_row("serve an issued certificate (HTTP)", serve),
        timing_row(f"ZIP of {ZIP_SIZE} issued certificates ({size_mb:.1f} MB)", zips),
    ]


def _seed(pdf: bytes):
    platform = add_platform(issuer="https://lms.example.org", client_id="bench",
                            auth_login_url="https://lms.example.org/auth",
                            auth_token_url="https://lms.example.org/token",
                            jwks_url="https://lms.example.org/jwks", deployment_ids=["1"])
    context = Context(deployment=platform.deployments[0], lms_context_id="c", title="Bench")
    db.session.add(context)
    enrollments = []
    digest = hashlib.sha256(pdf).hexdigest()
    snapshot = json.dumps({"course_title": {"nl": "Library Basics", "en": "Library Basics"}})
    for i in range(ZIP_SIZE):
        person = Person(platform=platform, sub=f"learner-{i}", name=f"Learner {i}")
        enrollment = Enrollment(person=person, context=context, role="learner",
                                has_launched=True)
        certificate = Certificate(
            person=person, context=context, course_slug="library-basics", course_version="v",
            verification_code=f"code-{i:04d}-{digest[:20]}", learner_name=f"Learner {i}",
            language="nl", completed_on=date(2026, 3, 12), snapshot=snapshot, issued_at=utc_now())
        certificate.pdfs.append(CertificatePdf(language="nl", pdf=pdf, sha256=digest))
        db.session.add_all([person, enrollment, certificate])
        enrollments.append(enrollment)
    db.session.commit()
    return context, enrollments


def _launch(enrollment: Enrollment, context: Context) -> LaunchContext:
    return LaunchContext(
        launch_id="bench-launch", platform_id=enrollment.person.platform_id,
        deployment_id=context.deployment_id, person_id=enrollment.person_id,
        context_id=context.id, resource_link_id=None, enrollment_id=enrollment.id,
        role="learner", is_admin=False, person_name="Learner 0", context_title="Bench",
        locale="nl", message_type="LtiResourceLinkRequest", return_url=None,
    )
