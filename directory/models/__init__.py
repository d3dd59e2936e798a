"""The data staff edit in the admin, one module per idea: languages (and our numbers), planets,
menus, options and what they say (the tree), wording (directions and prompts), the revision."""

from ..fields import DIGITS, PHONE_KEYS
from .languages import CalledNumber, Language
from .menus import (
    BUILT_IN_GREETING,
    BUILT_IN_THANK_YOU,
    DIRECTIONS_PLACEHOLDER,
    TEXT_MESSAGE_LENGTH,
    Menu,
    MenuPrompt,
)
from .option_wording import Announcement, OptionText, OptionWord, TextMessage
from .options import Action, Option
from .planets import (
    EXTENSION_LENGTH,
    Closure,
    OpeningHours,
    Planet,
    PlanetAlias,
    PlanetName,
    Weekday,
    validate_holidays_country,
    validate_time_zone,
)
from .revision import Revision
from .wording import (
    DEFAULT_LANGUAGE_CODE,
    DEFAULT_VOICE,
    PROMPT_DEFAULTS,
    Directions,
    Prompt,
    PromptKey,
    PromptText,
)

__all__ = [
    "DEFAULT_LANGUAGE_CODE",
    "DEFAULT_VOICE",
    "DIGITS",
    "EXTENSION_LENGTH",
    "BUILT_IN_GREETING",
    "BUILT_IN_THANK_YOU",
    "DIRECTIONS_PLACEHOLDER",
    "TEXT_MESSAGE_LENGTH",
    "PHONE_KEYS",
    "PROMPT_DEFAULTS",
    "Action",
    "Announcement",
    "CalledNumber",
    "Closure",
    "Directions",
    "Language",
    "Menu",
    "MenuPrompt",
    "OpeningHours",
    "Option",
    "OptionText",
    "OptionWord",
    "Planet",
    "PlanetAlias",
    "PlanetName",
    "Prompt",
    "PromptKey",
    "PromptText",
    "Revision",
    "TextMessage",
    "Weekday",
    # Named by the migrations that made their fields.
    "validate_holidays_country",
    "validate_time_zone",
]
