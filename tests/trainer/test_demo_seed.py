"""`flask trainer seed-demo`: the demo course gets learners at every stage."""

from __future__ import annotations

from lti_app.demo_lms import demo_data
from lti_app.extensions import db
from lti_app.people.models import Context
from lti_app.platforms.models import Deployment
from lti_app.trainer.learners import every_row, learner_page
from lti_app.trainer.table import TableQuery
from lti_app.testing import library_basics, make_platform


def _demo_course(app) -> int:
    with app.app_context():
        platform = make_platform(client_id=demo_data.CLIENT_ID)
        deployment = Deployment(
            platform=platform, deployment_id=demo_data.DEPLOYMENT_ID
        )
        context = Context(deployment=deployment, lms_context_id=demo_data.CONTEXT_ID)
        db.session.add_all([deployment, context])
        db.session.commit()
        return context.id


def test_seed_demo_gives_every_stage_once(app, runner):
    refused = runner.invoke(args=["trainer", "seed-demo"])
    assert refused.exit_code != 0 and "launch the tool once first" in refused.output
    context_id = _demo_course(app)
    result = runner.invoke(args=["trainer", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Eva Mulder: certificate issued" in result.output
    with app.app_context():
        course = library_basics()
        rows = list(every_row(course, context_id))
        assert len(rows) == len(demo_data.LEARNERS)
        assert learner_page(course, context_id, TableQuery()).counts.stages == {
            "not_started": 12,
            "in_progress": 5,
            "waiting": 2,
            "complete": 3,
            "certified": 1,
        }
        assert sorted(row.certificate_state for row in rows).count("revoked") == 1
    again = runner.invoke(args=["trainer", "seed-demo"])
    assert "Eva Mulder: already seeded" in again.output
