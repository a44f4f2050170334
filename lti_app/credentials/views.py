"""Public, cacheable addresses a credential names: the key set and each key,
the status lists, the issuer and organiser profiles, the achievement and its
image. Nothing here needs a launch; nothing personal is served."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from ..extensions import db
from ..launch_scope import find_course
from . import publishing, status_list

bp = Blueprint("credentials", __name__, url_prefix="/credentials", cli_group="credentials")

# The key set and profiles change rarely; a status list changes on revocation,
# so verifiers may keep it a few minutes only.
LONG_CACHE = "public, max-age=3600"
STATUS_CACHE = "public, max-age=300"


def _json(document: dict, cache: str = LONG_CACHE, mimetype: str = "application/json"):
    response = jsonify(document)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets verify in the browser
    return response


@bp.get("/jwks")
def jwks():
    document = publishing.key_set()
    db.session.commit()  # the first key, if this made it
    return _json(document, mimetype="application/jwk-set+json")


@bp.get("/keys/<kid>")
def key(kid: str):
    jwk = publishing.key_document(kid)
    if jwk is None:
        abort(404)
    return _json(jwk, mimetype="application/jwk+json")


@bp.get("/status/<list_id>")
def status(list_id: str):
    parsed = status_list.parse_list_id(list_id)
    if parsed is None or not status_list.list_exists(*parsed):
        abort(404)
    token = publishing.status_list_jwt(*parsed)
    db.session.commit()  # a first signing key, if none was left
    if request.args.get("format") == "json":
        return _json(publishing.decoded(token), cache=STATUS_CACHE)
    response = publishing.text_response(token, "application/vc+jwt")
    response.headers["Cache-Control"] = STATUS_CACHE
    return response


@bp.get("/issuers/<key>")
def issuer(key: str):
    profile = publishing.issuer_document(key)
    if profile is None:
        abort(404)
    return _json(profile)


@bp.get("/achievements/<slug>")
def achievement(slug: str):
    course = find_course(slug)
    if course is None:
        abort(404)
    lang = "en" if request.args.get("lang") == "en" else "nl"
    return _json(publishing.achievement_document(course, lang))


@bp.get("/creators/<slug>")
def creator(slug: str):
    course = find_course(slug)
    if course is None:
        abort(404)
    return _json(publishing.creator_document(course))


@bp.get("/achievements/<slug>/badge.png")
def badge_image(slug: str):
    course = find_course(slug)
    if course is None or course.badge is None:
        abort(404)
    # At most 1 MB (checked by the content check): read whole, no file left open.
    response = Response(course.badge.image.read_bytes(), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
