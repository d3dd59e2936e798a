"""The phone tree's shape: menus, what each says, and its options with what each one does."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import PHONE_KEYS, phrase_field, recording_field, text_field, voice_field
from .languages import Language
from .planets import Planet

# A sentence of an announcement that is exactly this says the directions in use (their voice
# and recording) in the caller's language.
DIRECTIONS_PLACEHOLDER = "{directions}"
# What a menu says when staff have written nothing for it, and the demo's thank-you: the line
# with no menu in the database yet answers as ET's (directory/script.py's BUILT_IN_TREE).
BUILT_IN_GREETING = (
    "Thanks for calling the E T Phone Home Service. Please press 1 for directions. "
    "Press 2 for a list of planets to call."
)
# A text message's longest: ten SMS segments of 153 characters (Twilio allows 1,600).
TEXT_MESSAGE_LENGTH = 1530
BUILT_IN_THANK_YOU = (
    "Thank you for calling the E T Phone Home Service - "
    "the adventurous alien's first choice in intergalactic travel."
)


class MenuManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Menu(models.Model):
    """A menu of the phone tree: what it says, and its options in order."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("A name staff recognise, e.g. “Main menu”.")
    )
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_(
            "Letters, digits and hyphens, e.g. main or opening-times: how calls and other "
            "servers name this menu, so change it only when no call is in it."
        ),
    )
    silence_key = models.CharField(
        _("when the caller does nothing"),
        max_length=1,
        blank=True,
        choices=[(key, key) for key in PHONE_KEYS],
        help_text=_(
            "The key of one of its options to do when the caller presses and says nothing, "
            "e.g. one that says goodbye. Empty: they hear “no input” and the menu again."
        ),
    )
    is_default = models.BooleanField(
        _("where calls start"),
        default=False,
        editable=False,
        help_text=_(
            "Calls to numbers with no menu of their own start here; the first menu added is "
            "it. Switch with the list's action."
        ),
    )

    objects = MenuManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        # The menu list's and the option list's import and export (an option belongs to its
        # menu: one permission for the tree).
        permissions = [
            ("import_menu", _("Can import menus and options")),
            ("export_menu", _("Can export menus and options")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_(
                    "Another menu is already where calls start: untick it there first."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class MenuPromptManager(models.Manager):
    def get_by_natural_key(self, menu, language):
        return self.get(menu__slug=menu, language__code=language)


class MenuPrompt(models.Model):
    """What a menu says in one language before its options are read out."""

    menu = models.ForeignKey(
        Menu, on_delete=models.CASCADE, related_name="prompts", verbose_name=_("menu")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "What the caller hears first, e.g. “Welcome to the help desk. Press 1 for opening "
            "times.” May be empty when the options' own sentences say it all."
        ),
    )
    voice = voice_field()
    recording = recording_field()

    objects = MenuPromptManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["menu", "language"]
        verbose_name = _("menu prompt")
        verbose_name_plural = _("menu prompts")
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("This menu already says something in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.menu} ({self.language.code})"

    def natural_key(self):
        return (*self.menu.natural_key(), *self.language.natural_key())

    natural_key.dependencies = ["directory.menu", "directory.language"]

    def clean(self):
        if re.search(r"\{[^{}]*\}", self.text):
            message = _("A menu's text has no placeholders: write the words out.")
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder")})


class Action(models.TextChoices):
    """What an option does when a caller chooses it."""

    MENU = "menu", _("Go to another menu")
    ANNOUNCE = "announce", _("Say a message, then hang up or go to a menu")
    DIRECTORY = "directory", _("The planet directory")
    PLANET = "planet", _("Put the caller through to a planet")
    LANGUAGE = "language", _("Switch to a language")
    VOICEMAIL = "voicemail", _("Take a message for a planet")
    HANG_UP = "hang_up", _("Say goodbye and hang up")
    TEXT = "text", _("Send the caller a text message, then hang up or go to a menu")


# Each action with the targets it needs (and no other): the database's rule and the form's.
TARGETS = {
    Action.MENU: {"target_menu"},
    Action.ANNOUNCE: set(),  # target_menu is where it goes after the message, if anywhere
    Action.DIRECTORY: set(),
    Action.PLANET: {"target_planet"},
    Action.LANGUAGE: {"target_language"},
    Action.VOICEMAIL: {"target_planet"},
    Action.HANG_UP: set(),
    Action.TEXT: set(),  # target_menu is where it goes after saying the text was sent, if anywhere
}
TARGET_FIELDS = ("target_menu", "target_planet", "target_language")


def _allowed(action: str) -> set[str]:
    then = action in (Action.ANNOUNCE, Action.TEXT)
    return TARGETS[action] | ({"target_menu"} if then else set())


def _targets_rule() -> Q:
    rule = Q()
    for action, needed in TARGETS.items():
        allowed = _allowed(action)
        condition = Q(action=action)
        for name in TARGET_FIELDS:
            if name in needed:
                condition &= Q(**{f"{name}__isnull": False})
            elif name not in allowed:
                condition &= Q(**{f"{name}__isnull": True})
        rule |= condition
    return rule


class OptionManager(models.Manager):
    def get_by_natural_key(self, menu, key):
        return self.get(menu__slug=menu, key=key)


class Option(models.Model):
    """A key of a menu (and the words a caller may say for it) and the one thing it does."""

    Action = Action

    menu = models.ForeignKey(
        Menu, on_delete=models.CASCADE, related_name="options", verbose_name=_("menu")
    )
    key = models.CharField(
        _("key"),
        max_length=1,
        choices=[(key, key) for key in PHONE_KEYS],
        help_text=_("The key that chooses it: 0-9, * or #, e.g. 0."),
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Options are read out in increasing order, e.g. 10.")
    )
    read_out = models.BooleanField(
        _("read out"),
        default=True,
        help_text=_(
            "Whether the menu reads its sentence out after the menu's text. Untick it when the "
            "menu's text already says it."
        ),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive options are neither read nor heard.")
    )
    action = models.CharField(
        _("action"), max_length=16, choices=Action.choices, help_text=_("What it does.")
    )
    # RESTRICT: a menu others lead to cannot be deleted, but one whose own options lead back to
    # it can (they go with it).
    target_menu = models.ForeignKey(
        Menu,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="leading_options",
        verbose_name=_("menu to go to"),
        help_text=_("For “go to another menu”, and where a message leads (empty: hang up)."),
    )
    target_planet = models.ForeignKey(
        Planet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="options",
        verbose_name=_("planet"),
        help_text=_("For “put through to a planet” and “take a message for a planet”."),
    )
    # A language deleted takes its options with it, as it takes its words.
    target_language = models.ForeignKey(
        Language,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="options",
        verbose_name=_("language to switch to"),
        help_text=_(
            "For “switch to a language”: read out in that language's own words (the prompt "
            "“Greeting: how to choose this language”)."
        ),
    )

    objects = OptionManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["menu", "position", "key"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "key"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=_("This menu already has an option for this key."),
            ),
            models.CheckConstraint(
                condition=Q(key__in=list(PHONE_KEYS)),
                name="%(app_label)s_%(class)s_key_is_a_phone_key",
                violation_error_message=_("The key must be 0-9, * or #."),
            ),
            models.CheckConstraint(
                condition=_targets_rule(),
                name="%(app_label)s_%(class)s_one_target_of_its_kind",
                violation_error_message=_("Choose the one target this action needs."),
            ),
        ]

    def __str__(self):
        return f"{self.menu}: {self.key} ({self.get_action_display()})"

    def natural_key(self):
        return (*self.menu.natural_key(), self.key)

    natural_key.dependencies = ["directory.menu", "directory.planet", "directory.language"]

    def clean(self):
        if self.action not in TARGETS:
            return
        needed, allowed = TARGETS[self.action], _allowed(self.action)
        errors = {}
        for name in TARGET_FIELDS:
            value = getattr(self, f"{name}_id")
            if name in needed and value is None:
                errors[name] = ValidationError(
                    _("“%(action)s” needs this."),
                    # Not "required": a model form would say its own "This field is required."
                    "target_needed",
                    {"action": self.get_action_display()},
                )
            elif name not in allowed and value is not None:
                errors[name] = ValidationError(
                    _("Leave this empty: “%(action)s” does not use it."),
                    "not_used",
                    {"action": self.get_action_display()},
                )
        if (
            self.action == Action.VOICEMAIL
            and "target_planet" not in errors
            and not self.target_planet.takes_voicemail
        ):
            errors["target_planet"] = ValidationError(
                _("%(planet)s takes no messages: tick “voicemail” on the planet first."),
                "no_voicemail",
                {"planet": self.target_planet},
            )
        if errors:
            raise ValidationError(errors)


class OptionTextManager(models.Manager):
    def get_by_natural_key(self, menu, key, language):
        return self.get(option__menu__slug=menu, option__key=key, language__code=language)


class OptionText(models.Model):
    """How a menu reads an option out in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="texts", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(
        _("text"), help_text=_("The sentence read out, e.g. “For an operator, press {key}.”")
    )
    voice = voice_field()

    objects = OptionTextManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language"]
        verbose_name = _("option's sentence")
        verbose_name_plural = _("options' sentences")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_("This option already has a sentence in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.option} ({self.language.code})"

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key())

    natural_key.dependencies = ["directory.option", "directory.language"]

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - {"{key}"})
        if unknown:
            message = _("Unknown placeholder %(unknown)s. This sentence can use {key}.")
            params = {"unknown": ", ".join(unknown)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})


class OptionWordManager(models.Manager):
    def get_by_natural_key(self, menu, key, language, phrase):
        return self.get(
            option__menu__slug=menu, option__key=key, language__code=language, phrase=phrase
        )


class OptionWord(models.Model):
    """Words that choose an option when said in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="words", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    phrase = phrase_field(help_text=_("Words a caller may say for it, e.g. “opening times”."))

    objects = OptionWordManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language", "phrase"]
        verbose_name = _("option's words")
        verbose_name_plural = _("options' words")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language", "phrase"],
                name="%(app_label)s_%(class)s_unique_phrase",
                violation_error_message=_("The option already has these words in this language."),
            ),
        ]

    def __str__(self):
        return self.phrase

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key(), self.phrase)

    natural_key.dependencies = ["directory.option", "directory.language"]

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        # Within a menu one phrase chooses one option: the same words for two would be a coin
        # toss. (Across a join, so the model says it, not a database constraint.)
        # On an option's add page the option is not saved yet: its menu is known all the same.
        try:
            option = self.option
        except Option.DoesNotExist:
            return
        if option.menu_id is None or not self.language_id:
            return
        others = OptionWord.objects.filter(
            option__menu_id=option.menu_id,
            language_id=self.language_id,
            phrase__iexact=self.phrase,
        )
        if option.pk is not None:
            others = others.exclude(option_id=option.pk)
        if others.exists():
            raise ValidationError(
                {"phrase": _("These words already choose another option of this menu.")},
                code="unique_in_menu",
            )


