"""Date parsing (formats, impossible dates, future dates, placeholders) and date-of-birth comparison."""

from __future__ import annotations

import datetime

import pytest

from graph_model.normalise import DOB_RELATIONS, PartialDate, dob_relation, parse_date

TODAY = datetime.date(2025, 6, 1)

# (description, raw, value, precision, flag)
PARSE = [
    ("ISO date", "2019-03-04", "2019-03-04", "day", None),
    ("ISO year-month", "2019-03", "2019-03", "month", None),
    ("year only", "2019", "2019", "year", None),
    ("UK slashes, day first", "04/03/2019", "2019-03-04", "day", None),
    ("UK hyphens", "04-03-2019", "2019-03-04", "day", None),
    ("UK dots", "04.03.2019", "2019-03-04", "day", None),
    ("single-digit day and month", "4/3/2019", "2019-03-04", "day", None),
    ("day > 12 is unambiguous", "25/12/2010", "2010-12-25", "day", None),
    ("compact YYYYMMDD", "20190304", "2019-03-04", "day", None),
    ("ISO datetime", "2019-03-04T10:11:12Z", "2019-03-04", "day", None),
    ("ISO datetime with offset", "2019-03-04T00:00:00.000+01:00", "2019-03-04", "day", None),
    ("datetime with a space", "2019-03-04 00:00:00", "2019-03-04", "day", None),
    ("UK date with time", "04/03/2019 00:00", "2019-03-04", "day", None),
    ("surrounding whitespace", "  2019-03-04 \n", "2019-03-04", "day", None),
    ("ISO with slashes", "2019/03/04", "2019-03-04", "day", None),
    ("two-digit year this century", "04/03/19", "2019-03-04", "day", None),
    ("two-digit year last century", "04/03/85", "1985-03-04", "day", None),
    ("Oracle style month name", "04-MAR-2019", "2019-03-04", "day", None),
    ("long month name", "4 March 2019", "2019-03-04", "day", None),
    ("ordinal day", "4th March 2019", "2019-03-04", "day", None),
    ("month name and year", "March 2019", "2019-03", "month", None),
    ("month/year", "03/2019", "2019-03", "month", None),
    ("leap day", "29/02/2020", "2020-02-29", "day", None),
    ("today is not future", "2025-06-01", "2025-06-01", "day", None),
    ("this month is not future", "2025-06", "2025-06", "month", None),
    ("30 February", "2019-02-30", None, None, "impossible"),
    ("30 February day first", "30/02/2019", None, None, "impossible"),
    ("29 February in a common year", "29/02/2019", None, None, "impossible"),
    ("31 April", "31/04/2020", None, None, "impossible"),
    ("month 13", "2019-13-01", None, None, "impossible"),
    ("month 13 year-month", "2019-13", None, None, "impossible"),
    ("day zero", "00/03/2019", None, None, "impossible"),
    ("all zeros", "00/00/0000", None, None, "impossible"),
    ("tomorrow is future", "2025-06-02", "2025-06-02", "day", "future"),
    ("next month is future", "2025-07", "2025-07", "month", "future"),
    ("next year is future", "2026", "2026", "year", "future"),
    ("1900-01-01 placeholder", "1900-01-01", "1900-01-01", "day", "placeholder"),
    ("01/01/1900 placeholder", "01/01/1900", "1900-01-01", "day", "placeholder"),
    ("1901-01-01 placeholder", "1901-01-01", "1901-01-01", "day", "placeholder"),
    ("1800-01-01 placeholder", "1800-01-01", "1800-01-01", "day", "placeholder"),
    ("9999-12-31 placeholder, not future", "9999-12-31", "9999-12-31", "day", "placeholder"),
    ("0001-01-01 placeholder", "0001-01-01", "0001-01-01", "day", "placeholder"),
    ("1970-01-01 placeholder", "1970-01-01", "1970-01-01", "day", "placeholder"),
    ("before 1900 placeholder", "1899-12-31", "1899-12-31", "day", "placeholder"),
    ("truncated sentinel year", "1900", "1900", "year", "placeholder"),
    ("truncated sentinel month", "1900-01", "1900-01", "month", "placeholder"),
    ("1970 as a year is a real birth year", "1970", "1970", "year", None),
    ("1900-06-15 is not a sentinel", "1900-06-15", "1900-06-15", "day", None),
    ("garbage", "garbage", None, None, "unparseable"),
    ("text placeholder", "unknown", None, None, "unparseable"),
    ("unknown month name", "04-XYZ-2019", None, None, "unparseable"),
    ("too many digits", "201903041", None, None, "unparseable"),
]


@pytest.mark.parametrize(("description", "raw", "value", "precision", "flag"), PARSE,
                         ids=[c[0] for c in PARSE])
def test_parse_date(description: str, raw: str, value: str | None, precision: str | None,
                    flag: str | None) -> None:
    parsed = parse_date(raw, today=TODAY)
    assert (parsed.value, parsed.precision, parsed.flag) == (value, precision, flag)
    assert parsed.raw == raw  # the raw text is always kept
    assert parsed.usable is (value is not None and flag is None)


def test_parse_date_components() -> None:
    parsed = parse_date("04/03/2019", today=TODAY)
    assert (parsed.year, parsed.month, parsed.day) == (2019, 3, 4)
    partial = parse_date("2019-03", today=TODAY)
    assert (partial.year, partial.month, partial.day) == (2019, 3, None)


