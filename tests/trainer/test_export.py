"""CSV (streamed, BOM, formulas neutralised) and XLSX exports of the dashboard."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from lti_app.trainer.export import neutralise
from tests.trainer.conftest import launch_trainer
from lti_app.testing import library_basics, make_learner, seed_every_stage

DANGEROUS = [
    '=HYPERLINK("http://evil")',
    "+31 20 123",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
]


def _seed(seed, trainer):
    def build(context):
        stages = seed_every_stage(context, library_basics())
        for n, name in enumerate(DANGEROUS):
            make_learner(
                context=context, name=name, given_name=f"D{n}", family_name="Zz"
            )
        return stages

    return seed(trainer.context_id, build)


def test_csv_is_streamed_with_bom_and_neutralised_cells(client, trainer, seed):
    _seed(seed, trainer)
    response = client.get(trainer.url("/trainer/export.csv"))
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="library-basics-'
    )
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:5] == [
        "Learner",
        "Email",
        "Modules passed",
        "Modules in the course",
        "1. The library and the Dutch landscape",
    ]
    assert header[-5:] == [
        "Shadowing days confirmed",
        "Shadowing days required",
        "Waiting for confirmation",
        "Certificate",
        "Last activity",
    ]
    assert len(header) == 4 + len(library_basics().published_modules) + 5 and all(len(row) == len(header) for row in body)
    by_name = {row[0]: row for row in body}
    modules = len(library_basics().published_modules)
    # Counts are numbers in cells of their own: no "3/15" for Excel to read as a date.
    assert by_name["Wouter de Graaf"][1:4] == ["wouter@example.org", str(modules), str(modules)]
    assert by_name["Ilse de Groot"][2] == "3" and not any("/" in cell for row in body for cell in row[2:4])
    assert by_name["Wouter de Graaf"][-5:-1] == ["1", "2", "1", ""]
    assert by_name["Ilse de Groot"][4:9] == ["passed (90%)"] * 3 + [
        "attempted (40%)",
        "not started",
    ]
    assert by_name["Chris Bakker"][-2] == "issued"
    assert by_name["Karim El Amrani"][-2] == "eligible"
    assert by_name["Roos Brouwer"][-2] == "revoked"
    assert by_name["Noor Hendriks"][-1] == ""
    for name in DANGEROUS:
        assert "'" + name in by_name, name
    assert not any(row[0].startswith(("=", "+", "-", "@", "\t", "\r")) for row in body)


def test_export_follows_the_filter_and_order(client, trainer, seed):
    _seed(seed, trainer)
    response = client.get(
        trainer.url("/trainer/export.csv", filter="complete", sort="name", order="desc")
    )
    names = [
        row[0] for row in csv.reader(io.StringIO(response.get_data(as_text=True)))
    ][1:]
    assert names == ["Karim El Amrani", "Roos Brouwer", "Chris Bakker"]


def test_dutch_csv_is_in_the_dialect_dutch_excel_opens(app, client, lms, seed):
    trainer = launch_trainer(app, client, lms, locale="nl")
    _seed(seed, trainer)
    raw = client.get(trainer.url("/trainer/export.csv")).get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    # Excel with Dutch settings splits on ";" (a "," file opens as one column).
    assert text.split("\r\n")[0].startswith("Cursist;E-mail;"), text[:80]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows[0]) == 4 + len(library_basics().published_modules) + 5
    assert all(len(row) == len(rows[0]) for row in rows[1:])
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["ilse@example.org"][2] == "3"
    assert "/" not in "".join(row[2] + row[3] for row in rows[1:])


def test_xlsx_opens_and_has_the_rows_as_text(client, trainer, seed):
    _seed(seed, trainer)
    response = client.get(trainer.url("/trainer/export.xlsx"))
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert sheet.title == "Library Basics"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Learner", "Email", "Modules passed", "Modules in the course")
    assert len(rows) == 1 + 6 + len(DANGEROUS)
    # The header row and the names stay in view; columns have widths.
    assert sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width >= 25
    assert sheet.column_dimensions["B"].width >= 25
    assert sheet["A1"].font.b
    by_name = {row[0]: row for row in rows[1:]}
    modules = len(library_basics().published_modules)
    assert by_name["Ilse de Groot"][1:4] == ("ilse@example.org", 3, modules)
    assert by_name["Wouter de Graaf"][-5:-2] == (1, 2, 1)
    assert by_name["Noor Hendriks"][-1] is None
    assert (
        by_name["Chris Bakker"][-1].year >= 2026
    )  # a real date, in the trainer's zone
    # Formula-like names are text cells: shown as typed, never evaluated.
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row[:1]}
    for name in DANGEROUS:
        stored = name.replace("\r", "\n") if name.startswith("\r") else name
        cell = cells.get(name) or cells.get(stored)
        assert cell is not None and cell.data_type == "s", name


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anna", "Anna"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
