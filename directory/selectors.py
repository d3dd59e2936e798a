"""Reads of the directory for the call flow: the Script, read once per process per change."""

from datetime import date
from functools import cache
from types import MappingProxyType

from django.db import connection
from django.db.models import Prefetch

from .hours import Hours, Opening
from .models import (
    CalledNumber,
    Directions,
    Language,
    MenuAlias,
    Planet,
    PlanetAlias,
    PlanetName,
    PromptText,
    Revision,
)
from .script import LanguageOption, PlanetOption, Script

# (the Revision token it was read at, the script); replaced whole, never changed.
_cached: tuple[int, Script] | None = None


@cache
def _revision_query() -> tuple[str, tuple]:
    # Built by the ORM once per process: every webhook runs this read, and building a QuerySet
    # costs several times what SQLite or PostgreSQL take to answer it.
    return Revision.objects.filter(pk=1).values_list("token", flat=True)[:1].query.sql_with_params()


def revision_get() -> int | None:
    """The directory's revision token: one indexed single-row read. None if the row is gone."""
    sql, params = _revision_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def script_read() -> Script:
    """Everything a call step may say, in every language, from the database (ten queries)."""
    languages = [
        (LanguageOption(lang.code, lang.name, lang.voice, lang.welcome_key), lang.is_default)
        for lang in Language.objects.order_by("position", "code")
    ]
    numbers = dict(CalledNumber.objects.values_list("number", "language__code"))
    prompts = {
        (key, code): (text, voice)
        for key, code, text, voice in PromptText.objects.values_list(
            "prompt__key", "language__code", "text", "voice"
        )
    }
    directions = {
        code: (text, voice)
        for code, text, voice in Directions.objects.filter(in_use=True).values_list(
            "language__code", "text", "voice"
        )
    }
    menu_words: dict[tuple[str, str], tuple[str, ...]] = {}
    for choice, code, phrase in MenuAlias.objects.values_list(
        "choice", "language__code", "phrase"
    ).order_by("pk"):
        menu_words[choice, code] = (*menu_words.get((choice, code), ()), phrase)
    names = PlanetName.objects.only("planet_id", "spoken_name", "language__code")
    aliases = PlanetAlias.objects.only("planet_id", "phrase", "language__code").order_by("pk")
    planets = [
        PlanetOption(
            pk=planet.pk,
            name=planet.name,
            key=planet.key,
            phone_number=planet.phone_number,
            is_active=planet.is_active,
            spoken_names=MappingProxyType(
                {name.language.code: name.spoken_name for name in planet.names.all()}
            ),
            aliases=_by_language(planet.aliases.all()),
            hours=_hours(planet),
            takes_voicemail=planet.takes_voicemail,
        )
        for planet in Planet.objects.order_by("position", "key", "name").prefetch_related(
            Prefetch("names", queryset=names.select_related("language")),
            Prefetch("aliases", queryset=aliases.select_related("language")),
            "opening_hours",
            "closures",
        )
    ]
    return Script.of(
        languages=languages,
        numbers=numbers,
        prompts=prompts,
        directions=directions,
        planets=planets,
        menu_words=menu_words,
    )


def _hours(planet: Planet) -> Hours:
    closed_days = set()
    for closure in planet.closures.all():
        day = closure.first_day
        while day <= closure.last_day:
            closed_days.add(day)
            day = date.fromordinal(day.toordinal() + 1)
    return Hours(
        time_zone=planet.time_zone,
        openings=tuple(
            Opening(hours.weekday, hours.opens, hours.closes)
            for hours in planet.opening_hours.all()
        ),
        closed_days=frozenset(closed_days),
        holidays_country=planet.holidays_country,
    )


def _by_language(aliases) -> MappingProxyType:
    phrases: dict[str, tuple[str, ...]] = {}
    for alias in aliases:
        phrases[alias.language.code] = (*phrases.get(alias.language.code, ()), alias.phrase)
    return MappingProxyType(phrases)


def script_get() -> Script:
    """The script, read again only when the directory's revision token changed.

    The token is read before the data: a change committed in between is then read with the
    older token, and read once more on the next request, never missed.
    """
    global _cached
    token = revision_get()
    cached = _cached
    if token is not None and cached is not None and cached[0] == token:
        return cached[1]
    script = script_read()
    if token is not None:
        _cached = (token, script)  # one assignment: other threads see the old pair or the new
    return script
