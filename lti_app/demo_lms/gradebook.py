"""What the demo gradebook page shows: current results per column, and the score log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from . import demo_data
from .models import DemoLineItem, DemoResult, DemoScore

LOG_LENGTH = 200  # newest first; older entries stay in the table


@dataclass(frozen=True)
class GradebookColumn:
    line_item: DemoLineItem
    title: str
    results: list[tuple[str, DemoResult]]  # (person's name, result)


def columns(context_id: str = demo_data.CONTEXT_ID) -> list[GradebookColumn]:
    items = db.session.scalars(
        select(DemoLineItem)
        .where(DemoLineItem.context_id == context_id)
        .options(selectinload(DemoLineItem.link))
        .order_by(DemoLineItem.id)
    ).all()
    results = db.session.scalars(
        select(DemoResult)
        .join(DemoResult.line_item)
        .where(DemoLineItem.context_id == context_id)
        .order_by(DemoResult.id)
    ).all()
    by_item: dict[int, list[tuple[str, DemoResult]]] = {}
    for result in results:
        by_item.setdefault(result.line_item_id, []).append((person_name(result.user_id), result))
    return [
        GradebookColumn(item, column_title(item), sorted(by_item.get(item.id, []), key=_by_name))
        for item in items
    ]


def score_log(context_id: str = demo_data.CONTEXT_ID,
              limit: int = LOG_LENGTH) -> list[tuple[str, DemoScore]]:
    scores = db.session.scalars(
        select(DemoScore)
        .join(DemoScore.line_item)
        .where(DemoLineItem.context_id == context_id)
        .options(selectinload(DemoScore.line_item).selectinload(DemoLineItem.link))
        .order_by(DemoScore.id.desc())
        .limit(limit)
    ).all()
    return [(person_name(score.user_id), score) for score in scores]


def person_name(user_id: str) -> str:
    person = demo_data.member_by_user_id(user_id)
    return person.name if person else user_id


def column_title(item: DemoLineItem) -> str:
    # The link's title is what a trainer recognises; a second column the tool
    # made for the same link is told apart by its own label.
    if item.link is None or item.label == item.link.title:
        return item.label
    return f"{item.link.title}: {item.label}"


def _by_name(row: tuple[str, DemoResult]) -> str:
    return row[0].casefold()
