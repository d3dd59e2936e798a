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
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from .models import (
    Announcement,
    Language,
    Menu,
    MenuPrompt,
    OpeningHours,
    Option,
    OptionText,
    OptionWord,
    Planet,
    PlanetAlias,
    PlanetName,
)
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


class MessageWidget(widgets.Widget):
    """An option's message in one cell, its sentences in order separated by a vertical bar:
    "{directions} | Thank you for calling."."""

    SEPARATOR = "|"

    def clean(self, value, row=None, **kwargs):
        return [s.strip() for s in str(value or "").split(self.SEPARATOR) if s.strip()]

    def render(self, value, obj=None, **kwargs):
        return f" {self.SEPARATOR} ".join(value)


class NamedWidget(widgets.ForeignKeyWidget):
    """A row of another table by what staff call it (a menu's short name, a planet's name); one
    no row has is an error under its column, not a failed import."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            opts = self.model._meta
            raise ValueError(
                gettext("No %(model)s has the %(field)s “%(value)s”.")
                % {
                    "model": opts.verbose_name,
                    "field": opts.get_field(self.field).verbose_name,
                    "value": value,
                }
            ) from None


class TreeResource(DirectoryResource):
    """Menus or options: a file that names the same one on two rows, or a language column for a
    language the line does not have, is refused on each row it concerns."""

    # The per-language columns' names before their language code ("prompt" for "prompt en-GB").
    language_columns: tuple[str, ...] = ()
    # Under which column a row the file repeats is refused, and with what.
    repeated_column = ""
    repeated = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.languages = list(Language.objects.all())

    def language_fields(self, name: str, widget, read) -> None:
        """A column per language for one of the row's per-language things ("sentence en-GB")."""
        for language in self.languages:
            code = language.code
            self.fields[f"{name}_{code}"] = RowsField(
                attribute=f"imported_{name}_{code}",
                column_name=f"{name} {code}",
                widget=widget,
                read=partial(read, code=code),
            )

    def before_import(self, dataset, **kwargs):
        codes = {language.code for language in self.languages}
        self._unknown_columns = {
            header: code
            for header in dataset.headers or []
            for name in self.language_columns
            if str(header).startswith(f"{name} ")
            and (code := str(header).removeprefix(f"{name} ").strip()) not in codes
        }
        self._seen = {}

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        identity = tuple(
            str(row.get(self.fields[name].column_name) or "")
            for name in self._meta.import_id_fields
        )
        self._first_row = self._seen.setdefault(identity, kwargs.get("row_number"))
        self._repeats = self._first_row != kwargs.get("row_number")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # A cell that could not be read ("No planet has the name …") says so alone: the
        # model's clean() would add that the option needs a planet. (Read before validating:
        # the library adds the model's errors to these very lists.)
        unread = {
            self.fields[name].column_name: ValidationError(error).messages
            for name, error in (import_validation_errors or {}).items()
            if name in self.fields
        }
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as invalid:
            raise ValidationError(invalid.message_dict | unread) from None

    def check_across_rows(self, instance, errors):
        for column, code in self._unknown_columns.items():
            errors.setdefault(column, []).append(
                gettext(
                    "The line has no language %(code)s: add it under Languages first, or take "
                    "this column out."
                )
                % {"code": code}
            )
        if self._repeats:
            errors.setdefault(self.repeated_column, []).append(
                self.repeated % {"row": self._first_row}
            )

    def cell_text(self, instance, name: str, language: Language) -> str | None:
        """What the row's per-language cell says (None: the file has no such column)."""
        value = getattr(instance, f"imported_{name}_{language.code}", None)
        return value.strip() if isinstance(value, str) else value


def _prompt(menu: Menu, code: str) -> str:
    return next((p.text for p in menu.prompts.all() if p.language.code == code), "")


