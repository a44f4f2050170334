"""The certificate ZIP as an RQ job on Redis, run by a real (burst) RQ worker."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.jobs.models import Job
from tests.fake_lms import INSTRUCTOR
from tests.issuing.helpers import complete_course
from tests.issuing.test_certificates import _get_certificate
from tests.learning.helpers import form_tokens, launch_ltik
from tests.lti.test_redis_store import REDIS_URL, _redis_up

pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


def test_zip_job_runs_on_an_rq_worker(app, client, lms):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from lti_app.jobs import worker

    queue_name = f"kd-test-{uuid.uuid4().hex}"
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name)
    ltik = launch_ltik(client, lms, sub="a", name="Learner A")
    complete_course(app, "a")
    _get_certificate(client, ltik, name="Learner A")
    trainer = launch_ltik(client, lms, sub="t", roles=INSTRUCTOR)
    token = form_tokens(client.get(f"/trainer/certificates?ltik={trainer}").get_data(as_text=True))["csrf_token"]
    job_url = client.post(f"/trainer/certificates/zip?ltik={trainer}",
                          data={"csrf_token": token}).headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(Job.status)).one() == "queued"  # waits for a worker

    redis = Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=redis)
    worker._app = app  # the worker process would build it from the environment
    try:
        SimpleWorker([queue], connection=redis).work(burst=True)
    finally:
        worker._app = None
        queue.delete(delete_jobs=True)
    status = client.get(job_url.replace("?", ".json?")).get_json()
    assert status["status"] == "done" and status["total"] == 1
    archive = zipfile.ZipFile(io.BytesIO(client.get(status["download"]).data))
    assert archive.namelist() == ["Learner-A-library-basics.pdf"]
