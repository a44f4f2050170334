"""LTI role URIs -> the tool's three roles (people.models.Role)."""

from __future__ import annotations

from collections.abc import Iterable

from ..people.models import ROLE_ADMIN, ROLE_LEARNER, ROLE_TRAINER

_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
_TRAINER_ROLES = {
    f"{_MEMBERSHIP}#Instructor",
    f"{_MEMBERSHIP}#TeachingAssistant",
    f"{_MEMBERSHIP}#ContentDeveloper",
    f"{_MEMBERSHIP}#Administrator",
    f"{_MEMBERSHIP}/Instructor#TeachingAssistant",
    # LTI 1.3 still allows the short forms for context roles.
    "Instructor",
    "TeachingAssistant",
    "ContentDeveloper",
}
_ADMIN_ROLES = {
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
}


def is_admin(lti_roles: Iterable[str]) -> bool:
    return any(role in _ADMIN_ROLES for role in lti_roles)


def course_role(lti_roles: Iterable[str]) -> str:
    """The role in this course: trainer for teaching roles, admin, else learner.

    Only context (membership) roles count for trainer: an institution-wide
    "Instructor" who is a student in this course stays a learner here.
    """
    roles = list(lti_roles)
    if is_admin(roles):
        return ROLE_ADMIN
    # Sub-roles of Instructor (membership/Instructor#TeachingAssistant, ...) teach too.
    if any(r in _TRAINER_ROLES or r.startswith(f"{_MEMBERSHIP}/Instructor#") for r in roles):
        return ROLE_TRAINER
    return ROLE_LEARNER
