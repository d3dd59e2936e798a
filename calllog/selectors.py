"""Reads of the call log for the admin: filters, the dashboard's figures, what a caller heard."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Menu, Option, OptionWord, Planet, PlanetAlias
from directory.nodes import BUILT_IN_TREE, Sentence
from directory.picture import Figures as PictureFigures
from directory.selectors import option_leads_to, script_as_of

from .models import (
    FIGURE_SUMMARY,
    OUTCOMES_BY_CODE,
    Call,
    DayCount,
    Figure,
    Utterance,
    call_figures,
    planet_set,
)

# The index the dashboard's grouping reads (calllog/models.py).
SUMMARY_INDEX = "calllog_call_summary"
# The choices at the main menu the dashboard charts, in order (Figure.CHOICE's keys).
CHOICES = ["directions", "planets", "no_choice"]
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
    # Per menu, by its short name (see _menus()).
    menus: dict[str, "MenuFigures"]


def dashboard_get(
    *,
    language: str = "",
    to_number: str = "",
    calls: QuerySet[Call] | None = None,
    days: int = 30,
    today: date | None = None,
) -> Dashboard:
    """Calls per day, menu choices, calls and answer rate per planet, and what callers did at
    each menu, of the calls that started over the last days, in a language and to a number
    when given: summed from the day's counts. Of `calls` when given, read from the calls
    themselves: any filter on them applies (and it is the recount the counts must equal)."""
    if calls is None:
        per_day, counts = _summed(days, today, language=language, to_number=to_number)
    else:
        calls = calls.filter(language=language) if language else calls
        calls = calls.filter(to_number=to_number) if to_number else calls
        per_day, counts = _scanned(calls, days, today)
    choices = {choice: counts[Figure.CHOICE, choice] for choice in CHOICES}
    dialed = {int(key): n for (figure, key), n in counts.items() if figure == Figure.DIALED}
    names = dict(Planet.objects.filter(pk__in=dialed).values_list("pk", "name"))
    planets = sorted(
        (
            PlanetFigures(
                names.get(pk, f"(deleted planet {pk})"), n, counts[Figure.ANSWERED, str(pk)]
            )
            for pk, n in dialed.items()
        ),
        key=lambda figures: (-figures.dialed, figures.name),
    )
    return Dashboard(days=per_day, choices=choices, planets=planets, menus=_menus(counts))


def _summed(
    days: int, today: date | None, *, language: str, to_number: str
) -> tuple[list[tuple[date, int]], Counter]:
    """Calls per day and the calls per (figure, key) of the last days, from the day's counts:
    two reads of at most the days' few hundred rows each, on their unique index."""
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    first = today - timedelta(days=days - 1)
    rows = DayCount.objects.filter(day__gte=first, day__lte=today).order_by()
    rows = rows.filter(language=language) if language else rows
    rows = rows.filter(to_number=to_number) if to_number else rows
    per_day = dict(rows.filter(figure=Figure.CALLS).values_list("day").annotate(n=Sum("count")))
    counts = Counter(
        {
            (figure, key): n
            for figure, key, n in rows.values_list("figure", "key").annotate(n=Sum("count"))
            if n
        }
    )
    dates = [first + timedelta(n) for n in range(days)]
    return [(day, per_day.get(day, 0)) for day in dates], counts


def _scanned(calls: QuerySet[Call], days: int, today: date | None) -> tuple[list, Counter]:
    """Calls per day and the calls per (figure, key) of the last days, from the calls: a
    range count per day, and the calls grouped by what they did (one scan of the summary
    index; each call counts once per figure, however often it did the thing)."""
    midnights = _midnights(days, today)
    # One range count per day on the started_at index: far cheaper on a large log than
    # truncating a million timestamps to dates and grouping them.
    per_day = [
        (day.date(), calls.filter(started_at__gte=day, started_at__lt=next_day).count())
        for day, next_day in zip(midnights, midnights[1:], strict=False)
    ]
    groups = _summary_groups(
        calls.filter(started_at__gte=midnights[0], started_at__lt=midnights[-1])
        .order_by()
        .values_list(*FIGURE_SUMMARY)
        .annotate(calls=Count("pk"))
        .values_list(*FIGURE_SUMMARY, "calls")
    )
    counts = Counter()
    for *values, n in groups:
        for figure in call_figures(**dict(zip(FIGURE_SUMMARY, values, strict=True))):
            counts[figure] += n
    return per_day, counts


@dataclass
class MenuFigures:
    """What the calls that reached one menu did there: each call counts once per figure."""

    slug: str
    reached: int = 0
    # Calls that chose each option, by its key.
    chose: Counter = field(default_factory=Counter)
    # Calls with each other answer there (MenuOutcome values but CHOSE), and that left there.
    answered: Counter = field(default_factory=Counter)
    left: int = 0


