"""Opening hours in a planet's own time zone: open or closed, the next opening, said naturally."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from directory.hours import Hours, Opening, is_open, next_opening, when_spoken

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")

OFFICE_WEEK = tuple(Opening(weekday, time(9), time(17)) for weekday in range(5))


def office(zone="Europe/London", **kwargs) -> Hours:
    return Hours(time_zone=zone, openings=OFFICE_WEEK, **kwargs)


def test_a_planet_without_hours_is_always_open():
    hours = Hours(time_zone="Europe/London")
    assert is_open(hours, datetime(2026, 12, 25, 3, 0, tzinfo=UTC)) is True


def test_an_office_is_open_in_its_hours_and_closed_after_them():
    wednesday = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
    assert is_open(office(), wednesday) is True
    assert is_open(office(), wednesday.replace(hour=17)) is False
    assert is_open(office(), wednesday.replace(hour=8, minute=59)) is False


def test_after_friday_closing_the_next_opening_is_monday_morning():
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=LONDON)
    opens = next_opening(office(), friday_evening)
    assert opens == datetime(2026, 12, 7, 9, 0, tzinfo=LONDON)
    assert when_spoken(opens, now=friday_evening, language="en-GB") == "on Monday at 9 a.m."
    assert when_spoken(opens, now=friday_evening, language="ja-JP") == "月曜日の午前9時"


def test_a_closure_overnight_spans_midnight():
    """Closed from 17:00 on Monday to 9:00 on Tuesday: before and after midnight alike."""
    before = datetime(2026, 12, 7, 23, 30, tzinfo=LONDON)
    after = datetime(2026, 12, 8, 0, 30, tzinfo=LONDON)
    tuesday_nine = datetime(2026, 12, 8, 9, 0, tzinfo=LONDON)
    for moment in (before, after):
        assert is_open(office(), moment) is False
        assert next_opening(office(), moment) == tuesday_nine
    assert when_spoken(tuesday_nine, now=before, language="en-GB") == "tomorrow at 9 a.m."
    assert when_spoken(tuesday_nine, now=after, language="en-GB") == "today at 9 a.m."
    assert when_spoken(tuesday_nine, now=before, language="ja-JP") == "明日午前9時"
    assert when_spoken(tuesday_nine, now=after, language="ja-JP") == "本日午前9時"


def test_an_opening_past_midnight_runs_into_the_next_day():
    night = Hours(time_zone="Europe/London", openings=(Opening(4, time(22), time(2)),))
    assert is_open(night, datetime(2026, 12, 4, 23, 0, tzinfo=LONDON)) is True
    assert is_open(night, datetime(2026, 12, 5, 1, 59, tzinfo=LONDON)) is True
    assert is_open(night, datetime(2026, 12, 5, 2, 0, tzinfo=LONDON)) is False


def test_a_closed_day_cancels_its_openings_but_not_last_nights_tail():
    night = Hours(
        time_zone="Europe/London",
        openings=(Opening(4, time(22), time(2)), Opening(5, time(22), time(2))),
        closed_days=frozenset({date(2026, 12, 5)}),
    )
    assert is_open(night, datetime(2026, 12, 5, 1, 0, tzinfo=LONDON)) is True
    assert is_open(night, datetime(2026, 12, 5, 23, 0, tzinfo=LONDON)) is False
    assert next_opening(night, datetime(2026, 12, 5, 3, 0, tzinfo=LONDON)) == datetime(
        2026, 12, 11, 22, 0, tzinfo=LONDON
    )


def test_public_holidays_of_the_planets_country_close_it():
    """New Year's Day 2027 is a Friday and a holiday in Japan: next is Monday the 4th."""
    tokyo = office("Asia/Tokyo", holidays_country="JP")
    new_years_eve = datetime(2026, 12, 31, 18, 0, tzinfo=TOKYO)
    assert is_open(tokyo, datetime(2027, 1, 1, 10, 0, tzinfo=TOKYO)) is False
    assert is_open(office("Asia/Tokyo"), datetime(2027, 1, 1, 10, 0, tzinfo=TOKYO)) is True
    opens = next_opening(tokyo, new_years_eve)
    assert opens == datetime(2027, 1, 4, 9, 0, tzinfo=TOKYO)
    assert when_spoken(opens, now=new_years_eve, language="ja-JP") == "月曜日の午前9時"


