"""Menus and options as rows: what each says in each language and what each does."""

from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from ..models import (
    Announcement,
    Language,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    Planet,
)
from .base import DirectoryResource
from .widgets import MessageWidget, NamedWidget, PhrasesWidget, RowsField


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
