"""The dashboard as CSV (streamed) and XLSX, with the dashboard's columns.

Names come from the LMS and learners type them themselves: a name such as
`=HYPERLINK(...)` must stay text in a spreadsheet (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import to_user_timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from course_content.models import Course

from .table import ATTEMPTED, PASSED, READ, LearnerRow, ModuleCell

Cell = str | int | datetime | None
# Spreadsheets start a formula with these; tab and CR can hide one after them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with the BOM


def header(course: Course, lang: str) -> list[str]:
    modules = [
        f"{number}. {module.title.get(lang)}"
        for number, module in enumerate(course.published_modules, start=1)
    ]
    return [
        _("Learner"),
        _("Modules passed"),
        *modules,
        _("Shadowing days confirmed"),
        _("Shadowing days required"),
        _("Waiting for confirmation"),
        _("Certificate"),
        _("Last activity"),
    ]


def body(rows: Iterable[LearnerRow]) -> Iterator[list[Cell]]:
    for row in rows:
        yield [
            row.name,
            f"{row.status.modules_passed}/{row.status.modules_total}",
            *(module_text(cell) for cell in row.modules),
            row.status.shadow_days_confirmed,
            row.status.shadow_days_required,
            row.shadow.pending,
            certificate_text(row.certificate_state),
            _local(row.last_activity_at),
        ]


def module_text(cell: ModuleCell) -> str:
    if cell.state == PASSED:
        if cell.best_percent is None:
            return _("passed")
        return _("passed (%(percent)s%%)", percent=cell.best_percent)
    if cell.state == ATTEMPTED:
        return _("attempted (%(percent)s%%)", percent=cell.best_percent or 0)
    if cell.state == READ:
        return _("read")
    return _("not started")


def certificate_text(state: str) -> str:
    return {
        "issued": _("issued"),
        "revoked": _("revoked"),
        "eligible": _("eligible"),
    }.get(state, "")


def neutralise(value: str) -> str:
    """A leading apostrophe makes a spreadsheet show the text, not run it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(head: list[str], cells: Iterable[list[Cell]]) -> Iterator[str]:
    """One CSV line at a time (for a streamed response); the BOM comes first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Cell]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(value) for value in values])
        return buffer.getvalue()

    yield BOM + line(list(head))
    for values in cells:
        yield line(values)


def xlsx_bytes(head: list[str], cells: Iterable[list[Cell]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.append([_xlsx_cell(sheet, value) for value in head])
    for values in cells:
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_value(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return value
    return neutralise(value)


def _xlsx_cell(sheet, value: Cell) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # Stored as a text cell: Excel shows "=..." as typed and never evaluates
        # it (openpyxl would otherwise write any "=..." string as a formula).
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def _local(moment: datetime | None) -> datetime | None:
    """The trainer's time zone, without tzinfo (spreadsheets have no time zones)."""
    return to_user_timezone(moment).replace(tzinfo=None) if moment else None


def _sheet_title(title: str) -> str:
    # Excel's rules: at most 31 characters, none of []:*?/\
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Dashboard"
