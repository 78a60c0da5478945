"""Dates (of birth, and address from/to dates): parsing to a partial date, and comparing two dates of birth.

Agencies record dates in many shapes (ISO, UK day-first with / - or ., compact YYYYMMDD, datetimes,
"04-MAR-2019" from Oracle exports), sometimes only to the month or year, and use sentinel dates for
"unknown". :func:`parse_date` never raises: an unusable value comes back flagged, with the raw text kept.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import DamerauLevenshtein

__all__ = ["DOB_RELATIONS", "PartialDate", "dob_relation", "parse_date"]

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the day, the month or only the year.

    ``value`` is "YYYY-MM-DD", "YYYY-MM" or "YYYY"; ``flag`` is None when the date is fine, else
    "unparseable", "impossible" (e.g. 30 February; value/year/month/day are then None), "future" or
    "placeholder" (both keep the parsed value so a steward can see it, but are not usable).
    """

    value: str | None
    precision: Precision | None
    year: int | None
    month: int | None
    day: int | None
    flag: str | None
    raw: str | None

    @property
    def usable(self) -> bool:
        """True when there is a value and no flag: the only dates that may count as evidence."""
        return self.value is not None and self.flag is None


# Sentinels agency systems use for "date of birth not known" (plus everything before 1900, below).
_PLACEHOLDER_DAYS = frozenset({
    (1900, 1, 1), (1901, 1, 1), (1800, 1, 1), (9999, 12, 31), (1, 1, 1), (1970, 1, 1),
})
_MIN_YEAR = 1900
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

# Compiled once: these run on every record.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?")  # date or datetime: time part ignored
_ISO_SLASH = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[t ].*)?")
_YEAR_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_YEAR = re.compile(r"\d{4}")
_COMPACT = re.compile(r"\d{8}")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[t ]\d{1,2}:\d{2}.*)?")
_MY = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_TEXT_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([a-z]{3,9})\.?[\s\-/.,]*(\d{4})(?:[t ].*)?")
_TEXT_MY = re.compile(r"([a-z]{3,9})\.?[\s\-/.,]*(\d{4})")

_Parsed = tuple[int | None, int | None, int | None, str | None]  # year, month, day, flag


def _two_digit_year(yy: int, today: datetime.date) -> int:
    # A two-digit year is in this century unless that would be in the future (dates of birth only
    # look back): on 2025-01-01 "19" is 2019 and "45" is 1945.
    year = 2000 + yy
    return year if year <= today.year else year - 100


def _match(text: str, day_first: bool, today: datetime.date) -> _Parsed:
    """Pull (year, month, day) out of text without checking them; flag "unparseable" if no shape fits."""
    m = _ISO.fullmatch(text) or _ISO_SLASH.fullmatch(text)
    if m:
        return int(m[1]), int(m[2]), int(m[3]), None
    if _COMPACT.fullmatch(text):
        return int(text[:4]), int(text[4:6]), int(text[6:]), None
    m = _DMY.fullmatch(text)
    if m:
        first, second, year_text = int(m[1]), int(m[2]), m[3]
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(int(year_text), today)
        day, month = (first, second) if day_first else (second, first)
        return year, month, day, None
    m = _YEAR_MONTH.fullmatch(text)
    if m:
        return int(m[1]), int(m[2]), None, None
    m = _MY.fullmatch(text)
    if m:
        return int(m[2]), int(m[1]), None, None
    if _YEAR.fullmatch(text):
        return int(text), None, None, None
    m = _TEXT_DMY.fullmatch(text)
    if m and m[2] in _MONTHS:
        return int(m[3]), _MONTHS[m[2]], int(m[1]), None
    m = _TEXT_MY.fullmatch(text)
    if m and m[1] in _MONTHS:
        return int(m[2]), _MONTHS[m[1]], None, None
    return None, None, None, "unparseable"


def _parse(raw: str, text: str, day_first: bool, today: datetime.date) -> PartialDate:
    """Parse stripped, lower-cased text; ``raw`` is kept in the result."""
    year, month, day, flag = _match(text, day_first, today)
    if flag or year is None:
        return PartialDate(None, None, None, None, None, flag or "unparseable", raw)
    if month is not None and not 1 <= month <= 12:
        return PartialDate(None, None, None, None, None, "impossible", raw)
    precision: Precision
    if day is not None:
        try:
            datetime.date(year, month or 1, day)
        except ValueError:  # day 0, 30 February, 31 April; also year 0
            return PartialDate(None, None, None, None, None, "impossible", raw)
        value, precision = f"{year:04d}-{month or 1:02d}-{day:02d}", "day"
    elif month is not None:
        value, precision = f"{year:04d}-{month:02d}", "month"
    else:
        value, precision = f"{year:04d}", "year"
    if year == 0:
        return PartialDate(None, None, None, None, None, "impossible", raw)

    if (year < _MIN_YEAR or (year, month, day) in _PLACEHOLDER_DAYS
            # a sentinel truncated by a system that keeps only the year or month ("1900", "1900-01")
            or (day is None and year in (1900, 1901) and month in (None, 1))):
        flag = "placeholder"
    elif (year, month or 1, day or 1) > (today.year, today.month, today.day):
        # A partial date is in the future only if its earliest possible day is.
        flag = "future"
    return PartialDate(value, precision, year, month, day, flag, raw)


