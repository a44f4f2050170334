"""Fetch an LMS course's members with LTI Names and Role Provisioning Services 2.0.

Plain `Member`s out; trainer/roster.py stores them.

pylti1p3's NamesRolesProvisioningService is not used for the pages: its
ServiceConnector lowercases the whole `Link` header before reading the next
page's URL, which breaks case-sensitive page tokens (Canvas), and it follows
pages without a limit. Only its access token request is reused.

Every call (token, each page) goes through lti/http.py: one deadline for the
whole call, at most 2 MB a page, JSON nested at most 32 deep. A roster has at
most MEMBER_CAP members, counted across pages and within a page: reading stops
there and the roster is marked incomplete (the trainer sees "Incomplete").
The refresh runs as a background job (trainer/roster.py), never in a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
from pylti1p3.exception import LtiServiceException

from ..domain import DomainError
from ..platforms.models import Platform
from .claims import NRPS_SCOPE
from .http import BodyTooLarge, BoundedSession, UnsafeBody, deadline_for
from .services import service_connector

MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
PAGE_SIZE = 100
PAGE_CAP = 50
MEMBER_CAP = 5000  # across pages and within one; a larger course gets a partial roster
# A background job (nobody waits on a page): stop asking for more pages after
# this many seconds and keep what arrived. Each call also has its own deadline
# (FLASK_OUTBOUND_TIMEOUT), never past this budget.
TIME_BUDGET = 60.0


class RosterUnavailable(DomainError):
    """The LMS gave no usable roster; `code` says why (roster.failure_message)."""

    status = 502

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = self.reason = code


@dataclass(frozen=True)
class Member:
    user_id: str
    roles: tuple[str, ...]
    name: str | None
    given_name: str | None
    family_name: str | None
    email: str | None
    is_active: bool


@dataclass(frozen=True)
class FetchedRoster:
    members: list[Member]
    # False: stopped by the page or member cap, the time budget or a link to
    # another host.
    is_complete: bool


def fetch_members(
    platform: Platform,
    memberships_url: str,
    *,
    clock: Callable[[], float] = time.monotonic,
    on_page: Callable[[int], None] | None = None,
) -> FetchedRoster:
    """Every page of the roster, within PAGE_CAP pages, MEMBER_CAP members and
    TIME_BUDGET seconds; `on_page(members so far)` after each page."""
    deadline = clock() + TIME_BUDGET
    try:
        token = service_connector(platform).get_access_token([NRPS_SCOPE])
    except LtiServiceException as exc:
        raise RosterUnavailable(f"token:{exc.response.status_code}") from None
    except requests.Timeout:
        raise RosterUnavailable("timeout") from None
    except (BodyTooLarge, UnsafeBody):
        raise RosterUnavailable("invalid") from None
    except (requests.RequestException, ValueError, KeyError, TypeError):
        raise RosterUnavailable("unreachable") from None
    session = BoundedSession("roster")
    headers = {"Authorization": f"Bearer {token}", "Accept": MEMBERSHIPS_TYPE}
    members: list[Member] = []
    url: str | None = _with_limit(memberships_url)
    pages = 0
    while url:
        if pages == PAGE_CAP or clock() >= deadline:
            return FetchedRoster(members, is_complete=False)
        seconds = max(0.5, min(deadline_for("roster"), deadline - clock()))
        body, next_url = _get_page(session, url, headers, seconds)
        room = MEMBER_CAP - len(members)
        page = _members_of(body, limit=room)
        members += page[:room]
        pages += 1
        if on_page is not None:
            on_page(len(members))
        if len(page) > room or (len(members) == MEMBER_CAP and next_url):
            return FetchedRoster(members, is_complete=False)
        if next_url and not _same_origin(next_url, memberships_url):
            # The bearer token goes to the LMS that issued it, nowhere else.
            return FetchedRoster(members, is_complete=False)
        url = next_url
    return FetchedRoster(members, is_complete=True)


# -- helpers --------------------------------------------------------------------------


def _get_page(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    seconds: float,
) -> tuple[Any, str | None]:
    try:
        response = session.get(url, headers=headers, deadline=seconds)
    except requests.Timeout:
        raise RosterUnavailable("timeout") from None
    except (BodyTooLarge, UnsafeBody):
        raise RosterUnavailable("invalid") from None
    except requests.RequestException:
        raise RosterUnavailable("unreachable") from None
    if not response.ok:
        raise RosterUnavailable(f"http:{response.status_code}")
    try:
        body = response.json()
    except (ValueError, RecursionError):
        raise RosterUnavailable("invalid") from None
    # requests parses `Link` without changing the URL's case (unlike pylti1p3).
    nexts = [
        link.get("url") for rel, link in response.links.items() if rel.lower() == "next"
    ]
    return body, urljoin(url, nexts[0]) if nexts and nexts[0] else None


def _members_of(body: Any, limit: int = MEMBER_CAP) -> list[Member]:
    """The page's members, reading at most `limit` + 1 (one more says "there are more")."""
    if not isinstance(body, dict) or not isinstance(body.get("members"), list):
        raise RosterUnavailable("invalid")
    members = []
    for item in body["members"]:
        if len(members) > limit:
            break
        user_id = item.get("user_id") if isinstance(item, dict) else None
        if not isinstance(user_id, str) or not user_id.strip():
            continue  # one odd entry should not cost the whole roster
        roles = tuple(r for r in item.get("roles") or [] if isinstance(r, str))
        members.append(
            Member(
                user_id=user_id.strip()[:255],
                roles=roles,
                name=_text(item.get("name"), 300),
                given_name=_text(item.get("given_name"), 200),
                family_name=_text(item.get("family_name"), 200),
                email=_text(item.get("email"), 320),
                # "Inactive" and "Deleted" members are not (any more) in the course.
                is_active=item.get("status", "Active") == "Active",
            )
        )
    return members


def _with_limit(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key == "limit" for key, _value in query):
        query.append(("limit", str(PAGE_SIZE)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:limit] or None
