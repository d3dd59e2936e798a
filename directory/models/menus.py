"""The phone tree's shape: menus, what each says, and its options with what each one does."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import PHONE_KEYS, recording_field, voice_field
from .languages import Language

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
