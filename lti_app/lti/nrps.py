"""Fetch an LMS course's members with LTI Names and Role Provisioning Services 2.0.

Plain `Member`s out; trainer/roster.py stores them.

pylti1p3's NamesRolesProvisioningService is not used for the pages: its
ServiceConnector lowercases the whole `Link` header before reading the next
page's URL, which breaks case-sensitive page tokens (Canvas), and it follows
pages without a limit. Only its access token request is reused.
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
from .services import TimeoutSession, service_connector

MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
PAGE_SIZE = 100
PAGE_CAP = 50  # 5,000 members; a larger course gets a partial roster and a note
# The trainer waits for the answer (no background job yet): stop asking for
# more pages after this many seconds and keep what arrived.
TIME_BUDGET = 8.0
CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 5.0  # per page, and never past the time budget


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
    # False: stopped by the page cap, the time budget or a link to another host.
    is_complete: bool


def fetch_members(
    platform: Platform,
    memberships_url: str,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> FetchedRoster:
    """Every page of the roster, within PAGE_CAP pages and TIME_BUDGET seconds."""
    deadline = clock() + TIME_BUDGET
    try:
        token = service_connector(platform).get_access_token([NRPS_SCOPE])
    except LtiServiceException as exc:
        raise RosterUnavailable(f"token:{exc.response.status_code}") from None
    except requests.Timeout:
        raise RosterUnavailable("timeout") from None
    except (requests.RequestException, ValueError, KeyError):
        raise RosterUnavailable("unreachable") from None
    session = TimeoutSession()
    headers = {"Authorization": f"Bearer {token}", "Accept": MEMBERSHIPS_TYPE}
    members: list[Member] = []
    url: str | None = _with_limit(memberships_url)
    pages = 0
    while url:
        if pages == PAGE_CAP or clock() >= deadline:
            return FetchedRoster(members, is_complete=False)
        read_timeout = max(1.0, min(READ_TIMEOUT, deadline - clock()))
        body, next_url = _get_page(
            session, url, headers, (CONNECT_TIMEOUT, read_timeout)
        )
        members += _members_of(body)
        pages += 1
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
    timeout: tuple[float, float],
) -> tuple[Any, str | None]:
    try:
        response = session.get(url, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise RosterUnavailable("timeout") from None
    except requests.RequestException:
        raise RosterUnavailable("unreachable") from None
    if not response.ok:
        raise RosterUnavailable(f"http:{response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise RosterUnavailable("invalid") from None
    # requests parses `Link` without changing the URL's case (unlike pylti1p3).
    nexts = [
        link.get("url") for rel, link in response.links.items() if rel.lower() == "next"
    ]
    return body, urljoin(url, nexts[0]) if nexts and nexts[0] else None


def _members_of(body: Any) -> list[Member]:
    if not isinstance(body, dict) or not isinstance(body.get("members"), list):
        raise RosterUnavailable("invalid")
    members = []
    for item in body["members"]:
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
