"""Who counts as a trainer: one rule for every feature (lti.roles maps LTI's roles)."""

from __future__ import annotations

from .models import ROLE_ADMIN, ROLE_TRAINER

# Who may do what a trainer does: an admin counts as a trainer everywhere.
TRAINER_ROLES = frozenset({ROLE_TRAINER, ROLE_ADMIN})


def is_trainer_role(role: str | None) -> bool:
    """Our own role (learner | trainer | admin), not an LTI role URI."""
    return role in TRAINER_ROLES
