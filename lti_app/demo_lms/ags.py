"""LTI Assignment and Grade Services 2.0, platform side: the line items service.

Request bodies arrive as parsed JSON; answers are plain dicts for the views to
serialise. Scores and results are in `scores.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from ..extensions import db
from . import demo_data, launches, links
from .models import DemoLineItem, DemoResult, DemoScore

LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"


class AgsError(Exception):
    """A service request the demo LMS refuses; `status` is the HTTP answer."""

    status = 400

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class InvalidBody(AgsError):
    status = 400


class NotFound(AgsError):
    status = 404


class UnprocessableScore(AgsError):
    status = 422


def check_context(context_id: str) -> None:
    """The demo LMS has one course; any other context id names nothing."""
    if context_id != demo_data.CONTEXT_ID:
        raise NotFound("no such context")


def list_line_items(
    context_id: str, *, resource_link_id: str | None = None,
    resource_id: str | None = None, tag: str | None = None,
) -> list[DemoLineItem]:
    check_context(context_id)
    query = select(DemoLineItem).where(DemoLineItem.context_id == context_id)
    if resource_link_id is not None:
        link = links.find_link_by_resource_link_id(context_id, resource_link_id)
        query = query.where(DemoLineItem.link_id == (link.id if link else -1))
    if resource_id is not None:
        query = query.where(DemoLineItem.resource_id == resource_id)
    if tag is not None:
        query = query.where(DemoLineItem.tag == tag)
    return list(db.session.scalars(query.order_by(DemoLineItem.id)))


def find_line_item(context_id: str, item_id: int) -> DemoLineItem:
    check_context(context_id)
    item = db.session.get(DemoLineItem, item_id)
    if item is None or item.context_id != context_id:
        raise NotFound("no such line item")
    return item


def create_line_item(context_id: str, body: Any) -> DemoLineItem:
    check_context(context_id)
    item = DemoLineItem(context_id=context_id)
    _apply(item, body)
    db.session.add(item)
    db.session.flush()
    return item


def update_line_item(item: DemoLineItem, body: Any) -> DemoLineItem:
    """PUT replaces the line item's fields (the `id` in the body is ignored)."""
    _apply(item, body)
    db.session.flush()
    return item


def delete_line_item(item: DemoLineItem) -> None:
    """Remove the column and everything received for it, as an LMS does."""
    for model in (DemoResult, DemoScore):
        db.session.execute(delete(model).where(model.line_item_id == item.id))
    db.session.delete(item)
    db.session.flush()


def line_item_json(item: DemoLineItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": launches.lineitem_url(item.context_id, item.id),
        "label": item.label,
        "scoreMaximum": item.score_maximum,
    }
    optional = {
        "resourceId": item.resource_id,
        "tag": item.tag,
        "resourceLinkId": item.link.resource_link_id if item.link else None,
        "startDateTime": item.start_at.isoformat() if item.start_at else None,
        "endDateTime": item.end_at.isoformat() if item.end_at else None,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return body


def _apply(item: DemoLineItem, body: Any) -> None:
    if not isinstance(body, dict):
        raise InvalidBody("the body must be a JSON object")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InvalidBody("label is required")
    item.label = label.strip()[:500]
    item.score_maximum = positive_number(body.get("scoreMaximum"), "scoreMaximum")
    item.resource_id = optional_text(body, "resourceId")
    item.tag = optional_text(body, "tag")
    item.start_at = optional_datetime(body, "startDateTime")
    item.end_at = optional_datetime(body, "endDateTime")
    resource_link_id = optional_text(body, "resourceLinkId")
    # A PUT without resourceLinkId keeps the binding: tools rarely send it back.
    if resource_link_id is not None:
        item.link = links.find_link_by_resource_link_id(item.context_id, resource_link_id)
        if item.link is None:
            raise InvalidBody("resourceLinkId names no link in this context")


def positive_number(value: Any, name: str) -> float:
    # bool is an int in Python, never a score.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidBody(f"{name} must be a number above 0")
    return float(value)


def optional_text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidBody(f"{name} must be a string")
    return value[:255] or None


def optional_datetime(body: dict, name: str) -> datetime | None:
    value = body.get(name)
    return None if value is None else parse_datetime(value, name)


def parse_datetime(value: Any, name: str) -> datetime:
    """ISO 8601 with an offset (the AGS examples end in Z or +00:00)."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidBody(f"{name} must be an ISO 8601 date-time with a time zone")
    return parsed
