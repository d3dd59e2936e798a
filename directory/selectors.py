"""Reads of the directory for the call flow: everything one call step may say, in one query."""

from dataclasses import dataclass, field

from django.db import connection

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
    takes_voicemail: bool = True


@dataclass(frozen=True)
class Script:
    """What a call step can say: every prompt, the active planets in menu order, the directions
    in use (None when staff have none), and one more planet asked for by pk, active or not."""

    prompts: dict[str, Sentence]
    planets: list[PlanetOption] = field(default_factory=list)
    directions: Sentence | None = None
    extra_planet: PlanetOption | None = None


PROMPTS, PLANETS, DIRECTIONS = 0, 1, 2
# A planet's last column holds two flags: 1 when it is active, plus this when it takes voicemail.
TAKES_VOICEMAIL = 2


def _script_sql() -> str:
    # One UNION ALL instead of three queries: every webhook pays one round trip, and staff
    # edits are still read on the very next request, with no cache to invalidate.
    q = connection.ops.quote_name
    prompt, planet, directions = (m._meta.db_table for m in (Prompt, Planet, Directions))
    return f"""
        SELECT {PROMPTS}, {q("key")}, text, voice, language, 0, 0, 0 FROM {q(prompt)}
        UNION ALL
        SELECT {PLANETS}, name, spoken_name, {q("key")}, phone_number, id, position,
               CASE WHEN is_active THEN 1 ELSE 0 END
               + CASE WHEN takes_voicemail THEN {TAKES_VOICEMAIL} ELSE 0 END
          FROM {q(planet)} WHERE is_active OR id = %s
        UNION ALL
        SELECT {DIRECTIONS}, '', text, voice, language, 0, 0, 0 FROM {q(directions)} WHERE in_use
        ORDER BY 1, 7, 4, 2
    """


def script_get(*, extra_planet: int | None = None) -> Script:
    """The prompts (staff's, else the demo's words), active planets and directions in use."""
    voice = Prompt._meta.get_field("voice").default
    language = Prompt._meta.get_field("language").default
    prompts = {key: Sentence(text, voice, language) for key, text in PROMPT_DEFAULTS.items()}
    planets, directions, extra = [], None, None
    with connection.cursor() as cursor:
        cursor.execute(_script_sql(), [extra_planet if extra_planet is not None else -1])
        rows = cursor.fetchall()
    for part, a, b, c, d, pk, _position, flags in rows:
        if part == PROMPTS:
            prompts[a] = Sentence(b, c, d)
        elif part == PLANETS:
            option = PlanetOption(
                pk=pk,
                name=a,
                spoken_name=b,
                key=c,
                phone_number=d,
                takes_voicemail=bool(flags & TAKES_VOICEMAIL),
            )
            if pk == extra_planet:
                extra = option
            if flags & 1:
                planets.append(option)
        else:
            directions = Sentence(b, c, d)
    return Script(prompts=prompts, planets=planets, directions=directions, extra_planet=extra)