def parse_date(raw: str | None, *, today: datetime.date | None = None, day_first: bool = True) -> PartialDate:
    """Parse a date as agencies write it.

    Accepts "YYYY-MM-DD", "YYYY-MM", "YYYY", "YYYYMMDD", ISO datetimes (the date part is taken),
    "DD/MM/YYYY", "DD-MM-YYYY" and "DD.MM.YYYY" (month first when ``day_first`` is False), two-digit
    years (pivoted so the date is not in the future), "MM/YYYY", "4 March 2019" / "04-MAR-2019" and
    "March 2019", with surrounding whitespace.

    Returns a :class:`PartialDate`: for None or blank input every field is None and there is no flag
    (missing, not wrong); otherwise ``raw`` holds the input and ``flag`` says what is wrong, if
    anything: "unparseable", "impossible" (no such day or month; value None), "future" (after
    ``today``, default the current date), "placeholder" (a sentinel: 1900-01-01, 1901-01-01,
    1800-01-01, 9999-12-31, 0001-01-01, 1970-01-01, anything before 1900, or "1900"/"1900-01").
    Never raises.
    """
    if raw is None:
        return _MISSING
    return _parse_cached(raw if isinstance(raw, str) else str(raw), day_first, today or _today())


class _LocalDay:
    """The current local date, as ``datetime.date.today()`` gives it, recomputed only when the clock leaves the
    day it was computed for: today() costs ~1 us (a local-time conversion), and a record has several dates."""

    __slots__ = ("date", "end", "start")

    def __init__(self) -> None:
        self.date = datetime.date.min
        self.start = self.end = 0.0

    def __call__(self) -> datetime.date:
        now = time.time()
        if not self.start <= now < self.end:
            self.date = datetime.date.fromtimestamp(now)
            # The day's bounds in local time (a day of 23 or 25 hours at a clock change).
            self.start = datetime.datetime.combine(self.date, datetime.time()).timestamp()
            self.end = datetime.datetime.combine(self.date + datetime.timedelta(days=1), datetime.time()).timestamp()
            if not (datetime.date.fromtimestamp(self.start) == self.date == datetime.date.fromtimestamp(self.end - 1)
                    != datetime.date.fromtimestamp(self.end)):
                self.start = self.end = 0.0  # a zone whose midnight the clock skips: not remembered
        return self.date


_today = _LocalDay()


_MISSING = PartialDate(None, None, None, None, None, None, None)  # immutable: one for every absent date


@lru_cache(maxsize=200_000)
def _parse_cached(raw: str, day_first: bool, today: datetime.date) -> PartialDate:
    # Cached on the raw text: dates of birth repeat across agencies, and the result is immutable.
    try:
        text = raw.strip().lower()
        if not text:
            return PartialDate(None, None, None, None, None, None, raw)
        return _parse(raw, text, day_first, today)
    except Exception:  # never let one bad value stop an ingest
        return PartialDate(None, None, None, None, None, "unparseable", raw)


DOB_RELATIONS = ("exact", "day_month_swapped", "off_by_one", "year_month", "year_only", "far", "different",
                 "missing")
"""Every value :func:`dob_relation` can return, strongest agreement first ("missing" last)."""

FAR_YEARS = 5  # full dates of birth further apart than this many calendar years are "far"


def _plus_years(date: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return datetime.date(date.year + years, 3, 1)


def _digits(date: PartialDate) -> str:
    """YYYYMMDD of a full date, for counting one-character typos."""
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


def dob_relation(a: PartialDate, b: PartialDate) -> str:
    """Compare two dates of birth; returns one of :data:`DOB_RELATIONS`.

    - "missing": either date is not usable (absent, unparseable, impossible, future or placeholder);
      no evidence either way.
    - "exact": both known to the day and equal.
    - "day_month_swapped": both full, same year, a's day is b's month and a's month is b's day, and
      day != month (a UK/US ordering mix-up).
    - "off_by_one": both full and they differ in exactly one of day, month, year, by one typo (one
      digit changed, or two adjacent digits swapped, in the YYYYMMDD strings) or by one unit (day +-1,
      month +-1, year +-1: 1989 vs 1990 is a slip, not two typos); or the dates are one calendar day apart
      (31 March vs 1 April).
    - "year_month": same year and month, but not covered above (includes month-precision dates).
    - "year_only": same year otherwise (also when either side is known only to the year).
    - "far": both full and more than five years apart: a strong "different people" signal.
    - "different": anything else (e.g. full dates two years apart, or partial dates in different years).
    """
    if not (a.usable and b.usable) or a.year is None or b.year is None:
        return "missing"
    if (a.month is not None and a.day is not None and b.month is not None and b.day is not None):
        # both known to the day
        if a.value == b.value:
            return "exact"
        if a.year == b.year and a.day == b.month and a.month == b.day and a.day != a.month:
            return "day_month_swapped"
        differing = (a.year != b.year) + (a.month != b.month) + (a.day != b.day)
        one_unit = abs(a.year - b.year) == 1 or abs(a.month - b.month) == 1 or abs(a.day - b.day) == 1
        # One typo: a changed digit, or two adjacent digits swapped (1956 for 1965), in one component.
        if differing == 1 and (one_unit or DamerauLevenshtein.distance(_digits(a), _digits(b)) == 1):
            return "off_by_one"
        first, second = sorted((datetime.date(a.year, a.month, a.day), datetime.date(b.year, b.month, b.day)))
        if (second - first).days == 1:
            return "off_by_one"
        if a.year == b.year:
            return "year_month" if a.month == b.month else "year_only"
        # Calendar years, not a day count, so leap days do not move the boundary.
        return "far" if second > _plus_years(first, FAR_YEARS) else "different"
    if a.year != b.year:
        return "different"
    if a.month is not None and b.month is not None and a.month == b.month:
        return "year_month"
    return "year_only"