class MenuResource(TreeResource):
    """Menus with what each says in each language; matched by short name. Where calls start is
    exported, not imported: it moves by the list's action only, so a tree always has one (a
    menu imported into a tree without one becomes it)."""

    parent = "menu"
    language_columns = ("prompt",)
    repeated_column = "slug"
    repeated = _("Row %(row)s is this menu already: one row per menu.")
    is_default = fields.Field(
        attribute="is_default",
        column_name="is_default",
        readonly=True,
        widget=widgets.BooleanWidget(),
    )

    class Meta:
        model = Menu
        fields = ["slug", "name", "is_default"]
        import_id_fields = ["slug"]
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.language_fields("prompt", widgets.CharWidget(), _prompt)

    def get_queryset(self):
        return Menu.objects.prefetch_related("prompts__language")

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.is_default = not Menu.objects.filter(is_default=True).exists()
        super().before_save_instance(instance, row, **kwargs)

    def cell_rows(self, instance):
        for language in self.languages:
            text = self.cell_text(instance, "prompt", language)
            if text:
                prompt = _prompt_row(instance, language) or MenuPrompt(language=language)
                prompt.text = text
                yield self.fields[f"prompt_{language.code}"].column_name, [prompt]

    def after_save_instance(self, instance, row, **kwargs):
        """Write the menu's text in each language the file has a column for. An empty cell takes
        the text away (the menu then says the default language's), but keeps a text left
        empty on purpose in the admin (the menu says nothing in that language)."""
        for language in self.languages:
            text = self.cell_text(instance, "prompt", language)
            if text is None:
                continue
            prompt = _prompt_row(instance, language)
            if not text:
                if prompt is not None and prompt.text:
                    prompt.delete()
                continue
            prompt = prompt or MenuPrompt(menu=instance, language=language)
            if prompt.text != text:
                prompt.text = text
                prompt.save()


def _prompt_row(menu: Menu, language: Language) -> MenuPrompt | None:
    if menu.pk is None:
        return None
    return MenuPrompt.objects.filter(menu=menu, language=language).first()


def _sentence(option: Option, code: str) -> str:
    return next((t.text for t in option.texts.all() if t.language.code == code), "")


def _words(option: Option, code: str) -> list[str]:
    # In the order they were added, as calls read them (each option's first words lead the
    # speech hints); an import adds new ones in the cell's order.
    words = sorted(option.words.all(), key=lambda word: word.pk)
    return [word.phrase for word in words if word.language.code == code]


def _message(option: Option, code: str) -> list[str]:
    sentences = [a for a in option.announcements.all() if a.language.code == code]
    return [a.text for a in sorted(sentences, key=lambda a: a.position)]


