"""Reads of the call log for the admin: filters, the dashboard's figures."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from directory.models import Planet

from .models import Call, Step

OUTCOMES = {
    "directions": "Heard the directions",
    "connected": "Connected to a planet",
    "not_connected": "Dialed, not connected",
    "no_choice": "Hung up without a choice",
}


def _step_exists(**conditions):
    return Exists(Step.objects.filter(call_id=OuterRef("call_sid"), **conditions))


def calls_with_outcome(queryset, outcome: str):
    """Calls whose steps show the outcome (one of OUTCOMES)."""
    directions = _step_exists(kind=Step.Kind.MENU_KEY, digits="1")
    dialed = _step_exists(kind=Step.Kind.PLANET_KEY, planet__isnull=False)
    connected = _step_exists(kind=Step.Kind.DIAL_OUTCOME, dial_status="completed")
    if outcome == "directions":
        return queryset.filter(directions)
    if outcome == "connected":
        return queryset.filter(connected)
    if outcome == "not_connected":
        return queryset.filter(dialed).exclude(connected)
    if outcome == "no_choice":
        chose = _step_exists(kind=Step.Kind.MENU_KEY, digits__in=["1", "2"])
        return queryset.exclude(chose)
    return queryset


def calls_to_planet(queryset, planet_id: int):
    return queryset.filter(_step_exists(kind=Step.Kind.PLANET_KEY, planet_id=planet_id))


@dataclass(frozen=True)
class PlanetFigures:
    name: str
    dialed: int
    answered: int

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.dialed if self.dialed else None


@dataclass(frozen=True)
class Dashboard:
    days: list[tuple[date, int]]
    choices: dict[str, int]
    planets: list[PlanetFigures]


def dashboard_get(*, days: int = 30, today: date | None = None) -> Dashboard:
    """Calls per day, menu choices, and calls and answer rate per planet, over the last days."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    per_day = dict(
        Call.objects.filter(started_at__gte=since)
        .annotate(day=TruncDate("started_at"))
        .values_list("day")
        .annotate(calls=Count("id"))
        .values_list("day", "calls")
    )
    calls = Call.objects.filter(started_at__gte=since)
    steps = Step.objects.filter(call__started_at__gte=since)
    menu = steps.filter(kind=Step.Kind.MENU_KEY)
    choices = {
        "directions": menu.filter(digits="1").values("call_id").distinct().count(),
        "planets": menu.filter(digits="2").values("call_id").distinct().count(),
        "no_choice": calls_with_outcome(calls, "no_choice").count(),
    }
    dialed = dict(
        steps.filter(kind=Step.Kind.PLANET_KEY, planet__isnull=False)
        .values_list("planet")
        .annotate(n=Count("id"))
        .values_list("planet", "n")
    )
    answered = dict(
        steps.filter(kind=Step.Kind.DIAL_OUTCOME, dial_status="completed")
        .values_list("planet")
        .annotate(n=Count("id"))
        .values_list("planet", "n")
    )
    names = dict(Planet.objects.filter(pk__in=dialed).values_list("pk", "name"))
    planets = sorted(
        (
            PlanetFigures(names.get(pk, f"(deleted planet {pk})"), n, answered.get(pk, 0))
            for pk, n in dialed.items()
        ),
        key=lambda figures: (-figures.dialed, figures.name),
    )
    return Dashboard(
        days=[(first + timedelta(n), per_day.get(first + timedelta(n), 0)) for n in range(days)],
        choices=choices,
        planets=planets,
    )
