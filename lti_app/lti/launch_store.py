"""pylti1p3's launch-data storage on top of the shared store."""

from __future__ import annotations

from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage

from .store import get_store

LAUNCH_DATA_TTL_DEFAULT = 4 * 3600


class SharedLaunchDataStorage(LaunchDataStorage[Any]):
    """Launch data in the store every worker shares, keyed by launch id.

    pylti1p3's own cache storage keeps a per-browser prefix in a cookie; inside an
    iframe that cookie may never arrive, so keys here are not cookie-scoped: a
    launch id is a random UUID and is only handed out inside the signed ltik.
    """

    def __init__(self, ttl: int = LAUNCH_DATA_TTL_DEFAULT) -> None:
        super().__init__()
        self._ttl = ttl

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return get_store().get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        get_store().put(self._prepare_key(key), value, exp or self._ttl)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None
