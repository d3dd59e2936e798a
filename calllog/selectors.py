"""Reads of the call log for the admin: filters, the dashboard's figures."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Planet

from .models import Call, Step

OUTCOMES = {
    "directions": _("Heard the directions"),
    "connected": _("Connected to a planet"),
    "not_connected": _("Dialed, not connected"),
    "no_choice": _("Hung up without a choice"),
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


def dashboard_get(*, days: int = 30, today: date | None = None, language: str = "") -> Dashboard:
    """Calls per day, menu choices, and calls and answer rate per planet, over the last days;
    only the calls in a language (its code) when one is given."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    midnights = [
        timezone.make_aware(datetime.combine(first + timedelta(n), time.min))
        for n in range(days + 1)
    ]
    since = midnights[0]
    # One range count per day on the started_at index: far cheaper on a large log than
    # truncating a million timestamps to dates and grouping them.
    calls = Call.objects.filter(language=language) if language else Call.objects.all()
    per_day = [
        (day.date(), calls.filter(started_at__gte=day, started_at__lt=next_day).count())
        for day, next_day in zip(midnights, midnights[1:], strict=False)
    ]
    total = sum(count for _, count in per_day)
    # Each call counts once per figure, however often it did the thing. Steps carry their own
    # time, so these read the steps' covering index alone, never the calls table.
    steps = Step.objects.filter(created_at__gte=since)
    if language:
        # Only when asked: the join to the calls costs the covering index its speed.
        steps = steps.filter(call__language=language)
    choice_steps = steps.filter(kind=Step.Kind.MENU_KEY, digits__in=["1", "2"])
    chose = dict(
        choice_steps.values_list("digits")
        .annotate(calls=Count("call", distinct=True))
        .values_list("digits", "calls")
    )
    chose_either = choice_steps.values("call").distinct().count()
    choices = {
        "directions": chose.get("1", 0),
        "planets": chose.get("2", 0),
        "no_choice": max(total - chose_either, 0),
    }
    dialed = dict(
        steps.filter(kind=Step.Kind.PLANET_KEY)
        .values_list("planet")
        .annotate(calls=Count("call", distinct=True))
        .values_list("planet", "calls")
    )
    dialed.pop(None, None)  # keys that dialed nothing; filtered here so the index is used
    answered = dict(
        steps.filter(kind=Step.Kind.DIAL_OUTCOME, dial_status="completed")
        .values_list("planet")
        .annotate(calls=Count("call", distinct=True))
        .values_list("planet", "calls")
    )
    names = dict(Planet.objects.filter(pk__in=dialed).values_list("pk", "name"))
    planets = sorted(
        (
            PlanetFigures(names.get(pk, f"(deleted planet {pk})"), n, answered.get(pk, 0))
            for pk, n in dialed.items()
        ),
        key=lambda figures: (-figures.dialed, figures.name),
    )
    return Dashboard(days=per_day, choices=choices, planets=planets)
