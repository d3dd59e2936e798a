"""Reads of the directory for the call flow: the Script, read once per process per change."""

import logging
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from types import MappingProxyType

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse

from .hours import Hours, Opening
from .models import (
    CalledNumber,
    Closure,
    Directions,
    Language,
    MenuAlias,
    OpeningHours,
    Planet,
    PlanetAlias,
    PlanetName,
    Prompt,
    PromptText,
    Revision,
)
from .recordings import recordings_storage
from .script import LanguageOption, PlanetOption, Script

logger = logging.getLogger("directory")

# (the Revision token it was read at, the script); replaced whole, never changed.
_cached: tuple[int, Script] | None = None


@cache
def _revision_query() -> tuple[str, str, tuple]:
    # Built by the ORM once per process: every webhook runs this read, and building a QuerySet,
    # or passing through Django's cursor wrapper, costs more than SQLite or PostgreSQL take to
    # answer it (docs/performance.md). The SQL as Django's cursor takes it (%s parameters),
    # and as the database's driver does (SQLite's takes ?).
    query = Revision.objects.filter(pk=1).values_list("token", flat=True)[:1].query
    sql, params = query.sql_with_params()
    driver_sql = sql.replace("%s", "?") if connection.vendor == "sqlite" else sql
    return sql, driver_sql, params


def revision_get() -> int | None:
    """The directory's revision token: one indexed single-row read. None if the row is gone.

    It goes to the database driver itself, keeping what Django's cursor gives: the connection
    health check (DATABASE_CONN_HEALTH_CHECKS), Django's errors (a DatabaseError, after which
    the connection is renewed), the query log when queries are logged (DEBUG, tests), and
    Django's cursor itself when something watches queries (connection.execute_wrapper)."""
    sql, driver_sql, params = _revision_query()
    database = connections[DEFAULT_DB_ALIAS]  # looked up once, not per attribute
    if database.execute_wrappers:
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None
    database.close_if_health_check_failed()
    database.ensure_connection()
    with database.wrap_database_errors:
        row = database.connection.execute(driver_sql, params).fetchone()
    if database.queries_logged:
        database.queries_log.append({"sql": f"{sql} {params}", "time": "0.000"})
    return row[0] if row else None


def script_read() -> Script:
    """Everything a call step may say, in every language, from the database (11 queries)."""
    return _script_of(
        {model: model.objects.all() for model in DIRECTORY_MODELS}
        | {Directions: Directions.objects.filter(in_use=True)}
    )


def script_as_of(when: datetime) -> Script | None:
    """The script as it was at a moment, rebuilt from the directory's history (what a caller
    heard then); None before the history begins (no language recorded yet)."""
    rows = {model: model.history.as_of(when) for model in DIRECTORY_MODELS}
    if not rows[Language]:
        return None
    return _script_of(rows)


# What the script is made of; every row is read by id, so a historical row serves as well.
DIRECTORY_MODELS = [Language, CalledNumber, Prompt, PromptText, Directions, MenuAlias, Planet]
DIRECTORY_MODELS += [PlanetName, PlanetAlias, OpeningHours, Closure]


