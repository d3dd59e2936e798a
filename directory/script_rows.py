"""A Script made from the directory's rows: the database's, or the history's as it stood."""

import logging
from datetime import date
from types import MappingProxyType

from django.urls import reverse

from .hours import Hours, Opening
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
    TextMessage,
)
from .nodes import LanguageOption, MenuNode, OptionNode, PlanetOption
from .recordings import recordings_storage
from .script import Script

logger = logging.getLogger("directory")

# What the script is made of; every row is read by id, so a historical row serves as well.
DIRECTORY_MODELS = [Language, CalledNumber, Prompt, PromptText, Directions, Planet]

DIRECTORY_MODELS += [PlanetName, PlanetAlias, OpeningHours, Closure]

DIRECTORY_MODELS += [Menu, MenuPrompt, Option, OptionText, OptionWord, Announcement]

DIRECTORY_MODELS += [TextMessage]


def script_of(rows: dict) -> Script:
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
        model: by_parent(rows[model], "planet_id")
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
    prompts = by_parent(rows[MenuPrompt], "menu_id")
    options = by_parent(rows[Option], "menu_id")
    texts, words = (
        by_parent(rows[OptionText], "option_id"),
        by_parent(rows[OptionWord], "option_id"),
    )
    announcements = by_parent(rows[Announcement], "option_id")
    text_messages = by_parent(rows[TextMessage], "option_id")
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


def by_parent(rows, field: str) -> dict[int, list]:
    """Rows by their parent's id, in id order (the order staff added them)."""
    grouped: dict[int, list] = {}
    for row in sorted(rows, key=lambda row: row.pk):
        grouped.setdefault(getattr(row, field), []).append(row)
    return grouped


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
