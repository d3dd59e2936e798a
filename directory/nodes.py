"""The tree and its words as immutable values: sentences, languages, menus, options, planets,
and the built-in tree the line answers with before staff made one."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from .hours import Hours
from .models import (
    BUILT_IN_GREETING,
    BUILT_IN_THANK_YOU,
    DEFAULT_LANGUAGE_CODE,
    DEFAULT_VOICE,
    DIRECTIONS_PLACEHOLDER,
    Action,
)

# Words of the built-in tree (the line with no menu yet) are kept under this language code:
# said in the demo's voice and language, after the caller's and the default language's.
BUILT_IN_WORDS = ""


@dataclass(frozen=True)
class Sentence:
    """A sentence with the voice and language Twilio speaks it in, and the URL of a recording
    of it that callers hear instead, if staff uploaded one."""

    text: str
    voice: str = ""
    language: str = ""
    recording: str = ""

    def fill(self, **values: str) -> "Sentence":
        """The sentence with its {placeholders} replaced (str.format would let staff run code);
        a recording cannot say the values, so a filled sentence is spoken."""
        text = self.text
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return Sentence(
            text, self.voice, self.language, self.recording if text == self.text else ""
        )


@dataclass(frozen=True)
class LanguageOption:
    code: str
    name: str
    voice: str


def _empty() -> Mapping:
    return MappingProxyType({})


@dataclass(frozen=True)
class OptionNode:
    """An active option of a menu: its key, what it does, and its words per language code."""

    key: str
    action: str
    read_out: bool = True
    pk: int = 0
    target_menu: str = ""
    target_planet: int | None = None
    target_language: str = ""
    # The sentence reading it out: language code -> (text, voice or "").
    texts: Mapping[str, tuple[str, str]] = field(default_factory=_empty)
    # What a caller may say for it: language code -> phrases.
    words: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    # The message it says: language code -> ((text, voice or "", recording path or ""), ...).
    announcement: Mapping[str, tuple[tuple[str, str, str], ...]] = field(default_factory=_empty)
    # The text message it sends the caller: language code -> text.
    text_message: Mapping[str, str] = field(default_factory=_empty)


@dataclass(frozen=True)
class MenuNode:
    """A menu: what it says per language code ((text, voice or "", recording path or "")), and
    its active options in order."""

    slug: str
    name: str
    prompts: Mapping[str, tuple[str, str, str]] = field(default_factory=_empty)
    options: tuple[OptionNode, ...] = ()
    # The key of the option a caller who does nothing gets; "": the menu again, as a miss.
    silence_key: str = ""

    @cached_property
    def by_key(self) -> Mapping[str, OptionNode]:
        return MappingProxyType({option.key: option for option in self.options})

    @cached_property
    def has_directory(self) -> bool:
        """Planet names are heard at a menu that leads to the planet directory."""
        return any(option.action == Action.DIRECTORY for option in self.options)


@dataclass(frozen=True)
class PlanetOption:
    pk: int
    name: str
    key: str
    phone_number: str
    is_active: bool
    # Its spoken name per language code; the planet's name where it has none at all.
    spoken_names: Mapping[str, str]
    # What callers also say for it, per language code.
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    hours: Hours = field(default_factory=Hours)
    # Whether a caller who cannot reach it (busy, no answer, closed) may leave a message.
    takes_voicemail: bool = True


# The line with no language in the database yet still answers, in the demo's words; with no
# menu yet, it answers with ET's main menu: 1 for the directions, 2 for the planet directory.
BUILT_IN = LanguageOption(DEFAULT_LANGUAGE_CODE, "English", DEFAULT_VOICE)
BUILT_IN_TREE = MenuNode(
    slug="main",
    name="Main menu",
    prompts=MappingProxyType({BUILT_IN_WORDS: (BUILT_IN_GREETING, "", "")}),
    options=(
        OptionNode(
            key="1",
            action=Action.ANNOUNCE,
            read_out=False,
            announcement=MappingProxyType(
                {BUILT_IN_WORDS: ((DIRECTIONS_PLACEHOLDER, "", ""), (BUILT_IN_THANK_YOU, "", ""))}
            ),
        ),
        OptionNode(key="2", action=Action.DIRECTORY, read_out=False),
    ),
)
