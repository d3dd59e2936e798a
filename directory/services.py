"""Writes to the directory that are more than a plain save."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Directions, Language, MenuAlias, MenuChoice, Planet, PlanetAlias


@transaction.atomic
def directions_put_in_use(*, directions: Directions) -> None:
    """Make this version the one callers of its language hear; the one before is retired."""
    in_use = Directions.objects.filter(language_id=directions.language_id, in_use=True)
    in_use.exclude(pk=directions.pk).update(in_use=False)
    Directions.objects.filter(pk=directions.pk).update(in_use=True)
    directions.in_use = True


def directions_take_out_of_use(*, language_ids: list[int]) -> None:
    """No version in use in these languages: callers there hear the default language's
    directions, or the 'directions unavailable' prompt."""
    Directions.objects.filter(language_id__in=language_ids, in_use=True).update(in_use=False)


@transaction.atomic
def language_make_default(*, language: Language) -> None:
    """Make this the line's default language; the default before is no longer."""
    Language.objects.filter(is_default=True).exclude(pk=language.pk).update(is_default=False)
    Language.objects.filter(pk=language.pk).update(is_default=True)
    language.is_default = True


def alias_add(*, language: Language, phrase: str, target: str) -> PlanetAlias | MenuAlias:
    """Make callers who say phrase in this language understood: as a planet's alias (target
    "planet:<pk>") or as words for a main-menu choice (a MenuChoice value). Raises
    ValidationError with staff's words when it cannot be added."""
    phrase = " ".join(phrase.split())
    if target in MenuChoice.values:
        alias = MenuAlias(language=language, choice=target, phrase=phrase)
    else:
        pk = target.removeprefix("planet:")
        planet = Planet.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
        if planet is None:
            raise ValidationError(_("Choose a planet or a main menu choice."), code="target")
        alias = PlanetAlias(planet=planet, language=language, phrase=phrase)
    alias.full_clean()
    alias.save()
    return alias
