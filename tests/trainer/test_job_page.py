"""The background job's page (the certificates ZIP): it says what it is doing,
says so when the file is ready, and leads back to where the trainer came from."""

from __future__ import annotations

import re

from lti_app.extensions import db
from lti_app.jobs.models import Job
from lti_app.timeutil import utc_now


def _job(seed, context_id: int, status: str, done: int = 0, total: int = 3) -> int:
    def build(_context):
        job = Job(kind="certificates_zip", context_id=context_id, status=status,
                  done=done, total=total)
        if status == "done":
            job.result, job.result_name, job.finished_at = b"PK", "certificates.zip", utc_now()
        db.session.add(job)
        db.session.flush()
        return job

    return seed(context_id, build)


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)  # what is shown
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_finished_zip_says_it_is_ready_and_leads_back(client, trainer, seed):
    job_id = _job(seed, trainer.context_id, "done", done=3)
    html = client.get(trainer.url(f"/trainer/jobs/{job_id}")).get_data(as_text=True)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)
    assert heading == "Your download is ready" and "Preparing" not in _text(html)
    assert re.search(r'<a id="job-download" class="button" href="[^"]+"\s*>Download</a>', html)
    assert re.search(r'<a id="job-back" href="/trainer/certificates[^"]*">← Back to the certificates</a>', html)
    assert "Reload this page" not in html  # nothing left to wait for


def test_a_running_zip_shows_its_progress(client, trainer, seed):
    job_id = _job(seed, trainer.context_id, "running", done=1, total=4)
    html = client.get(trainer.url(f"/trainer/jobs/{job_id}")).get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Preparing your download</h1>", html)
    assert "1 of 4 done…" in html and 'value="25"' in html
    assert re.search(r'<a id="job-download"[^>]*\bhidden', html.replace("\n", " "))
    assert 'id="job-back"' in html


def test_a_failed_zip_says_so(client, trainer, seed):
    job_id = _job(seed, trainer.context_id, "failed")
    html = client.get(trainer.url(f"/trainer/jobs/{job_id}")).get_data(as_text=True)
    assert re.search(r"<h1[^>]*>The download could not be made</h1>", html)
    assert "This failed. Please try again later." in html
