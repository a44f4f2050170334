"""`flask platform add|list|remove|add-deployment`."""

from __future__ import annotations

from sqlalchemy import select

from lti_app.extensions import db
from lti_app.platforms.models import Platform

ADD = ["platform", "add", "--issuer", "https://moodle.example.edu", "--client-id", "abc",
       "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
       "--auth-token-url", "https://moodle.example.edu/mod/lti/token.php",
       "--jwks-url", "https://moodle.example.edu/mod/lti/certs.php",
       "--deployment-id", "1", "--deployment-id", "2", "--name", "UvA Moodle"]


def test_add_list_remove(app, runner):
    result = runner.invoke(args=ADD)
    assert result.exit_code == 0, result.output
    assert "deployments: 1, 2" in result.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "UvA Moodle" in listing and "client=abc" in listing and "deployments=1, 2" in listing

    result = runner.invoke(args=["platform", "remove", "--issuer", "https://moodle.example.edu",
                                 "--client-id", "abc", "--yes"])
    assert result.exit_code == 0
    with app.app_context():
        assert db.session.scalars(select(Platform)).all() == []


def test_add_twice_updates_instead_of_duplicating(app, runner):
    runner.invoke(args=ADD)
    result = runner.invoke(args=ADD[:-4] + ["--deployment-id", "3"])
    assert result.exit_code == 0
    with app.app_context():
        [platform] = db.session.scalars(select(Platform)).all()
        assert sorted(d.deployment_id for d in platform.deployments) == ["1", "2", "3"]


def test_remove_unknown_platform_fails_clearly(runner):
    result = runner.invoke(args=["platform", "remove", "--issuer", "x", "--client-id", "y", "--yes"])
    assert result.exit_code != 0 and "no platform" in result.output


def test_missing_option_names_it(runner):
    result = runner.invoke(args=["platform", "add", "--issuer", "x"])
    assert result.exit_code != 0 and "--client-id" in result.output


def test_add_deployment_to_known_platform(app, runner):
    runner.invoke(args=ADD)
    result = runner.invoke(args=["platform", "add-deployment", "--issuer",
                                 "https://moodle.example.edu", "--client-id", "abc",
                                 "--deployment-id", "42"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        [platform] = db.session.scalars(select(Platform)).all()
        assert "42" in {d.deployment_id for d in platform.deployments}
