"""The platform's HTTP answers: our request headers, JSON bodies, error texts."""

from __future__ import annotations

import json

import requests


def request_headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def json_object(response: requests.Response) -> dict | None:
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def describe_answer(response: requests.Response, limit: int = 600) -> str | None:
    """The platform's words: Canvas {"errors": [...]}, OAuth {"error"...}, or text."""
    data = json_object(response)
    if data is not None:
        parts = [_error_text(e) for e in _as_list(data.get("errors"))]
        error, description = data.get("error"), data.get("error_description")
        if error or description:
            parts.append(": ".join(str(p) for p in (error, description) if p))
        parts += [str(data[k]) for k in ("errorMessage", "message") if data.get(k)]
        text = "; ".join(p for p in parts if p) or json.dumps(data)
    elif "html" in response.headers.get("Content-Type", ""):
        text = ""  # an error page's markup says nothing to the admin
    else:
        text = response.text  # Moodle answers in plain text ("token_already_used")
    text = " ".join(text.split())
    return text[:limit] or None


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        field, message = error.get("field"), error.get("message") or error.get("error")
        if message:
            return f"{field}: {message}" if field else str(message)
        return json.dumps(error)
    return str(error)


def _as_list(errors: object) -> list:
    if isinstance(errors, dict):  # Rails-style {"field": ["message", ...]}
        return [f"{key}: {', '.join(map(str, _as_list(value) or [value]))}"
                for key, value in errors.items()]
    return errors if isinstance(errors, list) else []
