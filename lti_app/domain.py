"""The one family of refusals: a reason code, an HTTP status, a user message.

Services raise these without knowing about Flask; errors.py turns every one of
them into a page in the user's language (or JSON), choosing `template` when an
error needs a special page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """A request that breaks a rule: a 4xx/5xx page in the user's language."""

    status: int = 409
    reason: str = "conflict"
    template: str | None = None  # None: errors/error.html

    def user_message(self) -> str:
        from flask_babel import gettext as _

        return _("This conflicts with what is already saved.")

    def title(self) -> str | None:
        """The page's heading; None: the one of its status (errors.TITLES)."""
        return None

    def page_context(self) -> dict[str, Any]:
        """Extra values for `template` (besides status, title and message)."""
        return {}


class ReasonError(DomainError):
    """A DomainError whose subclass lists its reasons once:
    REASONS = {reason: (status, lazy message with %(name)s params)}."""

    REASONS: ClassVar[Mapping[str, tuple[int, Any]]] = {}

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason, params)
        self.reason = reason
        self.params = params

    @property
    def status(self) -> int:  # type: ignore[override]
        return self.REASONS[self.reason][0]

    @property
    def message(self) -> str:
        return str(self.REASONS[self.reason][1]) % self.params

    def user_message(self) -> str:
        return self.message

    def __str__(self) -> str:  # the reason only: safe for logs
        return f"{type(self).__name__}: {self.reason}"
