"""Reads of the call log for the admin: filters, the dashboard's figures, what a caller heard."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import OptionWord, Planet, PlanetAlias
from directory.script import BUILT_IN_TREE, Sentence
from directory.selectors import script_as_of

from .models import Call, Utterance, planet_ids, planet_set

OUTCOMES = {
    "directions": _("Heard the directions"),
    "connected": _("Connected to a planet"),
    "not_connected": _("Dialed, not connected"),
    "no_choice": _("Hung up without a choice"),
}


def calls_with_outcome(queryset, outcome: str):
    """Calls whose steps show the outcome (one of OUTCOMES), read from their summary columns."""
    if outcome == "directions":
        return queryset.filter(chose_directions=True)
    if outcome == "connected":
        return queryset.exclude(planets_answered="")
    if outcome == "not_connected":
        return queryset.exclude(planets_dialed="").filter(planets_answered="")
    if outcome == "no_choice":
        return queryset.filter(chose_directions=False, chose_planets=False)
    return queryset


def calls_to_planet(queryset, planet_id: int):
    """Calls in which the caller pressed the planet's key."""
    return queryset.filter(planets_dialed__contains=planet_set([planet_id]))


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


def dashboard_get(
    *, calls: QuerySet[Call] | None = None, days: int = 30, today: date | None = None
) -> Dashboard:
    """Calls per day, menu choices, and calls and answer rate per planet, of the calls that
    started over the last days (of `calls`, when given: any filter on the calls applies)."""
    calls = Call.objects.all() if calls is None else calls
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    midnights = [
        timezone.make_aware(datetime.combine(first + timedelta(n), time.min))
        for n in range(days + 1)
    ]
    # One range count per day on the started_at index: far cheaper on a large log than
    # truncating a million timestamps to dates and grouping them.
    per_day = [
        (day.date(), calls.filter(started_at__gte=day, started_at__lt=next_day).count())
        for day, next_day in zip(midnights, midnights[1:], strict=False)
    ]
    # The calls grouped by what they did (a few dozen groups), read from the summary index
    # alone: each call counts once per figure, however often it did the thing.
    summary = ["chose_directions", "chose_planets", "planets_dialed", "planets_answered"]
    groups = (
        calls.filter(started_at__gte=midnights[0], started_at__lt=midnights[-1])
        .order_by()
        .values_list(*summary)
        .annotate(calls=Count("pk"))
        .values_list(*summary, "calls")
    )
    choices = {"directions": 0, "planets": 0, "no_choice": 0}
    dialed, answered = Counter(), Counter()
    for directions, planets, planets_dialed, planets_answered, n in groups:
        choices["directions"] += n if directions else 0
        choices["planets"] += n if planets else 0
        choices["no_choice"] += 0 if directions or planets else n
        dialed.update(dict.fromkeys(planet_ids(planets_dialed), n))
        answered.update(dict.fromkeys(planet_ids(planets_answered), n))
    names = dict(Planet.objects.filter(pk__in=dialed).values_list("pk", "name"))
    planets = sorted(
        (
            PlanetFigures(names.get(pk, f"(deleted planet {pk})"), n, answered[pk])
            for pk, n in dialed.items()
        ),
        key=lambda figures: (-figures.dialed, figures.name),
    )
    return Dashboard(days=per_day, choices=choices, planets=planets)


def _lines_heard(call: Call):
    """What this call's caller heard, in the call's language: the directory as of the
    greeting, rebuilt from its history (each model's state at that moment). None for a call
    logged before greetings were timed, or older than the history."""
    if call.greeted_at is None:
        return None
    script = script_as_of(call.greeted_at)
    if script is None:
        return None
    return script.lines(script.language(call.language) or script.default)


def planet_menu_heard(call: Call) -> list[Sentence] | None:
    """The planet menu as this call's caller heard it (see _lines_heard)."""
    lines = _lines_heard(call)
    return None if lines is None else lines.planet_menu()


def first_menu_heard(call: Call) -> list[Sentence] | None:
    """The menu this call started at, as its caller heard it (see _lines_heard)."""
    lines = _lines_heard(call)
    # A call older than the tree's history (before the menus were data) heard a menu that
    # history cannot tell: not the built-in tree the script stands in with.
    if lines is None or lines.script.entry is BUILT_IN_TREE:
        return None
    return lines.menu_sentences(lines.script.entry_menu(call.to_number))


@dataclass(frozen=True)
class UnmatchedPhrase:
    phrase: str
    times: int
    last_heard: datetime


def unmatched_phrases(
    *, language: str, days: int = 30, limit: int = 50, now: datetime | None = None
) -> list[UnmatchedPhrase]:
    """What callers said in a language over the last days that matched nothing, most frequent
    first (the same words in any case count together); phrases staff have since made an alias
    in that language are left out."""
    since = (now or timezone.now()) - timedelta(days=days)
    known = {
        phrase.casefold()
        for model in (PlanetAlias, OptionWord)
        for phrase in model.objects.filter(language__code=language).values_list("phrase", flat=True)
    }
    rows = (
        Utterance.objects.filter(language=language, target="", created_at__gte=since)
        .exclude(heard="")
        .annotate(phrase=Lower("heard"))
        .values("phrase")
        .annotate(times=Count("pk"), last_heard=Max("created_at"))
        .order_by("-times", "-last_heard", "phrase")
    )
    # Known phrases are few; skipping them here keeps the query a plain indexed group.
    found = []
    for row in rows.iterator():
        if row["phrase"].casefold() not in known:
            found.append(UnmatchedPhrase(row["phrase"], row["times"], row["last_heard"]))
            if len(found) == limit:
                break
    return found
