"""Dates in the pages: nl_NL or en_GB, in the user's time zone (Europe/Amsterdam)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from lti_app.templating import datetime_writer, format_datetime

MOMENTS = [
    datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc),  # winter time, +1
    datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc),  # summer time, +2: the next day
    datetime(2026, 10, 25, 0, 59, 59, tzinfo=timezone.utc),  # the hour before the change
    datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc),  # the hour after it
    datetime(2026, 3, 2, 14, 30),  # naive: UTC, as the database gives it on SQLite
]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("format", ["short", "medium", "long", "full"])
def test_a_pages_date_writer_writes_what_format_datetime_writes(app, language, format):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        write = datetime_writer(format)
        assert [write(moment) for moment in MOMENTS] == [
            format_datetime(moment, format) for moment in MOMENTS
        ]


def test_the_writer_writes_the_users_time_in_her_language(app):
    moment = datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc)
    for language, written in [("en", "02/07/2026, 00:30"), ("nl", "02-07-2026, 00:30")]:
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert datetime_writer("short")(moment) == written
