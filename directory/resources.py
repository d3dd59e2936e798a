"""The directory as rows for import and export in the admin (django-import-export).

One row per planet (its own fields, its spoken name and its aliases in each language, its
weekly opening hours), per menu (what it says in each language) and per option (what it does,
its sentence, words and message in each language). The column names are fixed identifiers, the
same whatever language the admin speaks, so a file exported by one member of staff imports for
another.
"""

import re
from datetime import time
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext
from import_export import fields, resources, widgets

from .models import Language, OpeningHours, Planet, PlanetAlias, PlanetName
from .spreadsheets import imported, inert

# What the admin's forms refuse in any text (PostgreSQL cannot store it).
no_null_characters = ProhibitNullCharactersValidator()
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = re.compile(r"(\w+)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})")


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


class HoursWidget(widgets.Widget):
    """A planet's weekly hours in one cell: "Mon 09:00-17:00; Sat 10:00-12:00"."""

    def clean(self, value, row=None, **kwargs):
        hours = []
        for part in filter(None, (part.strip() for part in str(value or "").split(";"))):
            match = HOURS.fullmatch(part)
            try:
                day = WEEKDAYS.index(match[1].title()) if match else -1
                opens, closes = (_time(match[2]), _time(match[3])) if match else (None, None)
            except ValueError:
                day = -1
            if day < 0:
                raise ValueError(
                    gettext(
                        "“%(hours)s” is not a day's opening hours. Write each as Mon 09:00-17:00 "
                        "(Mon to Sun, 24-hour times), separated by semicolons."
                    )
                    % {"hours": part}
                )
            hours.append((day, opens, closes))
        return hours

    def render(self, value, obj=None, **kwargs):
        return "; ".join(
            f"{WEEKDAYS[day]} {opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in value
        )


class PhrasesWidget(widgets.Widget):
    """Several phrases in one cell, separated by semicolons: "Dagoba; Yoda's swamp"."""

    def clean(self, value, row=None, **kwargs):
        return list(dict.fromkeys(p.strip() for p in str(value or "").split(";") if p.strip()))

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value)


class RowsField(fields.Field):
    """A column for a planet's rows in another table: read from them, and written to them
    once the planet is saved (PlanetResource.after_save_instance)."""

    def __init__(self, *, read, **kwargs):
        super().__init__(**kwargs)
        self.read = read

    def get_value(self, instance):
        if hasattr(instance, self.attribute):  # imported, not yet written
            return getattr(instance, self.attribute)
        return self.read(instance) if instance.pk else self.widget.clean("")


def _hours(planet: Planet) -> list:
    return [(hours.weekday, hours.opens, hours.closes) for hours in planet.opening_hours.all()]


def _spoken_name(planet: Planet, code: str) -> str:
    return next((n.spoken_name for n in planet.names.all() if n.language.code == code), "")


def _aliases(planet: Planet, code: str) -> list[str]:
    return [alias.phrase for alias in planet.aliases.all() if alias.language.code == code]


class DirectoryResource(resources.ModelResource):
    """Rows whose cells come out inert in a spreadsheet and go in as the admin's forms take
    them, each checked by the forms' rules along with the rows in other tables its cells set
    (a planet's spoken names): every error under the column it is about."""

    # The field of those other rows that names this resource's row ("planet").
    parent = ""

    def before_import_row(self, row, **kwargs):
        # Cells this export made inert ('=...) read back as what they stand for; white space
        # around a cell goes, as the admin's forms take it away.
        for column, value in row.items():
            value = imported(value)
            row[column] = value.strip() if isinstance(value, str) else value
        # A NUL character is refused, as the forms refuse it, by validate_instance() (which is
        # not given the row); taken out meanwhile, so that no query carries it (PostgreSQL
        # cannot: a row is looked up by its name first).
        self._with_null_characters = []
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                self._with_null_characters.append(column)
                row[column] = value.replace("\x00", "")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The row's own rules, and those of the rows its cells set (a spoken name's length,
        an alias's): the same as the admin's forms, each error under the column it is about."""
        columns = {field.attribute: field.column_name for field in self.fields.values()}
        errors = {
            columns.get(attribute, attribute): error
            for attribute, error in (import_validation_errors or {}).items()
        }
        for column in self._with_null_characters:
            errors.setdefault(column, []).append(no_null_characters.message)
        for column, rows in self.cell_rows(instance):
            if column in errors:
                continue  # the cell could not be read at all: that error says so
            for row in rows:
                try:
                    row.full_clean(exclude=[self.parent], validate_unique=False)
                except ValidationError as invalid:
                    errors.setdefault(column, []).extend(invalid.messages)
        self.check_across_rows(instance, errors)
        super().validate_instance(instance, errors, validate_unique)

    def cell_rows(self, instance):
        """Per column for rows in another table, the rows (unsaved) its cell would give."""
        return []

    def check_across_rows(self, instance, errors: dict) -> None:
        """Add to errors what the rules that look beyond one row refuse."""

    def export_field(self, field, instance, **kwargs):
        return inert(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [inert(header) for header in super().get_export_headers(selected_fields)]


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
