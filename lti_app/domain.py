"""The base of every rule a service refuses; errors.py turns them into pages."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a rule: a 4xx page in the user's language."""

    status = 409

    def user_message(self) -> str:
        from flask_babel import gettext as _

        return _("This conflicts with what is already saved.")
