"""The line items service (AGS 2.0): container GET/POST, item GET/PUT/DELETE, results."""

from __future__ import annotations

import json

from tests.demo_lms.conftest import CONTEXT, bearer

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
CONTAINER = f"/dev/ags/{CONTEXT}/lineitems"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
BASE = "http://localhost"


def _create(client, token, body):
    return client.post(CONTAINER, headers=bearer(token), data=json.dumps(body),
                       content_type=LINEITEM_TYPE)


def test_seeded_links_have_one_column_each(client, course, tool):
    token = tool.access_token(client, scope=AGS + "lineitem.readonly")
    response = client.get(CONTAINER, headers=bearer(token))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.ims.lis.v2.lineitemcontainer+json"
    items = response.get_json()
    assert [i["resourceLinkId"] for i in items] == [
        "demo-link-library-basics", "demo-link-licence-negotiation"]
    assert items[0]["id"] == BASE + course["library-basics"] and items[0]["scoreMaximum"] == 100


def test_create_read_update_delete(client, course, tool):
    token = tool.access_token(client, scope=AGS + "lineitem")
    created = _create(client, token, {"label": "Quiz: open science", "scoreMaximum": 6,
                                      "resourceId": "open-science", "tag": "quiz",
                                      "resourceLinkId": "demo-link-library-basics",
                                      "endDateTime": "2026-12-31T23:59:00Z"})
    assert created.status_code == 201 and created.mimetype == LINEITEM_TYPE
    item = created.get_json()
    assert created.headers["Location"] == item["id"]
    assert item["resourceLinkId"] == "demo-link-library-basics"
    assert item["endDateTime"].startswith("2026-12-31T23:59:00")
    path = item["id"].removeprefix(BASE)

    assert client.get(path, headers=bearer(token)).get_json() == item
    by_tag = client.get(CONTAINER, query_string={"tag": "quiz"}, headers=bearer(token))
    assert [i["id"] for i in by_tag.get_json()] == [item["id"]]
    by_link = client.get(CONTAINER, headers=bearer(token),
                         query_string={"resource_link_id": "demo-link-library-basics"})
    assert len(by_link.get_json()) == 2
    assert client.get(CONTAINER, headers=bearer(token),
                      query_string={"resource_id": "open-science"}).get_json() == [item]

    updated = client.put(path, headers=bearer(token), content_type=LINEITEM_TYPE,
                         data=json.dumps({**item, "label": "Quiz (v2)", "scoreMaximum": 12}))
    assert updated.status_code == 200
    assert (updated.get_json()["label"], updated.get_json()["scoreMaximum"]) == ("Quiz (v2)", 12)
    assert updated.get_json()["resourceLinkId"] == "demo-link-library-basics"

    assert client.delete(path, headers=bearer(token)).status_code == 204
    assert client.get(path, headers=bearer(token)).status_code == 404


def test_launch_keeps_its_column_when_the_tool_adds_another(client, course, tool):
    token = tool.access_token(client, scope=AGS + "lineitem")
    _create(client, token, {"label": "Extra", "scoreMaximum": 5,
                            "resourceLinkId": "demo-link-library-basics"})
    items = client.get(CONTAINER, headers=bearer(token),
                       query_string={"resource_link_id": "demo-link-library-basics"}).get_json()
    assert items[0]["label"] == "Library Basics"  # the oldest: what launches announce


def test_scopes_and_validation(client, course, tool):
    readonly = tool.access_token(client, scope=AGS + "lineitem.readonly")
    assert _create(client, readonly, {"label": "x", "scoreMaximum": 1}).status_code == 403
    assert client.delete(course["library-basics"], headers=bearer(readonly)).status_code == 403
    score_only = tool.access_token(client, scope=AGS + "score")
    assert client.get(CONTAINER, headers=bearer(score_only)).status_code == 403

    token = tool.access_token(client, scope=AGS + "lineitem")
    for bad in ({"scoreMaximum": 1}, {"label": "x"}, {"label": "x", "scoreMaximum": 0},
                {"label": "x", "scoreMaximum": 1, "resourceLinkId": "demo-link-nope"},
                {"label": "x", "scoreMaximum": 1, "startDateTime": "soon"}, ["not", "an object"]):
        assert _create(client, token, bad).status_code == 400, bad
    wrong_type = client.post(CONTAINER, headers=bearer(token), content_type="application/json",
                             data=json.dumps({"label": "x", "scoreMaximum": 1}))
    assert wrong_type.status_code == 415
    other_course = client.get("/dev/ags/other-course/lineitems", headers=bearer(token))
    assert other_course.status_code == 404


def test_container_pages_with_limit(client, course, tool):
    token = tool.access_token(client, scope=AGS + "lineitem")
    for n in range(3):
        _create(client, token, {"label": f"Extra {n}", "scoreMaximum": 1})
    first = client.get(CONTAINER, query_string={"limit": 2}, headers=bearer(token))
    assert len(first.get_json()) == 2
    next_url = first.headers["Link"].split(">")[0].lstrip("<")
    assert first.headers["Link"].endswith('rel="next"')
    second = client.get(next_url.removeprefix(BASE), headers=bearer(token))
    third = client.get(second.headers["Link"].split(">")[0].lstrip("<").removeprefix(BASE),
                       headers=bearer(token))
    assert "Link" not in third.headers
    labels = [i["label"] for r in (first, second, third) for i in r.get_json()]
    assert len(labels) == len(set(labels)) == 5


def test_results_after_scores(client, course, tool):
    column = course["licence-negotiation"]
    token = tool.access_token(client, scope=f"{AGS}score {AGS}result.readonly")
    for user, given in (("demo-anna", 3), ("demo-learner-04", 4)):
        client.post(f"{column}/scores", headers=bearer(token),
                    content_type="application/vnd.ims.lis.v1.score+json",
                    data=json.dumps({"userId": user, "scoreGiven": given, "scoreMaximum": 4,
                                     "activityProgress": "Completed",
                                     "gradingProgress": "FullyGraded",
                                     "timestamp": "2026-11-24T10:00:00Z"}))
    response = client.get(f"{column}/results", headers=bearer(token))
    assert response.mimetype == "application/vnd.ims.lis.v2.resultcontainer+json"
    results = response.get_json()
    assert [(r["userId"], r["resultScore"]) for r in results] == [
        ("demo-anna", 75.0), ("demo-learner-04", 100.0)]
    assert results[0]["scoreOf"] == BASE + column
    one = client.get(f"{column}/results", query_string={"user_id": "demo-anna"},
                     headers=bearer(token)).get_json()
    assert [r["userId"] for r in one] == ["demo-anna"]
    no_scope = tool.access_token(client, scope=f"{AGS}score")
    assert client.get(f"{column}/results", headers=bearer(no_scope)).status_code == 403