def _summary_groups(groups: QuerySet) -> list[tuple]:
    """The rows of a grouping of the calls by their summary columns, read from the summary
    index alone. On SQLite, named: its planner, once a log holds many different paths through
    the tree, reads the calls by time and sorts a million rows to group them (2.2 s in make
    bench) instead of reading the index already in group order."""
    if connection.vendor != "sqlite":
        return list(groups)
    sql, params = groups.query.sql_with_params()
    table = connection.ops.quote_name(Call._meta.db_table)
    sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {SUMMARY_INDEX}", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def menu_figures(
    *,
    language: str = "",
    to_number: str = "",
    calls: QuerySet[Call] | None = None,
    days: int = 30,
    today: date | None = None,
) -> dict[str, MenuFigures]:
    """Per menu (by short name), what the calls of the last days did there: the dashboard's
    menus (see dashboard_get())."""
    return dashboard_get(
        language=language, to_number=to_number, calls=calls, days=days, today=today
    ).menus


def _midnights(days: int, today: date | None) -> list[datetime]:
    """The midnights that start each of the last days, and the one that ends today."""
    first = (today or timezone.localdate()) - timedelta(days=days - 1)
    return [
        timezone.make_aware(datetime.combine(first + timedelta(n), time.min))
        for n in range(days + 1)
    ]


def picture_figures(viewer) -> dict[str, PictureFigures] | None:
    """The last 30 days' figures per menu for the tree's picture (directory/picture.py), or
    None for staff who may not read the call log."""
    if not viewer.has_perm("calllog.view_call"):
        return None
    return {
        slug: PictureFigures(reached=f.reached, chose=dict(f.chose))
        for slug, f in menu_figures().items()
    }


def _menus(counts: Counter) -> dict[str, MenuFigures]:
    """Per menu, the calls that reached it, did each thing there and were left there, from the
    calls per (figure, key)."""
    menus: dict[str, MenuFigures] = {}
    for (figure, key), n in counts.items():
        if figure == Figure.ANSWER:
            menu, code = key.rsplit(":", 1)
            outcome = OUTCOMES_BY_CODE.get(code)
            counted = menus.setdefault(menu, MenuFigures(menu))
            if outcome is None:
                counted.chose[code] += n
            else:
                counted.answered[outcome] += n
        elif figure == Figure.REACHED:
            menus.setdefault(key, MenuFigures(key)).reached += n
        elif figure == Figure.LEFT:
            menus.setdefault(key, MenuFigures(key)).left += n
    return menus


@dataclass(frozen=True)
class OptionRow:
    key: str
    leads_to: str
    calls: int


@dataclass(frozen=True)
class MenuReport:
    """One menu's row of the dashboard: its name, its figures, an option per row."""

    slug: str
    menu: Menu | None
    figures: MenuFigures
    options: list[OptionRow]

    @property
    def name(self) -> str:
        return self.menu.name if self.menu else self.slug


def _option_rows(counted: MenuFigures, options: list[Option]) -> list[OptionRow]:
    """The menu's options in order, then keys chosen that are no option of it any more."""
    rows = [OptionRow(o.key, option_leads_to(o), counted.chose[o.key]) for o in options]
    known = {o.key for o in options}
    return rows + [
        OptionRow(key, "", n) for key, n in sorted(counted.chose.items()) if key not in known
    ]


def menu_report(figures: dict[str, MenuFigures]) -> list[MenuReport]:
    """The menus as staff know them (where calls start first, then by name), each with its
    figures and its options in order; menus no longer there, by their short name, last."""
    menus = {menu.slug: menu for menu in Menu.objects.all()}
    options: dict[int, list[Option]] = {}
    for option in Option.objects.select_related(
        "target_menu", "target_planet", "target_language"
    ).order_by("position", "key"):
        options.setdefault(option.menu_id, []).append(option)
    reports = []
    for slug, menu in menus.items():
        counted = figures.get(slug, MenuFigures(slug))
        reports.append(
            MenuReport(slug, menu, counted, _option_rows(counted, options.get(menu.pk, [])))
        )
    reports += [
        MenuReport(slug, None, counted, _option_rows(counted, []))
        for slug, counted in sorted(figures.items())
        if slug not in menus
    ]
    return reports


def _wording_heard(call: Call):
    """What this call's caller heard, in the call's language: the directory as of the
    greeting, rebuilt from its history (each model's state at that moment). None for a call
    logged before greetings were timed, or older than the history."""
    if call.greeted_at is None:
        return None
    script = script_as_of(call.greeted_at)
    if script is None:
        return None
    return script.wording(script.language(call.language) or script.default)


def directory_heard(call: Call) -> list[Sentence] | None:
    """The planet directory as this call's caller heard it (see _wording_heard)."""
    wording = _wording_heard(call)
    return None if wording is None else wording.directory_sentences()


def first_menu_heard(call: Call) -> list[Sentence] | None:
    """The menu this call started at, as its caller heard it (see _wording_heard)."""
    wording = _wording_heard(call)
    # A call older than the tree's history (before the menus were data) heard a menu that
    # history cannot tell: not the built-in tree the script stands in with.
    if wording is None or wording.script.entry is BUILT_IN_TREE:
        return None
    return wording.menu_sentences(wording.script.entry_menu(call.to_number))


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