def _script_of(rows: dict) -> Script:
    languages = sorted(rows[Language], key=lambda lang: (lang.position, lang.code))
    codes = {language.pk: language.code for language in languages}
    keys = {prompt.pk: prompt.key for prompt in rows[Prompt]}
    numbers = {
        number.number: codes[number.language_id]
        for number in rows[CalledNumber]
        if number.language_id in codes
    }
    prompts = {
        (keys[text.prompt_id], codes[text.language_id]): (text.text, text.voice)
        for text in rows[PromptText]
        if text.prompt_id in keys and text.language_id in codes
    }
    directions = {
        codes[version.language_id]: (version.text, version.voice)
        for version in rows[Directions]
        if version.in_use and version.language_id in codes
    }
    menu_words: dict[tuple[str, str], tuple[str, ...]] = {}
    for alias in sorted(rows[MenuAlias], key=lambda alias: alias.pk):
        if alias.language_id in codes:
            key = (alias.choice, codes[alias.language_id])
            menu_words[key] = (*menu_words.get(key, ()), alias.phrase)
    by_planet = {
        model: _by_planet(rows[model]) for model in (PlanetName, PlanetAlias, OpeningHours, Closure)
    }
    planets = [
        PlanetOption(
            pk=planet.pk,
            name=planet.name,
            key=planet.key,
            phone_number=planet.phone_number,
            is_active=planet.is_active,
            spoken_names=MappingProxyType(
                {
                    codes[name.language_id]: name.spoken_name
                    for name in by_planet[PlanetName].get(planet.pk, [])
                    if name.language_id in codes
                }
            ),
            aliases=_by_language(by_planet[PlanetAlias].get(planet.pk, []), codes),
            hours=_hours(
                planet,
                by_planet[OpeningHours].get(planet.pk, []),
                by_planet[Closure].get(planet.pk, []),
            ),
            takes_voicemail=planet.takes_voicemail,
        )
        for planet in sorted(
            rows[Planet], key=lambda planet: (planet.position, planet.key, planet.name)
        )
    ]
    prompt_recordings = {
        (keys[text.prompt_id], codes[text.language_id]): _recording_path(text.recording)
        for text in rows[PromptText]
        if text.recording and text.prompt_id in keys and text.language_id in codes
    }
    directions_recordings = {
        codes[version.language_id]: _recording_path(version.recording)
        for version in rows[Directions]
        if version.recording and version.in_use and version.language_id in codes
    }
    return Script.of(
        languages=[
            (
                LanguageOption(lang.code, lang.name, lang.voice, lang.welcome_key),
                lang.is_default,
            )
            for lang in languages
        ],
        numbers=numbers,
        prompts=prompts,
        directions=directions,
        planets=planets,
        menu_words=menu_words,
        prompt_recordings={key: path for key, path in prompt_recordings.items() if path},
        directions_recordings={key: path for key, path in directions_recordings.items() if path},
    )


def _recording_path(name) -> str:
    """The URL path a recording is served at, or "" when its file is not there (the caller
    then hears the text). Asked once per revision, when the script is read."""
    name = str(name)
    try:
        if not recordings_storage().exists(name):
            logger.warning("The recording %s is missing: callers hear the text instead.", name)
            return ""
    except Exception:
        # Whatever the storage's failure (a disk, an object store), the caller hears the text.
        logger.exception("The recording %s could not be checked: callers hear the text.", name)
        return ""
    return reverse("recording", args=[name.rsplit("/", 1)[-1]])


def _by_planet(rows) -> dict[int, list]:
    """Rows by their planet's id, in id order (the order staff added them)."""
    grouped: dict[int, list] = {}
    for row in sorted(rows, key=lambda row: row.pk):
        grouped.setdefault(row.planet_id, []).append(row)
    return grouped


def _hours(planet: Planet, opening_hours: list, closures: list) -> Hours:
    closed_days = set()
    for closure in closures:
        day = closure.first_day
        while day <= closure.last_day:
            closed_days.add(day)
            day = date.fromordinal(day.toordinal() + 1)
    return Hours(
        time_zone=planet.time_zone,
        openings=tuple(
            Opening(hours.weekday, hours.opens, hours.closes)
            for hours in sorted(opening_hours, key=lambda h: (h.weekday, h.opens))
        ),
        closed_days=frozenset(closed_days),
        holidays_country=planet.holidays_country,
    )


def _by_language(aliases, codes: dict[int, str]) -> MappingProxyType:
    phrases: dict[str, tuple[str, ...]] = {}
    for alias in aliases:
        if alias.language_id in codes:
            code = codes[alias.language_id]
            phrases[code] = (*phrases.get(code, ()), alias.phrase)
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
    script = replace(script_read(), revision=token)
    if token is not None:
        _cached = (token, script)  # one assignment: other threads see the old pair or the new
    return script
