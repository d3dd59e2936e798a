"""Reads of the directory for the call flow: each returns plain data in one query."""

from dataclasses import dataclass

from django.db.models import Q

from .models import PROMPT_DEFAULTS, Directions, Planet, Prompt


@dataclass(frozen=True)
class Sentence:
    text: str
    voice: str = ""
    language: str = ""


@dataclass(frozen=True)
class PlanetOption:
    pk: int
    name: str
    spoken_name: str
    key: str
    phone_number: str


_PLANET_FIELDS = ("pk", "name", "spoken_name", "key", "phone_number")


def prompts_get() -> dict[str, Sentence]:
    """Every prompt by key; a prompt staff have not written yet falls back to the demo's words."""
    voice = Prompt._meta.get_field("voice").default
    language = Prompt._meta.get_field("language").default
    prompts = {key: Sentence(text, voice, language) for key, text in PROMPT_DEFAULTS.items()}
    for key, text, voice, language in Prompt.objects.values_list(
        "key", "text", "voice", "language"
    ):
        prompts[key] = Sentence(text, voice, language)
    return prompts


def planets_active(*, also_pk: int | None = None) -> tuple[list[PlanetOption], PlanetOption | None]:
    """The active planets in menu order, and the planet with also_pk even if it is inactive."""
    condition = Q(is_active=True)
    if also_pk is not None:
        condition |= Q(pk=also_pk)
    active, also = [], None
    for values in Planet.objects.filter(condition).values_list(*_PLANET_FIELDS, "is_active"):
        option = PlanetOption(*values[:-1])
        if option.pk == also_pk:
            also = option
        if values[-1]:
            active.append(option)
    return active, also


def directions_in_use() -> Sentence | None:
    """The directions version callers hear, or None when staff have none in use."""
    row = Directions.objects.filter(in_use=True).values_list("text", "voice", "language").first()
    return Sentence(*row) if row else None