class OptionResource(TreeResource):
    """Options with what each does, and its sentence, words and message in each language;
    matched by menu and key."""

    parent = "option"
    language_columns = ("sentence", "words", "message")
    repeated_column = "key"
    repeated = _("Row %(row)s is this key of this menu already: one row per option.")

    menu = fields.Field(
        attribute="menu", column_name="menu", widget=NamedWidget(Menu, field="slug")
    )
    target_menu = fields.Field(
        attribute="target_menu", column_name="target_menu", widget=NamedWidget(Menu, field="slug")
    )
    target_planet = fields.Field(
        attribute="target_planet",
        column_name="target_planet",
        widget=NamedWidget(Planet, field="name"),
    )
    target_language = fields.Field(
        attribute="target_language",
        column_name="target_language",
        widget=NamedWidget(Language, field="code"),
    )

    class Meta:
        model = Option
        fields = ["menu", "key", "position", "read_out", "is_active", "action"]
        fields += ["target_menu", "target_planet", "target_language"]
        import_id_fields = ["menu", "key"]
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.language_fields("sentence", widgets.CharWidget(), _sentence)
        self.language_fields("words", PhrasesWidget(), _words)
        self.language_fields("message", MessageWidget(), _message)

    def get_queryset(self):
        return Option.objects.select_related(
            "menu", "target_menu", "target_planet", "target_language"
        ).prefetch_related("texts__language", "words__language", "announcements__language")

    def get_instance(self, instance_loader, row):
        # By the menu's short name and the key as the cells say them: a menu no row has is
        # an error under its column (import_instance), not a failed import.
        menu, key = (row.get(self.fields[name].column_name) for name in ("menu", "key"))
        if not menu or not key:
            return None
        return self.get_queryset().filter(menu__slug=menu, key=key).first()

    def cell_rows(self, instance):
        for language in self.languages:
            code = language.code
            text = self.cell_text(instance, "sentence", language)
            if text:
                sentence = _existing(instance, OptionText, language).first()
                sentence = sentence or OptionText(language=language)
                sentence.text = text
                yield self.fields[f"sentence_{code}"].column_name, [sentence]
            phrases = getattr(instance, f"imported_words_{code}", None) or []
            yield (
                self.fields[f"words_{code}"].column_name,
                [OptionWord(language=language, phrase=phrase) for phrase in phrases],
            )
            texts = getattr(instance, f"imported_message_{code}", None)
            if texts is not None:
                yield (
                    self.fields[f"message_{code}"].column_name,
                    _message_rows(instance, language, texts),
                )

    def check_across_rows(self, instance, errors):
        super().check_across_rows(instance, errors)
        # One phrase chooses one option of a menu (OptionWord.validate_unique's rule), the
        # options this file has written so far included.
        if instance.menu_id is None:
            return
        for language in self.languages:
            column = self.fields[f"words_{language.code}"].column_name
            phrases = getattr(instance, f"imported_words_{language.code}", None) or []
            if not phrases or column in errors:
                continue
            said = Q()
            for phrase in phrases:
                said |= Q(phrase__iexact=phrase)
            others = OptionWord.objects.filter(
                said, option__menu_id=instance.menu_id, language=language
            ).exclude(option_id=instance.pk)
            for word in others.select_related("option"):
                errors.setdefault(column, []).append(
                    gettext("“%(phrase)s” already chooses the option of key %(key)s.")
                    % {"phrase": word.phrase, "key": word.option.key}
                )

    def after_save_instance(self, instance, row, **kwargs):
        """Write the columns the file has for the option's rows: what a cell lists is exactly
        what the option then has (an empty cell: none)."""
        for language in self.languages:
            text = self.cell_text(instance, "sentence", language)
            if text is not None:
                _sentence_set(instance, language, text)
            phrases = getattr(instance, f"imported_words_{language.code}", None)
            if phrases is not None:
                _words_set(instance, language, phrases)
            texts = getattr(instance, f"imported_message_{language.code}", None)
            if texts is not None:
                _message_set(instance, language, texts)


def _existing(option: Option, model, language: Language):
    if option.pk is None:
        return model.objects.none()
    return model.objects.filter(option=option, language=language)


def _message_rows(option: Option, language: Language, texts: list[str]) -> list[Announcement]:
    """The message's sentences as the cell gives them, unsaved: the nth keeps the nth
    sentence's order, voice and recording (as when its text is edited in the admin); those
    beyond the option's are new, 10 apart."""
    existing = list(_existing(option, Announcement, language).order_by("position"))
    rows = existing[: len(texts)]
    position = rows[-1].position if rows else 0
    while len(rows) < len(texts):
        position += 10
        rows.append(Announcement(language=language, position=position))
    for sentence, text in zip(rows, texts, strict=True):
        sentence.text = text
    return rows


def _message_set(option: Option, language: Language, texts: list[str]) -> None:
    existing = list(_existing(option, Announcement, language).order_by("position"))
    for extra in existing[len(texts) :]:
        extra.delete()
    saved = {sentence.pk: sentence.text for sentence in existing}
    for sentence in _message_rows(option, language, texts):
        if sentence.pk is None or saved[sentence.pk] != sentence.text:
            sentence.option = option
            sentence.save()


def _sentence_set(option: Option, language: Language, text: str) -> None:
    sentence = _existing(option, OptionText, language).first()
    if not text:
        if sentence is not None:
            sentence.delete()
        return
    sentence = sentence or OptionText(option=option, language=language)
    if sentence.text != text:
        sentence.text = text
        sentence.save()


def _words_set(option: Option, language: Language, phrases: list[str]) -> None:
    kept = set()
    for word in _existing(option, OptionWord, language):
        if word.phrase in phrases:
            kept.add(word.phrase)
        else:
            word.delete()
    for phrase in phrases:
        if phrase not in kept:
            OptionWord.objects.create(option=option, language=language, phrase=phrase)