class AnnouncementManager(models.Manager):
    def get_by_natural_key(self, menu, key, language, position):
        return self.get(
            option__menu__slug=menu,
            option__key=key,
            language__code=language,
            position=position,
        )


class Announcement(models.Model):
    """One sentence of the message an option says, in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Sentences are said in increasing order, e.g. 10.")
    )
    text = text_field(
        help_text=_(
            "What the caller hears, e.g. “We are open from nine to five.” A sentence that is "
            "just {directions} says the directions in use."
        )
    )
    voice = voice_field()
    recording = recording_field()

    objects = AnnouncementManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language", "position"]
        verbose_name = _("message sentence")
        verbose_name_plural = _("message sentences")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language", "position"],
                name="%(app_label)s_%(class)s_unique_position",
                violation_error_message=_("Another sentence has this order in this language."),
            ),
        ]

    def __str__(self):
        return f"{self.option} ({self.language.code}, {self.position})"

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key(), self.position)

    natural_key.dependencies = ["directory.option", "directory.language"]

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - {DIRECTIONS_PLACEHOLDER})
        if unknown:
            message = _("Unknown placeholder %(unknown)s. A message can use {directions}.")
            params = {"unknown": ", ".join(unknown)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})
        if self.recording and DIRECTIONS_PLACEHOLDER in self.text:
            message = _(
                "The directions sentence cannot have a recording of its own: the directions "
                "in use have theirs."
            )
            raise ValidationError({"recording": ValidationError(message, "recording_placeholder")})


class TextMessageManager(models.Manager):
    def get_by_natural_key(self, menu, key, language):
        return self.get(option__menu__slug=menu, option__key=key, language__code=language)


class TextMessage(models.Model):
    """The text message an option sends the caller, in one language."""

    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, related_name="text_messages", verbose_name=_("option")
    )
    language = models.ForeignKey(
        Language, on_delete=models.CASCADE, related_name="+", verbose_name=_("language")
    )
    text = models.TextField(
        _("text message"),
        max_length=TEXT_MESSAGE_LENGTH,
        help_text=_(
            "What the caller's phone receives, e.g. “Our opening times: 9 to 5.” {directions} "
            "is replaced by the directions in use."
        ),
    )

    objects = TextMessageManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "language"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        constraints = [
            models.UniqueConstraint(
                fields=["option", "language"],
                name="%(app_label)s_%(class)s_one_per_language",
                violation_error_message=_(
                    "This option already has a text message in this language."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.option} ({self.language.code})"

    def natural_key(self):
        return (*self.option.natural_key(), *self.language.natural_key())

    natural_key.dependencies = ["directory.option", "directory.language"]

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", self.text)) - {DIRECTIONS_PLACEHOLDER})
        if unknown:
            message = _("Unknown placeholder %(unknown)s. A text message can use {directions}.")
            params = {"unknown": ", ".join(unknown)}
            raise ValidationError({"text": ValidationError(message, "unknown_placeholder", params)})
