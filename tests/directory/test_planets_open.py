"""/metrics counts the planets open now, by their opening hours: a quiet line at night is not
a dead one."""

from datetime import UTC, datetime, time
from http import HTTPStatus

import pytest
from django.db import DatabaseError
from prometheus_client.parser import text_string_to_metric_families

from directory import selectors
from directory.models import OpeningHours, Planet

pytestmark = pytest.mark.django_db

MONDAY_10 = datetime(2026, 12, 7, 10, tzinfo=UTC)
MONDAY_18 = datetime(2026, 12, 7, 18, tzinfo=UTC)


def scraped(client, settings) -> dict[str, float]:
    settings.METRICS_TOKEN = "scrape-token"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token")
    assert response.status_code == HTTPStatus.OK
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if not sample.labels
    }


def test_a_planet_without_opening_hours_is_always_open(demo):
    assert selectors.planets_open(now=MONDAY_18) == 3


def test_a_planet_counts_as_open_only_within_its_hours(demo):
    dagobah = Planet.objects.get(name="Dagobah")
    OpeningHours.objects.create(planet=dagobah, weekday=0, opens=time(9), closes=time(17))
    assert selectors.planets_open(now=MONDAY_10) == 3
    assert selectors.planets_open(now=MONDAY_18) == 2


def test_an_inactive_planet_is_not_counted(demo):
    Planet.objects.filter(name="Dagobah").update(is_active=False)
    assert selectors.planets_open(now=MONDAY_10) == 2


def test_metrics_serves_the_planets_open(demo, client, settings):
    assert scraped(client, settings)["etphone_planets_open"] == 3


def test_metrics_without_the_database_serves_the_rest_and_leaves_the_planets_open_out(
    demo, client, settings, monkeypatch
):
    def gone():
        raise DatabaseError("unable to open database file")

    monkeypatch.setattr(selectors, "script_get", gone)
    figures = scraped(client, settings)
    assert "etphone_planets_open" not in figures
    assert "etphone_voicemails_recorded_total" in figures
