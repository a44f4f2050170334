"""The demo LMS's LTI Advantage endpoints: OAuth2 token, AGS 2.0 and NRPS 2.0.

Machine-to-machine calls from the tool: no cookies, no CSRF token (a Bearer
token or a signed client assertion authenticates each request), JSON answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flask import Response, request

from ..extensions import csrf, db
from . import ags, bp, nrps, scores, service, tokens
from .platform import AGS_SCOPE, NRPS_SCOPE

LINEITEM_READ = frozenset({AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly"})
LINEITEM_WRITE = frozenset({AGS_SCOPE + "lineitem"})
SCORE_WRITE = frozenset({AGS_SCOPE + "score"})
RESULT_READ = frozenset({AGS_SCOPE + "result.readonly"})
MEMBERSHIP_READ = frozenset({NRPS_SCOPE})


class UnsupportedMediaType(ags.AgsError):
    status = 415


@bp.post("/token")
@csrf.exempt
def token():
    issued = tokens.issue_token(service.demo_platform(), request.form)
    db.session.commit()  # the used jti and the token
    body = {"access_token": issued.value, "token_type": "Bearer",
            "expires_in": issued.expires_in, "scope": " ".join(issued.scopes)}
    return _json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@bp.route("/ags/<context>/lineitems", methods=["GET", "POST"])
@csrf.exempt
def lineitems(context: str):
    if request.method == "POST":
        tokens.require_scope(request.headers.get("Authorization"), LINEITEM_WRITE)
        item = ags.create_line_item(context, _body(ags.LINEITEM_TYPE))
        db.session.commit()
        body = ags.line_item_json(item)
        return _json(body, 201, ags.LINEITEM_TYPE, headers={"Location": body["id"]})
    tokens.require_scope(request.headers.get("Authorization"), LINEITEM_READ)
    items = ags.list_line_items(
        context, resource_link_id=request.args.get("resource_link_id"),
        resource_id=request.args.get("resource_id"), tag=request.args.get("tag"),
    )
    page, link = _page(items, default_limit=None)
    return _json([ags.line_item_json(i) for i in page], mimetype=ags.LINEITEMS_TYPE,
                 headers=link)


@bp.route("/ags/<context>/lineitems/<int:item_id>", methods=["GET", "PUT", "DELETE"])
@csrf.exempt
def lineitem(context: str, item_id: int):
    needed = LINEITEM_READ if request.method == "GET" else LINEITEM_WRITE
    tokens.require_scope(request.headers.get("Authorization"), needed)
    item = ags.find_line_item(context, item_id)
    if request.method == "DELETE":
        ags.delete_line_item(item)
        db.session.commit()
        return Response(status=204)
    if request.method == "PUT":
        ags.update_line_item(item, _body(ags.LINEITEM_TYPE))
        db.session.commit()
    return _json(ags.line_item_json(item), mimetype=ags.LINEITEM_TYPE)


@bp.post("/ags/<context>/lineitems/<int:item_id>/scores")
@csrf.exempt
def post_score(context: str, item_id: int):
    tokens.require_scope(request.headers.get("Authorization"), SCORE_WRITE)
    item = ags.find_line_item(context, item_id)
    score = scores.record_score(item, _body(scores.SCORE_TYPE))
    db.session.commit()  # a refused (older) score is logged too, for the gradebook page
    if not score.is_accepted:
        return _error(409, "conflict", "a score with the same or a later timestamp "
                      "(in whole seconds) was already received")
    result_url = service.lms_url("demo_lms.results", context=context, item_id=item.id)
    return _json({"resultUrl": f"{result_url}/{score.user_id}"})


@bp.get("/ags/<context>/lineitems/<int:item_id>/results")
def results(context: str, item_id: int):
    tokens.require_scope(request.headers.get("Authorization"), RESULT_READ)
    item = ags.find_line_item(context, item_id)
    rows = scores.list_results(item, user_id=request.args.get("user_id"))
    page, link = _page(rows, default_limit=None)
    return _json([scores.result_json(r, item) for r in page], mimetype=scores.RESULTS_TYPE,
                 headers=link)


@bp.get("/nrps/<context>/memberships")
def memberships(context: str):
    tokens.require_scope(request.headers.get("Authorization"), MEMBERSHIP_READ)
    members = nrps.list_members(context, role=request.args.get("role"))
    page, link = _page(members, default_limit=nrps.DEFAULT_PAGE_SIZE)
    body = nrps.container_json(context, request.url, page)
    return _json(body, mimetype=nrps.MEMBERSHIPS_TYPE, headers=link)


@bp.errorhandler(tokens.OAuthError)
def oauth_error(exc: tokens.OAuthError):
    db.session.rollback()
    return _error(exc.status, exc.error, exc.description,
                  headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@bp.errorhandler(tokens.BearerRefused)
def bearer_refused(exc: tokens.BearerRefused):
    db.session.rollback()
    challenge = 'Bearer realm="demo-lms"'
    if exc.error:
        challenge += f', error="{exc.error}", error_description="{exc.description}"'
    return _error(exc.status, exc.error or "invalid_request", exc.description,
                  headers={"WWW-Authenticate": challenge})


@bp.errorhandler(ags.AgsError)
def service_error(exc: ags.AgsError):
    db.session.rollback()
    headers = {"Retry-After": str(scores.RETRY_AFTER)} if exc.status == 503 else {}
    return _error(exc.status, type(exc).__name__, exc.description, headers=headers)


def _body(media_type: str) -> Any:
    """The request's JSON; the AGS media type is required, as Moodle requires it."""
    if request.mimetype != media_type:
        raise UnsupportedMediaType(f"Content-Type must be {media_type}")
    body = request.get_json(silent=True)
    if body is None:
        raise ags.InvalidBody("the body is not valid JSON")
    return body


def _page(items: Sequence, *, default_limit: int | None) -> tuple[Sequence, dict[str, str]]:
    """One page of `items` by `limit` (and our own `page`), with the Link to the next."""
    limit = _positive_int(request.args.get("limit")) or default_limit
    if limit is None:
        return items, {}
    limit = min(limit, nrps.MAX_PAGE_SIZE)
    number = _positive_int(request.args.get("page")) or 1
    page = items[(number - 1) * limit: number * limit]
    if number * limit >= len(items):
        return page, {}
    args = {**request.args.to_dict(), "limit": str(limit), "page": str(number + 1)}
    next_url = service.lms_url(request.endpoint, **{**args, **request.view_args})
    return page, {"Link": f'<{next_url}>; rel="next"'}


def _positive_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def _json(body: Any, status: int = 200, mimetype: str = "application/json",
          headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers or {}, mimetype=mimetype)


def _error(status: int, error: str, description: str,
           headers: dict[str, str] | None = None) -> Response:
    return _json({"error": error, "error_description": description}, status, headers=headers)
