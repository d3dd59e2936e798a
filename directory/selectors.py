"""Reads of the directory for the call flow: the Script, read once per process per change."""

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from functools import cache, lru_cache
from types import MappingProxyType

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from prometheus_client.core import GaugeMetricFamily

from metrics import registry as metrics

from .hours import Hours, Opening, is_open
from .models import (
    Action,
    Announcement,
    CalledNumber,
    Closure,
    Directions,
    Language,
    Menu,
    MenuPrompt,
    OpeningHours,
    Option,
    OptionText,
    OptionWord,
    Planet,
    PlanetAlias,
    PlanetName,
    Prompt,
    PromptText,
    Revision,
    TextMessage,
)
from .nodes import LanguageOption, MenuNode, OptionNode, PlanetOption
from .recordings import recordings_storage
from .script import Script

logger = logging.getLogger("directory")


@cache
def _revision_query() -> tuple[str, str, tuple]:
    # Kept for ever: the query and the database's kind are fixed for a process. Built by the
    # ORM once: every webhook runs this read, and building a QuerySet, or passing through
    # Django's cursor wrapper, costs more than SQLite or PostgreSQL take to answer it
    # (docs/performance.md). The SQL as Django's cursor takes it (%s parameters), and as the
    # database's driver does (SQLite's takes ?).
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
    """Everything a call step may say, in every language, from the database (16 queries)."""
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
DIRECTORY_MODELS = [Language, CalledNumber, Prompt, PromptText, Directions, Planet]
DIRECTORY_MODELS += [PlanetName, PlanetAlias, OpeningHours, Closure]
DIRECTORY_MODELS += [Menu, MenuPrompt, Option, OptionText, OptionWord, Announcement]
DIRECTORY_MODELS += [TextMessage]


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
                LanguageOption(lang.code, lang.name, lang.voice),
                lang.is_default,
            )
            for lang in languages
        ],
        numbers=numbers,
        prompts=prompts,
        directions=directions,
        planets=_planets(rows, codes),
        **_tree(rows, codes),
        prompt_recordings={key: path for key, path in prompt_recordings.items() if path},
        directions_recordings={key: path for key, path in directions_recordings.items() if path},
    )