MISSING = [("None", None), ("empty", ""), ("blank", "   ")]


@pytest.mark.parametrize(("description", "raw"), MISSING, ids=[c[0] for c in MISSING])
def test_missing_date_is_not_flagged(description: str, raw: str | None) -> None:
    parsed = parse_date(raw, today=TODAY)
    assert parsed.value is None and parsed.flag is None and not parsed.usable


MONTH_FIRST = [
    ("US order when asked", "04/03/2019", "2019-04-03"),
    ("impossible in US order", "25/12/2010", None),
]


@pytest.mark.parametrize(("description", "raw", "value"), MONTH_FIRST, ids=[c[0] for c in MONTH_FIRST])
def test_month_first(description: str, raw: str, value: str | None) -> None:
    assert parse_date(raw, today=TODAY, day_first=False).value == value


def test_default_today_is_the_current_date() -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert parse_date(tomorrow.isoformat()).flag == "future"


def test_default_today_follows_the_clock_across_midnight(monkeypatch: pytest.MonkeyPatch) -> None:
    """The current date is remembered for the rest of its day only: a date that was tomorrow is today after
    midnight (local time, as datetime.date.today() reads it)."""
    from graph_model.normalise import dates

    midnight = datetime.datetime.combine(datetime.date(2031, 3, 4), datetime.time()).timestamp()
    clock = [midnight - 0.5]
    monkeypatch.setattr(dates.time, "time", lambda: clock[0])
    today = dates._LocalDay()
    for now in (midnight - 0.5, midnight - 0.001, midnight, midnight + 3600, midnight + 86399.5, midnight + 86400,
                midnight - 86400.5):
        clock[0] = now
        assert today() == datetime.date.fromtimestamp(now)
    monkeypatch.setattr(dates, "_today", dates._LocalDay())
    clock[0] = midnight - 0.001
    assert parse_date("2031-03-04").flag == "future"
    clock[0] = midnight
    assert parse_date("2031-03-04").flag is None


NEVER_RAISES = ["\x00", "9" * 40, "2019-99-99", "-1/-1/-1", "💥", "99999999", "2019-3-4-5", "T", "13/13/13"]


@pytest.mark.parametrize("raw", NEVER_RAISES)
def test_parse_date_never_raises(raw: str) -> None:
    assert isinstance(parse_date(raw, today=TODAY), PartialDate)


# (description, a, b, relation)
RELATIONS = [
    ("same full date", "1985-03-12", "12/03/1985", "exact"),
    ("day and month swapped", "1985-03-12", "1985-12-03", "day_month_swapped"),
    ("swapped the other way", "1985-12-03", "1985-03-12", "day_month_swapped"),
    ("one day out", "1985-03-12", "1985-03-13", "off_by_one"),
    ("one-digit typo in the day", "1985-03-12", "1985-03-18", "off_by_one"),
    ("one-digit typo in the month", "1985-03-12", "1985-08-12", "off_by_one"),
    ("year one out", "1985-03-12", "1986-03-12", "off_by_one"),
    ("year one out across a decade", "1989-03-12", "1990-03-12", "off_by_one"),
    ("one-digit typo in the year, ten years apart (not far)", "1985-03-12", "1995-03-12", "off_by_one"),
    ("one calendar day apart across months", "1985-03-31", "1985-04-01", "off_by_one"),
    ("same year and month", "1985-03-12", "1985-03-25", "year_month"),
    ("same year only", "1985-03-12", "1985-07-20", "year_only"),
    ("two years apart", "1985-03-12", "1987-07-20", "different"),
    ("more than five years apart", "1985-03-12", "1992-07-20", "far"),
    ("exactly five years apart is not far", "1987-03-12", "1992-03-12", "different"),
    ("five years and a day is far", "1985-03-12", "1990-03-13", "far"),
    ("parent and child thirty years apart", "2015-06-01", "1985-01-20", "far"),
    ("day equals month is not a swap", "1985-03-03", "1985-03-03", "exact"),
    ("month precision, same month", "1985-03", "1985-03-12", "year_month"),
    ("both month precision, same month", "1985-03", "1985-03", "year_month"),
    ("month precision, different month", "1985-03", "1985-07-12", "year_only"),
    ("year precision, same year", "1985", "1985-03-12", "year_only"),
    ("year precision, different years", "1985", "1986", "different"),
    ("partial dates far apart are only different", "1960", "2010-01-05", "different"),
    ("one missing", None, "1985-03-12", "missing"),
    ("one placeholder", "1900-01-01", "1985-03-12", "missing"),
    ("both the same placeholder", "1900-01-01", "1900-01-01", "missing"),
    ("one impossible", "1985-02-30", "1985-03-12", "missing"),
    ("one future", "2030-01-01", "1985-03-12", "missing"),
    ("one unparseable", "soon", "1985-03-12", "missing"),
]


@pytest.mark.parametrize(("description", "a", "b", "relation"), RELATIONS, ids=[c[0] for c in RELATIONS])
def test_dob_relation(description: str, a: str | None, b: str | None, relation: str) -> None:
    da, db = parse_date(a, today=TODAY), parse_date(b, today=TODAY)
    assert dob_relation(da, db) == relation
    assert dob_relation(db, da) == relation  # symmetric
    assert relation in DOB_RELATIONS


def test_partial_date_is_frozen() -> None:
    parsed = parse_date("2019-03-04", today=TODAY)
    with pytest.raises(AttributeError):
        parsed.value = "x"  # type: ignore[misc]
