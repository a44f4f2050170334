"""Course insights: learners per stage, pass rate and median attempts per module,
and per question the share answered right and the wrong answer chosen most;
the same numbers in the insights CSV and the XLSX's second sheet."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from lti_app.testing import library_basics, seed_every_stage
from lti_app.trainer.export import _csv_value
from tests.trainer.conftest import launch_trainer
from tests.trainer.helpers import make_attempt

MODULE = "library-landscape"  # module 1


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _seed(seed, context_id: int) -> None:
    course = library_basics()

    def build(context):
        stages = seed_every_stage(context, course)

        def attempt(stage, **answers):
            make_attempt(stages[stage].id, course, MODULE, answers)

        attempt("in_progress", **{"joint-negotiation": ["a", "b"], "deal-scope": ["c"],
                                   "negotiations-saved": ["12"]})
        # A second attempt after the review: not counted per question.
        attempt("in_progress", **{"joint-negotiation": ["a", "b"], "deal-scope": ["b"],
                                   "negotiations-saved": ["13"]})
        attempt("waiting", **{"joint-negotiation": ["a"], "deal-scope": ["c"],
                               "negotiations-saved": ["13"]})
        attempt("complete", **{"joint-negotiation": ["a", "b", "d"], "deal-scope": ["a"],
                                "negotiations-saved": ["12,0"]})
        attempt("certified", **{q.id: q.right_answer()
                                 for q in course.module(MODULE).quiz.questions})

    seed(context_id, build)


def test_insights_page_shows_stages_modules_and_questions(client, trainer, seed):
    _seed(seed, trainer.context_id)
    response = client.get(trainer.url("/trainer/insights"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "6 learners in this LMS course." in html
    # In the trainer's navigation, marked as the page shown.
    assert re.search(r'<a href="/trainer/insights[^"]*"[^>]*>Insights</a>', html)

    # Charts are pictures of the tables next to them (screen readers read those).
    charts = re.findall(r'<div class="chart" id="[^"]+" aria-hidden="true">(.*?)\n</div>', html, re.S)
    assert len(charts) == 2 and all("<svg" in chart for chart in charts)
    assert _text(charts[0]).startswith("Not started 1 In progress, no shadowing day waiting 1")
    # Every other SVG (the bars in the questions' table) is hidden too.
    outside = html.replace(charts[0], "").replace(charts[1], "")
    assert all('aria-hidden="true"' in svg for svg in re.findall(r"<svg[^>]*>", outside))

    stages = _text(re.search(r"<caption>Learners per stage</caption>.*?</table>", html, re.S).group(0))
    assert stages == (
        "Learners per stage Stage Learners Not started 1 In progress, no shadowing day waiting 1 "
        "Waiting for a shadowing confirmation 1 Requirements met, no certificate yet 2 "
        "Certificate issued 1"
    )

    modules = re.search(r'<caption id="modules-caption">.*?</table>', html, re.S).group(0)
    rows = [_text(row) for row in re.findall(r"<tr>.*?</tr>", modules, re.S)[1:]]
    assert rows[0] == "1. The library and the Dutch landscape 5 5 5 100% 1"
    assert rows[3].endswith(" 5 5 4 80% 1")  # Ilse tried module 4 twice and failed
    assert rows[4].endswith(" 4 4 4 100% 1")  # Ilse has not reached module 5

    first = re.search(r'<details class="module-questions" open>.*?</details>', html, re.S).group(0)
    assert "lowest: question 2, 25% right" in _text(first)
    questions = [_text(row) for row in re.findall(r"<tr>.*?</tr>", first, re.S)[1:]]
    # Two of four right; "a" alone is wrong but chose no wrong option; "d" once.
    assert "50% (2 of 4) A joint deal means" in questions[0] and "(1 learner)" in questions[0]
    assert "25% (1 of 4)" in questions[1] and "No, universities of applied sciences" in questions[1]
    assert "(2 learners)" in questions[1]
    assert "100% (1 of 1)" in questions[2]  # only the certified learner answered it
    # A numeric question: the wrong number typed most, "12" and "12,0" counted as one.
    assert "50% (2 of 4) 12 (2 learners)" in questions[-1]


def test_insights_csv_and_xlsx_have_the_same_numbers(client, trainer, seed):
    _seed(seed, trainer.context_id)
    response = client.get(trainer.url("/trainer/insights.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="library-basics-insights-' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Stage", "Learners"]
    assert rows[1:6] == [["Not started", "1"], ["In progress, no shadowing day waiting", "1"],
                         ["Waiting for a shadowing confirmation", "1"],
                         ["Requirements met, no certificate yet", "2"],
                         ["Certificate issued", "1"]]
    assert rows[6] == []
    assert rows[7] == ["Module", "Started", "Took the quiz", "Passed", "Pass rate (%)", "Median attempts"]
    assert rows[8] == ["1. The library and the Dutch landscape", "5", "5", "5", "100", "1"]
    questions = rows[rows.index(["Module", "Question", "Answered", "Answered right",
                                 "Answered right (%)", "Most chosen wrong answer", "Chosen by"]) + 1:]
    assert questions[1][2:5] == ["4", "1", "25"] and questions[1][6] == "2"
    assert questions[6][2:7] == ["4", "2", "50", "12", "2"]

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(trainer.url("/trainer/export.xlsx")).data))
    assert workbook.sheetnames == ["Library Basics", "Insights"]
    sheet = [list(row) for row in workbook["Insights"].iter_rows(values_only=True)]
    assert sheet[0] == ["Stage", "Learners"] + [None] * (len(sheet[0]) - 2)
    assert sheet[4][:2] == ["Requirements met, no certificate yet", 2]
    assert sheet[8][:6] == ["1. The library and the Dutch landscape", 5, 5, 5, 100, 1]


def test_dutch_insights_csv_uses_semicolons(app, client, lms, seed):
    trainer = launch_trainer(app, client, lms, locale="nl")
    _seed(seed, trainer.context_id)
    text = client.get(trainer.url("/trainer/insights.csv")).get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows[0]) == 2 and rows[1][1] == "1"
    # Decimals with a comma, as Dutch Excel reads them.
    assert _csv_value(1.5, dutch=True) == "1,5" and _csv_value(1.5) == "1.5"


def test_insights_without_attempts_say_so(client, trainer):
    html = client.get(trainer.url("/trainer/insights")).get_data(as_text=True)
    assert "0 learners in this LMS course." in html
    assert "no attempts yet" in html
