"""The data staff edit in the admin, one module per idea: languages (and our numbers), planets,
menus, wording (directions and prompts) and the directory's revision."""

from ..fields import DIGITS, PHONE_KEYS
from .languages import MAIN_MENU_KEYS, CalledNumber, Language
from .menus import MenuAlias, MenuChoice
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
    "MAIN_MENU_KEYS",
    "PHONE_KEYS",
    "PROMPT_DEFAULTS",
    "CalledNumber",
    "Closure",
    "Directions",
    "Language",
    "MenuAlias",
    "MenuChoice",
    "OpeningHours",
    "Planet",
    "PlanetAlias",
    "PlanetName",
    "Prompt",
    "PromptKey",
    "PromptText",
    "Revision",
    "Weekday",
    # Named by the migrations that made their fields.
    "validate_holidays_country",
    "validate_time_zone",
]
