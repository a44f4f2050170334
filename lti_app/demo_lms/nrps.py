"""LTI Names and Role Provisioning Services 2.0, platform side: the course roster."""

from __future__ import annotations

from typing import Any

from . import demo_data
from .ags import check_context
from .demo_data import DemoPerson
from .platform import MEMBERSHIP

MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
# Canvas pages its roster by 10 when the tool gives no limit; doing the same
# shows a newcomer's tool the `Link: rel="next"` it must follow.
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


def list_members(context_id: str, *, role: str | None = None) -> list[DemoPerson]:
    """Every member of the course, optionally only those holding `role`.

    `role` is a full role URI or its short form (`Learner`), as NRPS allows.
    """
    check_context(context_id)
    people = demo_data.members()
    if role:
        people = tuple(p for p in people if any(_matches(r, role) for r in _context_roles(p)))
    return list(people)


def container_json(context_id: str, url: str, members: list[DemoPerson]) -> dict[str, Any]:
    return {
        "id": url,
        "context": {
            "id": context_id,
            "label": demo_data.CONTEXT_TITLE[:20],
            "title": demo_data.CONTEXT_TITLE,
        },
        "members": [member_json(p) for p in members],
    }


def member_json(person: DemoPerson) -> dict[str, Any]:
    return {
        "status": "Active",
        "user_id": demo_data.user_id(person),
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "roles": _context_roles(person),
    }


def _context_roles(person: DemoPerson) -> list[str]:
    # NRPS lists roles in the course; institution and system roles are not.
    return [r for r in person.roles if r.startswith(MEMBERSHIP)]


def _matches(role: str, wanted: str) -> bool:
    # Case-insensitive: pylti1p3 lowercases the whole Link header it follows.
    wanted = wanted.casefold()
    return role.casefold() == wanted or role.removeprefix(MEMBERSHIP).casefold() == wanted
