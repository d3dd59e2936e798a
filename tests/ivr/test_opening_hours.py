"""A caller who chooses a closed planet hears when it opens next, in the call's language."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from directory.hours import ENGLISH_WEEKDAYS, JAPANESE_WEEKDAYS
from directory.models import Closure, OpeningHours, Planet
from tests.admin_forms import form_fields
from tests.conftest import parse_twiml, spoken

pytestmark = pytest.mark.django_db


def choose_dagobah(client, *, query: str = ""):
    url = reverse("ivr:planets") + (f"?{query}" if query else "")
    return parse_twiml(client.post(url, {"Digits": "3", "CallSid": "CA300"}))


@pytest.fixture
def open_in_three_days(demo):
    """Dagobah opens only on the weekday three days from now, at 9:00 UTC."""
    dagobah = Planet.objects.get(name="Dagobah")
    weekday = (datetime.now(UTC).weekday() + 3) % 7
    OpeningHours.objects.create(planet=dagobah, weekday=weekday, opens=time(9), closes=time(17))
    return weekday


def test_a_closed_planet_says_when_it_opens_then_offers_a_message(client, open_in_three_days):
    root = choose_dagobah(client)
    assert root.find("Dial") is None
    weekday = ENGLISH_WEEKDAYS[open_in_three_days]
    assert spoken(root) == [
        "the planet DuhGo bah is closed now.",
        f"It opens on {weekday} at 9 a.m.",
        "To leave a message for the planet DuhGo bah, press 1 or say 'message'.",
    ]
    assert root.find("Gather").get("action").startswith(reverse("ivr:voicemail_offered"))


def test_a_closed_planet_without_voicemail_offers_the_menu_again(client, open_in_three_days):
    Planet.objects.filter(name="Dagobah").update(takes_voicemail=False)
    root = choose_dagobah(client)
    said = spoken(root)
    weekday = ENGLISH_WEEKDAYS[open_in_three_days]
    assert said[:2] == ["the planet DuhGo bah is closed now.", f"It opens on {weekday} at 9 a.m."]
    assert "To call the planet DuhGo bah, press 3." in said
    assert root.find("Gather").get("action").startswith(reverse("ivr:planets"))


def test_a_japanese_caller_hears_the_opening_in_japanese(client, open_in_three_days):
    root = choose_dagobah(client, query="lang=ja-JP")
    weekday = JAPANESE_WEEKDAYS[open_in_three_days]
    says = [(say.text, say.get("language")) for say in root.iter("Say")]
    assert says[:2] == [
        ("惑星ダゴバは、ただいま営業時間外です。", "ja-JP"),
        (f"次の営業開始は、{weekday}の午前9時です。", "ja-JP"),
    ]


def test_a_planet_within_its_hours_is_dialed(client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    for weekday in range(7):
        OpeningHours.objects.create(planet=dagobah, weekday=weekday, opens=time(0), closes=time(0))
    assert choose_dagobah(client).find("Dial").text == "+17262043675"


def test_a_closure_today_closes_a_planet_open_every_day(client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    for weekday in range(7):
        OpeningHours.objects.create(planet=dagobah, weekday=weekday, opens=time(0), closes=time(0))
    today = datetime.now(UTC).date()
    Closure.objects.create(planet=dagobah, first_day=today, last_day=today)
    said = spoken(choose_dagobah(client))
    assert said[:2] == ["the planet DuhGo bah is closed now.", "It opens tomorrow at midnight."]


def test_a_planet_closed_for_over_a_year_only_says_it_is_closed(client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    OpeningHours.objects.create(planet=dagobah, weekday=0, opens=time(9), closes=time(17))
    today = datetime.now(UTC).date()
    Closure.objects.create(planet=dagobah, first_day=today, last_day=today + timedelta(days=400))
    said = spoken(choose_dagobah(client))
    assert said[0] == "the planet DuhGo bah is closed now."
    assert not said[1].startswith("It opens")


def test_staff_get_clear_errors_for_a_bad_time_zone_or_holidays_country(admin_client, demo):
    dagobah = Planet.objects.get(name="Dagobah")
    url = reverse("admin:directory_planet_change", args=[dagobah.pk])
    fields = form_fields(admin_client.get(url).content.decode())
    data = {**fields, "_save": "Save", "time_zone": "Mars/Olympus", "holidays_country": "XX"}
    response = admin_client.post(url, data)
    text = response.content.decode()
    assert "“Mars/Olympus” is not a time zone." in text
    assert "No public holidays are known for “XX”." in text
    assert Planet.objects.get(pk=dagobah.pk).time_zone == "UTC"


def test_a_closure_ending_before_it_starts_is_refused(demo):
    from django.core.exceptions import ValidationError

    closure = Closure(
        planet=Planet.objects.get(name="Dagobah"),
        first_day=date(2026, 12, 26),
        last_day=date(2026, 12, 25),
    )
    with pytest.raises(ValidationError, match="The last day cannot be before the first day."):
        closure.full_clean()