def test_days_are_counted_in_the_planets_time_zone_not_the_callers():
    tokyo = office("Asia/Tokyo")
    # 23:00 UTC on Sunday is 08:00 on Monday in Tokyo: it opens "today", not "tomorrow".
    now = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    opens = next_opening(tokyo, now)
    assert opens == datetime(2026, 12, 7, 9, 0, tzinfo=TOKYO)
    assert when_spoken(opens, now=now, language="en-US") == "today at 9 a.m."


def test_the_spring_daylight_saving_change_moves_opening_by_an_hour_in_utc():
    daily = Hours(
        time_zone="Europe/London",
        openings=tuple(Opening(d, time(9), time(17)) for d in range(7)),
    )
    # London goes from GMT to BST at 01:00 UTC on 28 March 2027.
    assert next_opening(daily, datetime(2027, 3, 27, 20, 0, tzinfo=UTC)).astimezone(
        UTC
    ) == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert is_open(daily, datetime(2027, 3, 28, 8, 30, tzinfo=UTC)) is True
    assert is_open(daily, datetime(2027, 3, 27, 8, 30, tzinfo=UTC)) is False


def test_an_opening_at_a_skipped_hour_starts_just_after_the_change():
    skipped = Hours(time_zone="Europe/London", openings=(Opening(6, time(1, 30), time(4)),))
    opens = next_opening(skipped, datetime(2027, 3, 27, 12, 0, tzinfo=UTC))
    assert opens.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert opens.astimezone(LONDON).hour == 2


def test_an_opening_over_the_autumn_change_lasts_the_extra_hour():
    # London goes back from BST to GMT at 01:00 UTC on 25 October 2026: 01:00-02:00 happens twice.
    sunday_night = Hours(time_zone="Europe/London", openings=(Opening(6, time(0), time(2)),))
    assert is_open(sunday_night, datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) is True
    assert is_open(sunday_night, datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) is True
    assert is_open(sunday_night, datetime(2026, 10, 25, 2, 0, tzinfo=UTC)) is False


def test_a_planet_closed_for_more_than_a_year_has_no_next_opening():
    every_day = frozenset(date.fromordinal(date(2026, 12, 1).toordinal() + n) for n in range(400))
    closed = office(closed_days=every_day)
    assert next_opening(closed, datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)) is None


def test_far_openings_name_the_date_and_minutes_and_noon():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)
    later = datetime(2026, 12, 14, 9, 30, tzinfo=LONDON)
    assert when_spoken(later, now=now, language="en-GB") == "on Monday 14 December at 9:30 a.m."
    assert when_spoken(later, now=now, language="ja-JP") == "12月14日月曜日の午前9時30分"
    noon = datetime(2026, 12, 2, 12, 0, tzinfo=LONDON)
    assert when_spoken(noon, now=now, language="en-GB") == "tomorrow at noon"
    assert when_spoken(noon, now=now, language="ja") == "明日正午"
    evening = datetime(2026, 12, 1, 18, 45, tzinfo=LONDON)
    assert when_spoken(evening, now=now, language="en-GB") == "today at 6:45 p.m."
    assert when_spoken(evening, now=now, language="ja-JP") == "本日午後6時45分"


def test_a_language_without_its_own_phrasing_hears_an_unambiguous_date():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)
    opens = datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)
    assert when_spoken(opens, now=now, language="fr-FR") == "2026-12-02 09:00"
