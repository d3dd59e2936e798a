"""What a caller hears, decided in one place: the directory's words in the call's language.

A Script holds everything a call step may say, in every language, as immutable values; it is
read from the database once per change (directory/selectors.py) and shared by every request.
A Wording is one call's view of it, in the language the caller chose: filling {planet} and
{key}, the planet directory's sentences, the fallback to the default language's words, and the
staff's recordings at the URL the caller's Twilio fetches them from.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from types import MappingProxyType

from .hours import is_open, next_opening, when_spoken
from .models import (
    DEFAULT_LANGUAGE_CODE,
    DEFAULT_VOICE,
    DIRECTIONS_PLACEHOLDER,
    PROMPT_DEFAULTS,
    Action,
    PromptKey,
)
from .nodes import (
    BUILT_IN,
    BUILT_IN_TREE,
    BUILT_IN_WORDS,
    LanguageOption,
    MenuNode,
    OptionNode,
    PlanetOption,
    Sentence,
    _empty,
)

# Wording kept per script (a language and a base URL each): a few in practice, bounded anyway.
LINES_KEPT = 64


# Compared and hashed as itself (eq=False): a Script is one reading of the directory, and what
# is computed from it may be kept under it (ivr.speech.vocabulary).
@dataclass(frozen=True, eq=False)
class Script:
    """Everything a call step may say, in every language; immutable, shared by requests."""

    languages: tuple[LanguageOption, ...]
    default: LanguageOption
    # Our numbers (Twilio's To) that start their callers in a language other than the default.
    numbers: Mapping[str, str]
    # The tree: every menu by slug, the one calls start at, and the numbers starting elsewhere.
    menus: Mapping[str, MenuNode]
    entry: MenuNode
    # Staff's words: (prompt key, language code) -> (text, voice or "").
    prompts: Mapping[tuple[str, str], tuple[str, str]]
    # The directions in use per language code: (text, voice or "").
    directions: Mapping[str, tuple[str, str]]
    # Every planet, active or not, by pk; the active ones in the planet directory's order.
    planets: Mapping[int, PlanetOption]
    directory_planets: tuple[PlanetOption, ...]
    entry_menus: Mapping[str, str] = field(default_factory=_empty)
    # The directory's revision token it was read at (directory/selectors.py), if any.
    revision: int | None = None
    # The URL paths of staff's recordings whose files are there: (prompt key, language code)
    # -> path, and language code -> path of the directions in use.
    prompt_recordings: Mapping[tuple[str, str], str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    directions_recordings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(
        cls,
        *,
        languages: list[tuple[LanguageOption, bool]],
        numbers: dict[str, str],
        prompts: dict[tuple[str, str], tuple[str, str]],
        directions: dict[str, tuple[str, str]],
        planets: list[PlanetOption],
        menus: list[MenuNode] = (),
        entry: str = "",
        entry_menus: dict[str, str] | None = None,
        prompt_recordings: dict[tuple[str, str], str] | None = None,
        directions_recordings: dict[str, str] | None = None,
    ) -> "Script":
        """A script from plain values: languages in order, each with whether it is the default;
        planets in menu order; menus with the slug of the one calls start at (else the first;
        none: the built-in tree)."""
        options = tuple(language for language, _ in languages) or (BUILT_IN,)
        # With no language marked default (never, given the constraint and the admin's action,
        # but a shell can), the first one stands in.
        default = next((language for language, is_default in languages if is_default), options[0])
        tree = {menu.slug: menu for menu in menus} or {BUILT_IN_TREE.slug: BUILT_IN_TREE}
        entry_menu = tree.get(entry) or next(iter(tree.values()))
        return cls(
            languages=options,
            default=default,
            numbers=MappingProxyType(dict(numbers)),
            menus=MappingProxyType(tree),
            entry=entry_menu,
            entry_menus=MappingProxyType(
                {number: slug for number, slug in (entry_menus or {}).items() if slug in tree}
            ),
            prompts=MappingProxyType(dict(prompts)),
            directions=MappingProxyType(dict(directions)),
            planets=MappingProxyType({planet.pk: planet for planet in planets}),
            directory_planets=tuple(planet for planet in planets if planet.is_active),
            prompt_recordings=MappingProxyType(dict(prompt_recordings or {})),
            directions_recordings=MappingProxyType(dict(directions_recordings or {})),
        )

    @cached_property
    def directory_by_key(self) -> Mapping[str, PlanetOption]:
        """The active planets by extension (computed once per script, not per request)."""
        return MappingProxyType({planet.key: planet for planet in self.directory_planets})

    @cached_property
    def extension_length(self) -> int | None:
        """The length every active extension has, so a caller need not end one with #; None
        when they differ (or there are none)."""
        lengths = {len(planet.key) for planet in self.directory_planets}
        return lengths.pop() if len(lengths) == 1 else None

    def language(self, code: str) -> LanguageOption | None:
        return next((language for language in self.languages if language.code == code), None)

    def starting_language(self, called: str) -> LanguageOption:
        """The language a call to this number of ours starts in."""
        return self.language(self.numbers.get(called, "")) or self.default

    def call_language(self, *, requested: str, called: str) -> LanguageOption:
        """The language a call step speaks: the one asked for when we know it, else the call's
        starting language (a forged or deleted code is no error, only not heard)."""
        return self.language(requested) or self.starting_language(called)

    def entry_menu(self, called: str) -> MenuNode:
        """The menu a call to this number of ours starts at."""
        return self.menus.get(self.entry_menus.get(called, ""), self.entry)

    def call_menu(self, *, requested: str, called: str) -> MenuNode:
        """The menu a step is at: the one its URL names when it still exists, else the call's
        first menu (a menu deleted during a call is no error)."""
        return self.menus.get(requested) or self.entry_menu(called)

    def wording(self, language: LanguageOption, *, base_url: str = "") -> "Wording":
        """What a caller hears in a language; recordings' URLs start with base_url (the
        scheme and host Twilio reaches us at). Kept: every call in the language shares them."""
        kept = self._kept_wordings
        if (wording := kept.get((language, base_url))) is None:
            if len(kept) >= LINES_KEPT:
                kept.clear()
            wording = kept[language, base_url] = Wording(self, language, base_url)
        return wording

    # What a script computes once is kept on it (cached properties, these dicts): a change staff
    # make gives a new Script, which starts with none of it.
    @cached_property
    def _kept_wordings(self) -> dict[tuple[LanguageOption, str], "Wording"]:
        return {}

    def voicemail_planet(self, pk: int | None) -> PlanetOption | None:
        """The planet, active or not, when callers may leave it a message."""
        planet = self.planets.get(pk)
        return planet if planet is not None and planet.takes_voicemail else None


@dataclass(frozen=True)
class Wording:
    """What a caller hears in one language, falling back to the default language's words."""

    script: Script
    language: LanguageOption
    base_url: str = ""

    def _recording(self, path: str | None) -> str:
        return self.base_url + path if path else ""

    def _sentence(self, key: str, language: LanguageOption) -> Sentence:
        script = self.script
        for source in (language, script.default):
            if (key, source.code) in script.prompts:
                text, voice = script.prompts[key, source.code]
                recording = self._recording(script.prompt_recordings.get((key, source.code)))
                return Sentence(text, voice or source.voice, source.code, recording)
        return Sentence(PROMPT_DEFAULTS[key], DEFAULT_VOICE, DEFAULT_LANGUAGE_CODE)

    def sentence(self, key: str) -> Sentence:
        """A prompt in this language, else the default language's, else the demo's words."""
        return self._sentence(key, self.language)

    def _sources(self) -> tuple[tuple[str, str], ...]:
        """Where staff's words for a menu or option are looked for: (language code, voice),
        this language's, the default's, then the built-in tree's."""
        default = self.script.default
        return (
            (self.language.code, self.language.voice),
            (default.code, default.voice),
            (BUILT_IN_WORDS, DEFAULT_VOICE),
        )

    def _said(self, code: str, voice: str, fallback_voice: str, recording: str = "") -> tuple:
        # Built-in words are said in the demo's language.
        return (voice or fallback_voice, code or DEFAULT_LANGUAGE_CODE, self._recording(recording))

    def menu_sentences(self, menu: "MenuNode") -> list[Sentence]:
        """A menu as the caller hears it: its text, then each option read out (a language's
        option in that language's own words; the caller's own language's is not offered)."""
        kept = self._menus
        if (sentences := kept.get(menu.slug)) is None or sentences[0] is not menu:
            sentences = kept[menu.slug] = (menu, tuple(self._menu_sentences(menu)))
        return list(sentences[1])

    @cached_property
    def _menus(self) -> dict[str, tuple["MenuNode", tuple[Sentence, ...]]]:
        return {}

    def _menu_sentences(self, menu: "MenuNode") -> list[Sentence]:
        sentences = []
        for code, voice in self._sources():
            if code in menu.prompts:
                text, own_voice, recording = menu.prompts[code]
                sentences.append(Sentence(text, *self._said(code, own_voice, voice, recording)))
                break
        for option in menu.options:
            if not option.read_out:
                continue
            if option.action == Action.LANGUAGE:
                other = self.script.language(option.target_language)
                if other is None or other == self.language:
                    continue
                said = self._sentence(PromptKey.LANGUAGE_OPTION, other)
            else:
                said = self._option_text(option)
            if said is not None:
                sentences.append(said.fill(key=option.key))
        return [sentence for sentence in sentences if sentence.text]

    def _option_text(self, option: "OptionNode") -> Sentence | None:
        for code, voice in self._sources():
            if code in option.texts:
                text, own_voice = option.texts[code]
                return Sentence(text, *self._said(code, own_voice, voice))
        return None

    def announcement(self, option: "OptionNode") -> list[Sentence]:
        """What an option says (this language's sentences, else the default's): a sentence
        that is just {directions} is the directions in use."""
        for code, voice in self._sources():
            if code in option.announcement:
                return [
                    self._directions()
                    if text == DIRECTIONS_PLACEHOLDER
                    else Sentence(
                        text.replace(DIRECTIONS_PLACEHOLDER, self._directions().text),
                        *self._said(code, own_voice, voice, recording),
                    )
                    for text, own_voice, recording in option.announcement[code]
                ]
        return []

    def text_message(self, option: "OptionNode") -> str:
        """The text message an option sends (this language's, else the default's), with the
        directions in use for {directions}; "" when it has none."""
        for code, _voice in self._sources():
            if code in option.text_message:
                text = option.text_message[code]
                if DIRECTIONS_PLACEHOLDER in text:
                    text = text.replace(DIRECTIONS_PLACEHOLDER, self._directions().text)
                return text
        return ""

    def _directions(self) -> Sentence:
        """The directions in use (this language's, else the default's)."""
        script = self.script
        for source in (self.language, script.default):
            if source.code in script.directions:
                text, voice = script.directions[source.code]
                recording = self._recording(script.directions_recordings.get(source.code))
                return Sentence(text, voice or source.voice, source.code, recording)
        return self.sentence(PromptKey.DIRECTIONS_UNAVAILABLE)

    def spoken_name(self, planet: PlanetOption) -> str:
        names = planet.spoken_names
        return names.get(self.language.code) or names.get(self.script.default.code) or planet.name

    def directory_sentences(self, *, read_at_most: int | None = None) -> list[Sentence]:
        """Exactly what the caller hears in the planet directory, in order (also the admin's
        preview): the first planets (at most read_at_most, else all), then, when there are more,
        how to reach the others, and how to end an extension when they differ in length."""
        kept = self._kept_directory_sentences
        if (sentences := kept.get(read_at_most)) is None:
            sentences = kept[read_at_most] = tuple(self._directory_sentences(read_at_most))
        return list(sentences)

    @cached_property
    def _kept_directory_sentences(self) -> dict[int | None, tuple[Sentence, ...]]:
        return {}

    def _directory_sentences(self, read_at_most: int | None) -> list[Sentence]:
        option = self.sentence(PromptKey.PLANET_OPTION)
        planets = self.script.directory_planets
        read_at_most = len(planets) if read_at_most is None else read_at_most
        sentences = [self.sentence(PromptKey.DIRECTORY_INTRO)]
        sentences += [
            # Digit by digit: "2 0 4" is said "two zero four", not "two hundred and four".
            option.fill(planet=self.spoken_name(planet), key=" ".join(planet.key))
            for planet in planets[:read_at_most]
        ]
        if len(planets) > read_at_most:
            sentences.append(self.sentence(PromptKey.DIRECTORY_MORE))
        if planets and self.script.extension_length is None:
            sentences.append(self.sentence(PromptKey.DIRECTORY_FINISH))
        sentences.append(self.sentence(PromptKey.DIRECTORY_BACK))
        return [sentence for sentence in sentences if sentence.text]

    def option_words(self, option: "OptionNode") -> tuple[str, ...]:
        """What a caller may say in this language for an option (a language's option: that
        language's name too)."""
        words = option.words.get(self.language.code, ())
        if option.action == Action.LANGUAGE:
            other = self.script.language(option.target_language)
            return (other.name, *words) if other is not None else words
        return words

    def planet_words(self, planet: PlanetOption) -> tuple[str, ...]:
        """What a caller may say in this language for a planet: its spoken name here, its
        name, and what it is also heard as."""
        code = self.language.code
        spoken = (planet.spoken_names[code],) if code in planet.spoken_names else ()
        return tuple(dict.fromkeys((*spoken, planet.name, *planet.aliases.get(code, ()))))

    def active_planet(self, pk: int | None) -> PlanetOption | None:
        planet = self.script.planets.get(pk)
        return planet if planet is not None and planet.is_active else None

    def planet_for_key(self, key: str) -> PlanetOption | None:
        return self.script.directory_by_key.get(key)

    def closed(self, planet: PlanetOption, *, now: datetime) -> list[Sentence]:
        """Why a planet cannot be called now and when it opens; nothing while it is open."""
        if is_open(planet.hours, now):
            return []
        name = self.spoken_name(planet)
        sentences = [self.sentence(PromptKey.PLANET_CLOSED).fill(planet=name)]
        opens = next_opening(planet.hours, now)
        if opens is not None:
            sentence = self.sentence(PromptKey.PLANET_OPENS)
            when = when_spoken(opens, now=now, language=sentence.language)
            filled = sentence.fill(opens=when, planet=name)
            # "at 9 a.m." before the sentence's own full stop.
            text = filled.text.replace(when + ".", when) if when.endswith(".") else filled.text
            sentences.append(replace(filled, text=text))
        return [sentence for sentence in sentences if sentence.text]

    def dial_failed(self, planet_pk: int | None) -> Sentence | None:
        """After a dial that did not connect; None when the planet is gone (nothing to name)."""
        planet = self.script.planets.get(planet_pk)
        if planet is None:
            return None
        return self.sentence(PromptKey.DIAL_FAILED).fill(planet=self.spoken_name(planet))

    def voicemail_offer(self, planet_pk: int | None) -> Sentence | None:
        """The offer of a message for a planet that cannot answer; None when it takes none (or
        is gone)."""
        planet = self.script.voicemail_planet(planet_pk)
        if planet is None:
            return None
        return self.sentence(PromptKey.VOICEMAIL_OFFER).fill(planet=self.spoken_name(planet))