def _planets(rows: dict, codes: dict[int, str]) -> list[PlanetOption]:
    """Every planet, in the directory's order, with its names, aliases and hours."""
    by_planet = {
        model: _by_parent(rows[model], "planet_id")
        for model in (PlanetName, PlanetAlias, OpeningHours, Closure)
    }
    return [
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


def _tree(rows: dict, codes: dict[int, str]) -> dict:
    """The menus with their active options, the menu calls start at, and our numbers' own."""
    menus = sorted(rows[Menu], key=lambda menu: (not menu.is_default, menu.name, menu.pk))
    slugs = {menu.pk: menu.slug for menu in menus}
    prompts = _by_parent(rows[MenuPrompt], "menu_id")
    options = _by_parent(rows[Option], "menu_id")
    texts, words = (
        _by_parent(rows[OptionText], "option_id"),
        _by_parent(rows[OptionWord], "option_id"),
    )
    announcements = _by_parent(rows[Announcement], "option_id")
    text_messages = _by_parent(rows[TextMessage], "option_id")
    return {
        "menus": [
            MenuNode(
                slug=menu.slug,
                name=menu.name,
                prompts=MappingProxyType(
                    {
                        codes[prompt.language_id]: (
                            prompt.text,
                            prompt.voice,
                            _recording_path(prompt.recording) if prompt.recording else "",
                        )
                        for prompt in prompts.get(menu.pk, [])
                        if prompt.language_id in codes
                    }
                ),
                options=tuple(
                    _option(option, codes, slugs, texts, words, announcements, text_messages)
                    for option in sorted(
                        options.get(menu.pk, []), key=lambda option: (option.position, option.key)
                    )
                    if option.is_active and _leads_somewhere(option, codes, slugs)
                ),
                silence_key=menu.silence_key,
            )
            for menu in menus
        ],
        "entry": menus[0].slug if menus else "",
        "entry_menus": {
            number.number: slugs[number.entry_menu_id]
            for number in rows[CalledNumber]
            if number.entry_menu_id in slugs
        },
    }


def _leads_somewhere(option, codes: dict[int, str], slugs: dict[int, str]) -> bool:
    # A row read from history may name a menu or language deleted since.
    if option.action == Action.MENU:
        return option.target_menu_id in slugs
    if option.action == Action.LANGUAGE:
        return option.target_language_id in codes
    return True


def _option(option, codes, slugs, texts, words, announcements, text_messages) -> OptionNode:
    said: dict[str, list] = {}
    for sentence in sorted(announcements.get(option.pk, []), key=lambda row: row.position):
        if sentence.language_id in codes:
            recording = _recording_path(sentence.recording) if sentence.recording else ""
            said.setdefault(codes[sentence.language_id], []).append(
                (sentence.text, sentence.voice, recording)
            )
    return OptionNode(
        key=option.key,
        action=option.action,
        read_out=option.read_out,
        pk=option.pk,
        target_menu=slugs.get(option.target_menu_id, ""),
        target_planet=option.target_planet_id,
        target_language=codes.get(option.target_language_id, ""),
        texts=MappingProxyType(
            {
                codes[text.language_id]: (text.text, text.voice)
                for text in texts.get(option.pk, [])
                if text.language_id in codes
            }
        ),
        words=_by_language(words.get(option.pk, []), codes),
        announcement=MappingProxyType({code: tuple(rows) for code, rows in said.items()}),
        text_message=MappingProxyType(
            {
                codes[message.language_id]: message.text
                for message in text_messages.get(option.pk, [])
                if message.language_id in codes
            }
        ),
    )


def _by_parent(rows, field: str) -> dict[int, list]:
    """Rows by their parent's id, in id order (the order staff added them)."""
    grouped: dict[int, list] = {}
    for row in sorted(rows, key=lambda row: row.pk):
        grouped.setdefault(getattr(row, field), []).append(row)
    return grouped


def menus_unreached() -> list[Menu]:
    """Menus no call reaches: neither where calls start, nor a number's first menu, nor led to
    by an active option of a menu that is reached."""
    menus = {menu.pk: menu for menu in Menu.objects.all()}
    leads: dict[int, set[int]] = {}
    for option in Option.objects.filter(is_active=True, target_menu__isnull=False):
        leads.setdefault(option.menu_id, set()).add(option.target_menu_id)
    first = min(
        menus.values(), key=lambda menu: (not menu.is_default, menu.name, menu.pk), default=None
    )
    starts = {
        first and first.pk,
        *CalledNumber.objects.filter(entry_menu__isnull=False).values_list(
            "entry_menu_id", flat=True
        ),
    }
    reached, waiting = set(), [pk for pk in starts if pk is not None]
    while waiting:
        pk = waiting.pop()
        if pk not in reached:
            reached.add(pk)
            waiting.extend(leads.get(pk, ()))
    return [menu for pk, menu in sorted(menus.items()) if pk not in reached]


def option_leads_to(option: Option) -> str:
    """What an option does, as staff say it: “Go to another menu: Help desk”."""
    target = option.target_menu or option.target_planet or option.target_language
    action = option.get_action_display()
    if option.action in (Action.ANNOUNCE, Action.TEXT):
        then = option.target_menu or gettext("hang up")
        return gettext("%(action)s (then %(then)s)") % {"action": action, "then": then}
    return f"{action}: {target}" if target else action


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
    token = revision_get()
    if token is None:
        return replace(script_read(), revision=None)
    return _script_at(token)


# Kept: the script of the latest token only. Any change staff make changes the token (the
# directory's triggers, triggers.py), so the next request reads the script again.
@lru_cache(maxsize=1)
def _script_at(token: int) -> Script:
    metrics.directory_revision_in_use(token)
    return replace(script_read(), revision=token)


def planets_open(*, now: datetime) -> int:
    """How many of the planets callers can reach (active) are open at `now`; a planet without
    opening hours is always open."""
    return sum(is_open(planet.hours, now) for planet in script_get().menu)


def planets_open_collect() -> Iterator[GaugeMetricFamily]:
    """For /metrics: the planets open now, so an alert can tell a quiet night from a dead line."""
    try:
        count = planets_open(now=timezone.now())
    except Exception as error:
        # The database gone: /metrics still serves the other figures (the apologies among them).
        logger.warning("/metrics leaves out the planets open: %s", error)
        return
    gauge = GaugeMetricFamily(
        "etphone_planets_open",
        "Active planets open now by their opening hours (a planet without hours is always open).",
    )
    gauge.add_metric([], count)
    yield gauge
