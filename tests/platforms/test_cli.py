"""`flask platform add|update|list|approve|refuse|remove|add-deployment`."""

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


def test_added_by_the_operator_is_approved_at_once(app, runner):
    result = runner.invoke(args=ADD + ["--institution", "Universiteit van Amsterdam"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "status=approved" in listing and "institution=Universiteit van Amsterdam" in listing
    assert "keys=https://moodle.example.edu/mod/lti/certs.php" in listing
    assert runner.invoke(args=["platform", "list", "--pending"]).output == ""


def test_add_twice_is_refused_and_names_update(app, runner):
    runner.invoke(args=ADD)
    other_keys = ADD[:-4] + ["--deployment-id", "3"]
    other_keys[other_keys.index("--jwks-url") + 1] = "https://evil.example/certs"
    result = runner.invoke(args=other_keys)
    assert result.exit_code != 0 and "flask platform update" in result.output
    with app.app_context():
        [platform] = db.session.scalars(select(Platform)).all()
        assert platform.jwks_url == "https://moodle.example.edu/mod/lti/certs.php"
        assert sorted(d.deployment_id for d in platform.deployments) == ["1", "2"]


def test_update_replaces_the_key_set_and_adds_deployments(app, runner):
    runner.invoke(args=ADD)
    result = runner.invoke(args=[
        "platform", "update", "--issuer", "https://moodle.example.edu", "--client-id", "abc",
        "--jwks-url", "https://moodle.example.edu/mod/lti/certs2.php", "--deployment-id", "3",
        "--institution", "UvA"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        [platform] = db.session.scalars(select(Platform)).all()
        assert platform.jwks_url == "https://moodle.example.edu/mod/lti/certs2.php"
        assert platform.auth_login_url == "https://moodle.example.edu/mod/lti/auth.php"
        assert platform.institution == "UvA" and platform.status == "approved"
        assert sorted(d.deployment_id for d in platform.deployments) == ["1", "2", "3"]


def _pending(app, **values) -> int:
    from lti_app.platforms import approval

    with app.app_context():
        platform = approval.register_pending(
            issuer="https://canvas.instructure.com", client_id="1000077",
            auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
            auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
            jwks_url="https://sso.canvaslms.com/api/lti/security/jwks", name="Test University",
            **values)
        db.session.commit()
        return platform.id


def test_list_shows_pending_registrations_with_endpoints_and_suggestion(app, runner):
    runner.invoke(args=ADD)
    platform_id = _pending(app, suggested_institution="Test University")
    listing = runner.invoke(args=["platform", "list", "--pending"]).output
    assert f"{platform_id}\tTest University\thttps://canvas.instructure.com" in listing
    assert "status=pending" in listing and "institution=-" in listing
    assert "keys=https://sso.canvaslms.com/api/lti/security/jwks" in listing
    assert "login=https://sso.canvaslms.com/api/lti/authorize_redirect" in listing
    assert "the LMS suggests the institution: Test University" in listing
    assert f"flask platform approve {platform_id}" in listing
    assert "UvA Moodle" not in listing  # approved: not listed with --pending


def test_approve_requires_an_institution_then_approves(app, runner):
    platform_id = _pending(app, suggested_institution="Test University")
    refused = runner.invoke(args=["platform", "approve", str(platform_id), "--yes"])
    assert refused.exit_code != 0
    assert "give --institution" in refused.output and "Test University" in refused.output
    with app.app_context():
        assert db.session.get(Platform, platform_id).status == "pending"

    asked = runner.invoke(args=["platform", "approve", "--issuer",
                                "https://canvas.instructure.com", "--client-id", "1000077",
                                "--institution", "Hogeschool Utrecht"], input="n\n")
    assert asked.exit_code != 0 and "Approve?" in asked.output  # said no: nothing changes
    with app.app_context():
        assert db.session.get(Platform, platform_id).status == "pending"

    done = runner.invoke(args=["platform", "approve", str(platform_id),
                               "--institution", "Hogeschool Utrecht"], input="y\n")
    assert done.exit_code == 0, done.output
    with app.app_context():
        platform = db.session.get(Platform, platform_id)
        assert (platform.status, platform.institution) == ("approved", "Hogeschool Utrecht")


def test_refuse_and_unknown_ids(app, runner):
    platform_id = _pending(app)
    assert runner.invoke(args=["platform", "refuse", str(platform_id)]).exit_code == 0
    with app.app_context():
        assert db.session.get(Platform, platform_id).status == "refused"
    missing = runner.invoke(args=["platform", "approve", "999", "--yes"])
    assert missing.exit_code != 0 and "no platform with id 999" in missing.output
    neither = runner.invoke(args=["platform", "approve", "--yes"])
    assert neither.exit_code != 0 and "--issuer and --client-id" in neither.output


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
