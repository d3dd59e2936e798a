"""Opening hours: whether a planet is open at a moment, when it opens next, and how to say it."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# How far ahead to look for the next opening: a year of closures, plus a week.
HORIZON_DAYS = 373


@dataclass(frozen=True)
class Opening:
    """One weekly opening. Closing at or before the opening time means the next day."""

    weekday: int  # 0 is Monday, as date.weekday()
    opens: time
    closes: time


@dataclass(frozen=True)
class Hours:
    """A planet's week in its own time zone. No openings at all means always open.

    An opening belongs to the day it starts on: a closed day cancels the openings that start on
    it, not the tail of the previous evening's opening that runs past midnight into it.
    """

    time_zone: str = "UTC"
    openings: tuple[Opening, ...] = ()
    closed_days: frozenset[date] = field(default_factory=frozenset)
    holidays_country: str = ""

    @property
    def always_open(self) -> bool:
        return not self.openings

    def is_closed_on(self, day: date) -> bool:
        return day in self.closed_days or (
            bool(self.holidays_country) and day in public_holidays(self.holidays_country)
        )


@lru_cache(maxsize=64)
def public_holidays(country: str) -> holidays.HolidayBase:
    # Kept for ever: a country's holidays change only with the holidays library (a restart).
    # The object fills in each year the first time a date in it is looked up.
    return holidays.country_holidays(country)


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    # A time that does not exist (the hour skipped in spring) is read with the offset before the
    # change, so it lands just after it; a time that happens twice (autumn) is the first one.
    return datetime.combine(day, moment, tzinfo=zone)


def _occurrences(hours: Hours, first: date, days: int) -> Iterator[tuple[datetime, datetime]]:
    """Each opening from `first` on, as (opens, closes) in UTC, in order."""
    zone = ZoneInfo(hours.time_zone)
    for offset in range(days):
        day = first + timedelta(days=offset)
        if hours.is_closed_on(day):
            continue
        todays = sorted(
            (o for o in hours.openings if o.weekday == day.weekday()), key=lambda o: o.opens
        )
        for opening in todays:
            closes_on = day if opening.closes > opening.opens else day + timedelta(days=1)
            yield (
                _local(day, opening.opens, zone).astimezone(UTC),
                _local(closes_on, opening.closes, zone).astimezone(UTC),
            )


def is_open(hours: Hours, at: datetime) -> bool:
    """Whether the planet takes calls at `at` (an aware datetime)."""
    if hours.always_open:
        return True
    at = at.astimezone(UTC)
    yesterday = at.astimezone(ZoneInfo(hours.time_zone)).date() - timedelta(days=1)
    return any(opens <= at < closes for opens, closes in _occurrences(hours, yesterday, 3))


def next_opening(hours: Hours, at: datetime) -> datetime | None:
    """When the planet next opens after `at`, in its own time zone; None if not within a year."""
    at = at.astimezone(UTC)
    today = at.astimezone(ZoneInfo(hours.time_zone)).date()
    for opens, _closes in _occurrences(hours, today, HORIZON_DAYS):
        if opens > at:
            return opens.astimezone(ZoneInfo(hours.time_zone))
    return None


# How an opening is said, by the language's primary subtag. A language without its own phrasing
# gets an unambiguous date and time that a voice in any language can read.
ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
JAPANESE_WEEKDAYS = ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日")


def _english_time(moment: datetime) -> str:
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    if moment.hour == 12 and moment.minute == 0:
        return "noon"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'a.m.' if moment.hour < 12 else 'p.m.'}"


def _english(opens: datetime, now: datetime) -> str:
    days = (opens.date() - now.date()).days
    if days == 0:
        day = "today"
    elif days == 1:
        day = "tomorrow"
    elif days < 7:
        day = f"on {ENGLISH_WEEKDAYS[opens.weekday()]}"
    else:
        day = (
            f"on {ENGLISH_WEEKDAYS[opens.weekday()]} {opens.day} {ENGLISH_MONTHS[opens.month - 1]}"
        )
    moment = _english_time(opens)
    return f"{day} at {moment}"


def _japanese_time(moment: datetime) -> str:
    if moment.hour == 12 and moment.minute == 0:
        return "正午"
    half = "午前" if moment.hour < 12 else "午後"
    minutes = f"{moment.minute}分" if moment.minute else ""
    return f"{half}{moment.hour % 12}時{minutes}"


def _japanese(opens: datetime, now: datetime) -> str:
    days = (opens.date() - now.date()).days
    if days == 0:
        day = "本日"
    elif days == 1:
        day = "明日"
    elif days < 7:
        day = f"{JAPANESE_WEEKDAYS[opens.weekday()]}の"
    else:
        day = f"{opens.month}月{opens.day}日{JAPANESE_WEEKDAYS[opens.weekday()]}の"
    return f"{day}{_japanese_time(opens)}"


def _neutral(opens: datetime, now: datetime) -> str:
    return f"{opens:%Y-%m-%d %H:%M}"


PHRASINGS = {"en": _english, "ja": _japanese}


def when_spoken(opens: datetime, *, now: datetime, language: str) -> str:
    """The next opening as the caller hears it: "on Monday at 9 a.m.", "月曜日の午前9時".

    Days are counted in the planet's time zone, the zone `opens` is in.
    """
    phrasing = PHRASINGS.get(language.split("-")[0].lower(), _neutral)
    return phrasing(opens, now.astimezone(opens.tzinfo))
