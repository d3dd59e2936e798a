"""The main menu's choices, and the words callers say for them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import phrase_field
from .languages import Language


class MenuChoice(models.TextChoices):
    """The main menu's choices a caller can name."""

    DIRECTIONS = "directions", _("Directions (key 1)")
    PLANETS = "planets", _("Planet menu (key 2)")


class MenuAliasManager(models.Manager):
    def get_by_natural_key(self, language, phrase):
        return self.get(language__code=language, phrase=phrase)


class MenuAlias(models.Model):
    """Words that pick a main-menu choice when said in one language."""

    Choice = MenuChoice

    language = models.ForeignKey(
        Language,
        on_delete=models.CASCADE,
        related_name="menu_aliases",
        verbose_name=_("language"),
    )
    choice = models.CharField(
        _("choice"),
        max_length=16,
        choices=MenuChoice.choices,
        help_text=_("What the words pick at the main menu."),
    )
    phrase = phrase_field(help_text=_("Words a caller may say for it, e.g. “directions”."))

    objects = MenuAliasManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "choice", "phrase"]
        verbose_name = _("main menu word")
        verbose_name_plural = _("main menu words")
        constraints = [
            # One phrase picks one choice: the same words for both would be a coin toss.
            models.UniqueConstraint(
                fields=["language", "phrase"],
                name="%(app_label)s_%(class)s_unique_phrase",
                violation_error_message=_("These words already pick a choice in this language."),
            ),
            models.CheckConstraint(
                condition=Q(choice__in=MenuChoice.values),
                name="%(app_label)s_%(class)s_choice_is_known",
                violation_error_message=_("Choose one of the listed choices."),
            ),
        ]

    def __str__(self):
        return self.phrase

    def natural_key(self):
        return (self.language.code, self.phrase)

    natural_key.dependencies = ["directory.language"]
