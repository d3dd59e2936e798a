"""Writes to the directory that are more than a plain save.

Each row is saved on its own rather than by a queryset's update(), so the history records
who switched what (simple-history sees saves, not updates).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Directions, Language, Menu, Option, OptionWord, Planet, PlanetAlias


def _switch(rows, field: str, value: bool) -> None:
    for row in rows:
        setattr(row, field, value)
        row.save(update_fields=[field])


@transaction.atomic
def directions_put_in_use(*, directions: Directions) -> None:
    """Make this version the one callers of its language hear; the one before is retired."""
    in_use = Directions.objects.filter(language_id=directions.language_id, in_use=True)
    _switch(in_use.exclude(pk=directions.pk), "in_use", False)
    _switch([directions], "in_use", True)


@transaction.atomic
def directions_take_out_of_use(*, language_ids: list[int]) -> None:
    """No version in use in these languages: callers there hear the default language's
    directions, or the 'directions unavailable' prompt."""
    _switch(Directions.objects.filter(language_id__in=language_ids, in_use=True), "in_use", False)


@transaction.atomic
def language_make_default(*, language: Language) -> None:
    """Make this the line's default language; the default before is no longer."""
    _switch(Language.objects.filter(is_default=True).exclude(pk=language.pk), "is_default", False)
    _switch([language], "is_default", True)


@transaction.atomic
def menu_make_default(*, menu: Menu) -> None:
    """Make this the menu calls start at (numbers with a first menu of their own aside); the
    one before is no longer. One step, so no call finds the line without one."""
    _switch(Menu.objects.filter(is_default=True).exclude(pk=menu.pk), "is_default", False)
    _switch([menu], "is_default", True)


def _row(model, target: str, prefix: str):
    pk = target.removeprefix(prefix)
    row = model.objects.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 19 else None
    if row is None:
        raise ValidationError(_("Choose a planet or a menu's option."), code="target")
    return row


def alias_add(*, language: Language, phrase: str, target: str) -> PlanetAlias | OptionWord:
    """Make callers who say phrase in this language understood: as a planet's alias (target
    "planet:<pk>") or as words for a menu's option ("option:<pk>"). Raises ValidationError
    with staff's words when it cannot be added."""
    phrase = " ".join(phrase.split())
    if target.startswith("option:"):
        alias = OptionWord(option=_row(Option, target, "option:"), language=language, phrase=phrase)
    else:
        planet = _row(Planet, target, "planet:")
        alias = PlanetAlias(planet=planet, language=language, phrase=phrase)
    alias.full_clean()
    alias.save()
    return alias
