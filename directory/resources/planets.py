"""Planets as rows: their own fields, spoken names, aliases and weekly hours per language."""

from datetime import time
from functools import partial

from import_export import widgets

from ..models import (
    Language,
    OpeningHours,
    Planet,
    PlanetAlias,
    PlanetName,
)
from .base import DirectoryResource
from .widgets import HoursWidget, PhrasesWidget, RowsField


def _hours(planet: Planet) -> list:
    return [(hours.weekday, hours.opens, hours.closes) for hours in planet.opening_hours.all()]


def _spoken_name(planet: Planet, code: str) -> str:
    return next((n.spoken_name for n in planet.names.all() if n.language.code == code), "")


def _aliases(planet: Planet, code: str) -> list[str]:
    return [alias.phrase for alias in planet.aliases.all() if alias.language.code == code]


class PlanetResource(DirectoryResource):
    """Planets with their spoken names, aliases and opening hours; matched by name."""

    parent = "planet"

    hours = RowsField(
        attribute="imported_hours", column_name="opening hours", widget=HoursWidget(), read=_hours
    )

    class Meta:
        model = Planet
        fields = ["name", "key", "phone_number", "is_active", "position", "time_zone"]
        fields += ["holidays_country", "hours"]
        import_id_fields = ["name"]
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # A column per language for its spoken names and one for its aliases.
        for code in Language.objects.values_list("code", flat=True):
            self.fields[f"spoken_name_{code}"] = RowsField(
                attribute=f"imported_spoken_name_{code}",
                column_name=f"spoken name {code}",
                widget=widgets.CharWidget(),
                read=partial(_spoken_name, code=code),
            )
            self.fields[f"aliases_{code}"] = RowsField(
                attribute=f"imported_aliases_{code}",
                column_name=f"also heard as {code}",
                widget=PhrasesWidget(),
                read=partial(_aliases, code=code),
            )

    def get_queryset(self):
        return Planet.objects.prefetch_related(
            "names__language", "aliases__language", "opening_hours"
        )

    def cell_rows(self, instance):
        """Per column for a planet's rows, the rows (unsaved) its cell would give the planet."""
        if hasattr(instance, "imported_hours"):
            yield (
                self.fields["hours"].column_name,
                [
                    OpeningHours(weekday=day, opens=opens, closes=closes)
                    for day, opens, closes in instance.imported_hours
                ],
            )
        for language in Language.objects.all():
            code = language.code
            name = (getattr(instance, f"imported_spoken_name_{code}", None) or "").strip()
            yield (
                self.fields[f"spoken_name_{code}"].column_name,
                [PlanetName(language=language, spoken_name=name)] if name else [],
            )
            phrases = getattr(instance, f"imported_aliases_{code}", None) or []
            yield (
                self.fields[f"aliases_{code}"].column_name,
                [PlanetAlias(language=language, phrase=phrase) for phrase in phrases],
            )

    def after_save_instance(self, instance, row, **kwargs):
        """Write the columns the file has for the planet's rows: what a cell lists is exactly
        what the planet then has (an empty cell: none)."""
        if hasattr(instance, "imported_hours"):
            _hours_set(instance, instance.imported_hours)
        for language in Language.objects.all():
            name = getattr(instance, f"imported_spoken_name_{language.code}", None)
            if name is not None:
                _spoken_name_set(instance, language, name.strip())
            phrases = getattr(instance, f"imported_aliases_{language.code}", None)
            if phrases is not None:
                _aliases_set(instance, language, phrases)


def _spoken_name_set(planet: Planet, language: Language, spoken_name: str) -> None:
    if not spoken_name:
        for name in PlanetName.objects.filter(planet=planet, language=language):
            name.delete()
        return
    name = PlanetName.objects.filter(planet=planet, language=language).first()
    if name is None:
        name = PlanetName(planet=planet, language=language)
    if name.spoken_name != spoken_name:
        name.spoken_name = spoken_name
        name.save()


def _aliases_set(planet: Planet, language: Language, phrases: list[str]) -> None:
    kept = set()
    for alias in PlanetAlias.objects.filter(planet=planet, language=language):
        if alias.phrase in phrases:
            kept.add(alias.phrase)
        else:
            alias.delete()
    for phrase in phrases:
        if phrase not in kept:
            PlanetAlias.objects.create(planet=planet, language=language, phrase=phrase)


def _hours_set(planet: Planet, hours: list[tuple[int, time, time]]) -> None:
    kept = set()
    for row in OpeningHours.objects.filter(planet=planet):
        key = (row.weekday, row.opens, row.closes)
        if key in hours and key not in kept:
            kept.add(key)
        else:
            row.delete()
    for weekday, opens, closes in hours:
        if (weekday, opens, closes) not in kept:
            OpeningHours.objects.create(planet=planet, weekday=weekday, opens=opens, closes=closes)
            kept.add((weekday, opens, closes))
