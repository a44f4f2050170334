"""The dashboard as CSV (streamed) and XLSX, with the dashboard's columns and
the learner's email; the course insights as a CSV and as a second XLSX sheet.

Names come from the LMS and learners type them themselves: a name such as
`=HYPERLINK(...)` must stay text in a spreadsheet (CSV injection, OWASP).

The CSV is in the dialect the trainer's Excel opens with a double click: in
Dutch `;` between cells and a decimal comma (Excel with Dutch settings reads a
`,`-separated file as one column), in English `,` and a decimal point; UTF-8
with a BOM either way. Counts are separate number cells ("modules passed" and
"modules in the course"), never "3/12", which Excel would turn into a date.
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
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from course_content.models import Course

from .insights import CourseInsights, stage_label
from .table import ATTEMPTED, NOT_STARTED, PASSED, READ, LearnerRow, ModuleCell

Cell = str | int | float | datetime | None
Block = tuple[list[str], list[list[Cell]]]  # a header and its rows
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
        _("Email"),
        _("Modules passed"),
        _("Modules in the course"),
        *modules,
        _("Shadowing days confirmed"),
        _("Shadowing days required"),
        _("Waiting for confirmation"),
        _("Certificate"),
        _("Last activity"),
    ]


def body(rows: Iterable[LearnerRow]) -> Iterator[list[Cell]]:
    texts = CellTexts()  # translated once: 12 module cells per learner
    for row in rows:
        yield [
            row.name,
            row.email,
            row.status.modules_passed,
            row.status.modules_total,
            *(texts.module(cell) for cell in row.modules),
            row.status.shadow_days_confirmed,
            row.status.shadow_days_required,
            row.shadow.pending,
            texts.certificate(row.certificate_state),
            _local(row.last_activity_at),
        ]


class CellTexts:
    """The words of the module and certificate cells in the trainer's language,
    looked up once per export rather than once per cell (12,000 at 1,000 learners)."""

    def __init__(self) -> None:
        # gettext without variables returns the pattern, "%%" included.
        self.passed_percent = _("passed (%(percent)s%%)")
        self.attempted_percent = _("attempted (%(percent)s%%)")
        self.words = {
            PASSED: _("passed"),
            READ: _("read"),
            NOT_STARTED: _("not started"),
        }
        self.certificates = {
            "issued": _("issued"),
            "revoked": _("revoked"),
            "eligible": _("eligible"),
        }

    def module(self, cell: ModuleCell) -> str:
        if cell.state == PASSED and cell.best_percent is not None:
            return self.passed_percent % {"percent": cell.best_percent}
        if cell.state == ATTEMPTED:
            return self.attempted_percent % {"percent": cell.best_percent or 0}
        return self.words.get(cell.state, self.words[NOT_STARTED])

    def certificate(self, state: str) -> str:
        return self.certificates.get(state, "")


def neutralise(value: str) -> str:
    """A leading apostrophe makes a spreadsheet show the text, not run it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def insights_rows(insights: CourseInsights, lang: str) -> list[Block]:
    """The insights page's numbers: stages, modules, questions (three tables)."""
    stages = (
        [_("Stage"), _("Learners")],
        [[stage_label(stage.key), stage.count] for stage in insights.stages],
    )
    modules = (
        [
            _("Module"),
            _("Started"),
            _("Took the quiz"),
            _("Passed"),
            _("Pass rate (%)"),
            _("Median attempts"),
        ],
        [
            [
                f"{item.number}. {item.module.title.get(lang)}",
                item.started,
                item.attempted,
                item.passed,
                item.pass_percent,
                item.median_attempts,
            ]
            for item in insights.modules
        ],
    )
    questions = (
        [
            _("Module"),
            _("Question"),
            _("Answered"),
            _("Answered right"),
            _("Answered right (%)"),
            _("Most chosen wrong answer"),
            _("Chosen by"),
        ],
        [
            [
                f"{item.number}. {item.module.title.get(lang)}",
                f"{question.number}. {question.question.text.get(lang)}",
                question.answered,
                question.right,
                question.percent_right,
                question.top_wrong_text(lang),
                question.top_wrong_count or None,
            ]
            for item in insights.modules
            for question in item.questions
        ],
    )
    return [stages, modules, questions]


def csv_lines(
    head: list[str], cells: Iterable[list[Cell]], lang: str = "en"
) -> Iterator[str]:
    """One CSV line at a time (for a streamed response); the BOM comes first."""
    line = _csv_writer(lang)
    yield BOM + line(list(head))
    for values in cells:
        yield line(values)


def csv_table(blocks: list[Block], lang: str = "en") -> Iterator[str]:
    """Several tables in one CSV, an empty line between them."""
    line = _csv_writer(lang)
    for number, (head, rows) in enumerate(blocks):
        yield (BOM if number == 0 else "\r\n") + line(list(head))
        for values in rows:
            yield line(values)


def xlsx_bytes(
    head: list[str],
    cells: Iterable[list[Cell]],
    title: str,
    insights: list[Block] | None = None,
) -> bytes:
    """The learners' sheet (header frozen with the names, columns sized) and,
    given `insights`, a second sheet with those tables."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "B2"  # the header row and the learners' names stay in view
    for column, width in enumerate(_widths(head), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[1].height = 45  # module titles wrap in three lines
    sheet.append([_header_cell(sheet, value) for value in head])
    for values in cells:
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    if insights is not None:
        _insights_sheet(workbook, insights)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _insights_sheet(workbook: Workbook, blocks: list[Block]) -> None:
    sheet = workbook.create_sheet(_sheet_title(_("Insights")))
    widths = [40, 50, 14, 14, 14, 40, 12]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, (head, rows) in enumerate(blocks):
        if number:
            sheet.append([])
        sheet.append([_header_cell(sheet, value) for value in head])
        for values in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in values])


def _widths(head: list[str]) -> list[int]:
    """Learner and email wide, module columns for "attempted (40%)", counts narrow."""
    widths = [28, 30, 12, 12]
    widths += [16] * (len(head) - 4 - 5)
    return widths + [14, 14, 14, 12, 17]


def _csv_writer(lang: str):
    buffer = io.StringIO()
    dutch = lang.startswith("nl")
    writer = csv.writer(buffer, delimiter=";" if dutch else ",")

    def line(values: list[Cell]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(value, dutch) for value in values])
        return buffer.getvalue()

    return line


def _csv_value(value: Cell, dutch: bool = False) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if dutch else text
    return neutralise(value)


def _header_cell(sheet, value: Cell) -> WriteOnlyCell:
    cell = _xlsx_cell(sheet, value)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


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
