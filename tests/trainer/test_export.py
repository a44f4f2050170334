"""CSV (streamed, BOM, formulas neutralised) and XLSX exports of the dashboard."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from lti_app.trainer.export import neutralise
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
    assert header[:3] == [
        "Learner",
        "Modules passed",
        "1. The library and the Dutch landscape",
    ]
    assert header[-5:] == [
        "Shadowing days confirmed",
        "Shadowing days required",
        "Waiting for confirmation",
        "Certificate",
        "Last activity",
    ]
    assert len(header) == 2 + len(library_basics().published_modules) + 5 and all(len(row) == len(header) for row in body)
    by_name = {row[0]: row for row in body}
    modules = len(library_basics().published_modules)
    assert by_name["Wouter de Graaf"][1] == f"{modules}/{modules}"
    assert by_name["Wouter de Graaf"][-5:-1] == ["1", "2", "1", ""]
    assert by_name["Ilse de Groot"][2:7] == ["passed (90%)"] * 3 + [
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
    assert rows[0][0] == "Learner" and len(rows) == 1 + 6 + len(DANGEROUS)
    by_name = {row[0]: row for row in rows[1:]}
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
