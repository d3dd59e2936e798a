"""The data staff edit in the admin, one module per idea: languages (and our numbers), planets,
menus (the tree's shape), wording (directions and prompts) and the directory's revision."""

from ..fields import DIGITS, PHONE_KEYS
from .languages import CalledNumber, Language
from .menus import (
    BUILT_IN_GREETING,
    BUILT_IN_THANK_YOU,
    DIRECTIONS_PLACEHOLDER,
    Action,
    Announcement,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    TextMessage,
)
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
