"""An option of a menu: its key, and the one thing it does (an Action) with its targets."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import PHONE_KEYS
from .languages import Language
from .menus import Menu
from .planets import Planet


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
