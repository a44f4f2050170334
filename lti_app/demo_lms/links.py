"""The demo course's links to the tool and the gradebook column each one has."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from . import demo_data
from .models import DemoLineItem, DemoLink

# What Moodle gives a new graded activity when the tool names no maximum.
DEFAULT_SCORE_MAXIMUM = 100.0


@dataclass(frozen=True)
class LineItemSpec:
    """The gradebook column a new link asks for (a deep linking `lineItem`)."""

    score_maximum: float
    label: str | None = None
    resource_id: str | None = None
    tag: str | None = None


def seed_links() -> None:
    """Add demo_data.LINKS when missing; safe to call on every visit."""
    existing = set(db.session.scalars(select(DemoLink.key)))
    for link in demo_data.LINKS.values():
        if link.key in existing:
            continue
        custom = dict(link.custom)
        add_link(
            title=link.title, custom=custom, key=link.key,
            line_item=LineItemSpec(DEFAULT_SCORE_MAXIMUM, resource_id=custom.get("course")),
        )


def list_links(context_id: str = demo_data.CONTEXT_ID) -> list[DemoLink]:
    return list(
        db.session.scalars(
            select(DemoLink).where(DemoLink.context_id == context_id).order_by(DemoLink.id)
        )
    )


def find_link(key: str) -> DemoLink | None:
    return db.session.scalar(select(DemoLink).where(DemoLink.key == key))


def find_link_by_resource_link_id(context_id: str, resource_link_id: str) -> DemoLink | None:
    key = resource_link_id.removeprefix("demo-link-")
    link = find_link(key)
    ok = link and link.context_id == context_id and link.resource_link_id == resource_link_id
    return link if ok else None


def custom_params(link: DemoLink) -> dict[str, str]:
    return json.loads(link.custom_json or "{}")


def add_link(*, title: str, custom: Mapping[str, str] | None = None, url: str | None = None,
             line_item: LineItemSpec | None = None, key: str | None = None,
             context_id: str = demo_data.CONTEXT_ID) -> DemoLink:
    link = DemoLink(
        key=key or secrets.token_hex(6), context_id=context_id, title=title, url=url,
        custom_json=json.dumps(dict(custom or {}), ensure_ascii=False),
    )
    db.session.add(link)
    db.session.flush()
    if line_item is not None:
        _add_line_item(link, line_item)
    return link


def line_item_of_link(link: DemoLink) -> DemoLineItem:
    """The column launches announce as `lineitem`: the link's oldest; made if missing.

    Like Moodle, a link keeps the column it was created with even when the tool
    adds more for the same link through the line items service.
    """
    item = db.session.scalar(
        select(DemoLineItem).where(DemoLineItem.link_id == link.id).order_by(DemoLineItem.id)
    )
    return item or _add_line_item(link, LineItemSpec(DEFAULT_SCORE_MAXIMUM))


def _add_line_item(link: DemoLink, spec: LineItemSpec) -> DemoLineItem:
    item = DemoLineItem(
        context_id=link.context_id, link=link, label=spec.label or link.title,
        score_maximum=spec.score_maximum, resource_id=spec.resource_id, tag=spec.tag,
    )
    db.session.add(item)
    db.session.flush()
    return item
