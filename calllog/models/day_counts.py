"""The day's counts the dashboard reads, kept by the call log's writer."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .summary import menu_tokens


class Figure(models.TextChoices):
    """What the calls a day's count counts did (and its key, which of it)."""

    # No key.
    CALLS = "calls", pgettext_lazy("dashboard figure", "started")
    # Key: directions, planets or no_choice (neither).
    CHOICE = "choice", pgettext_lazy("dashboard figure", "chose at the main menu")
    # Key: the planet's id.
    DIALED = "dialed", pgettext_lazy("dashboard figure", "dialed a planet")
    ANSWERED = "answered", pgettext_lazy("dashboard figure", "were answered by a planet")
    # Key: the menu's short name.
    REACHED = "reached", pgettext_lazy("dashboard figure", "reached a menu")
    # Key: the menu and the answer as menu_answers writes them (main:2, main:n).
    ANSWER = "answer", pgettext_lazy("dashboard figure", "answered at a menu")
    # Key: the menu's short name.
    LEFT = "left", pgettext_lazy("dashboard figure", "were left at a menu")


# The summary columns a call's figures come from, as call_figures() takes them.
FIGURE_SUMMARY = ["chose_directions", "chose_planets", "planets_dialed", "planets_answered"]
FIGURE_SUMMARY += ["menu_answers", "last_menu"]


def call_figures(
    *,
    chose_directions: bool,
    chose_planets: bool,
    planets_dialed: str,
    planets_answered: str,
    menu_answers: str,
    last_menu: str,
) -> set[tuple[str, str]]:
    """What one call counts for on the dashboard, from its summary columns: (figure, key)
    pairs, each once however often the call did the thing.

    A call reached a menu when it answered there or was left there (hung up, or still
    listening)."""
    figures = {(Figure.CALLS, "")}
    if chose_directions:
        figures.add((Figure.CHOICE, "directions"))
    if chose_planets:
        figures.add((Figure.CHOICE, "planets"))
    if not (chose_directions or chose_planets):
        figures.add((Figure.CHOICE, "no_choice"))
    figures.update((Figure.DIALED, pk) for pk in planets_dialed.split(",") if pk)
    figures.update((Figure.ANSWERED, pk) for pk in planets_answered.split(",") if pk)
    for menu, code in menu_tokens(menu_answers):
        figures.add((Figure.REACHED, menu))
        figures.add((Figure.ANSWER, f"{menu}:{code}"))
    if last_menu:
        figures.add((Figure.REACHED, last_menu))
        figures.add((Figure.LEFT, last_menu))
    return figures


class DayCount(models.Model):
    """How many calls of one day, language and number called did one thing (a figure): the
    dashboard sums a month of these instead of reading every call.

    The call log's writes keep them (calllog/writer.py), in the same transaction as the
    calls' rows: each write moves its call's counts from what the call counted for before to
    what it counts for after, so they stay exact whatever order, and however often, the
    entries come."""

    day = models.DateField(
        _("day"),
        help_text=_("The day the calls started, in the server's time zone, e.g. 2026-12-06."),
    )
    language = models.CharField(
        _("language"),
        max_length=35,
        blank=True,
        help_text=_("The calls' language, e.g. ja-JP; empty when none was logged."),
    )
    to_number = models.CharField(
        _("called"),
        max_length=32,
        blank=True,
        help_text=_("Our number the calls dialed, e.g. +18005550100."),
    )
    figure = models.CharField(
        _("figure"),
        max_length=16,
        choices=Figure.choices,
        help_text=_("What the calls did, e.g. reached a menu."),
    )
    key = models.CharField(
        _("of what"),
        max_length=60,
        blank=True,
        help_text=_("Which choice, planet (by id), menu or answer there, e.g. main:2."),
    )
    count = models.IntegerField(_("calls"), default=0, help_text=_("How many calls, e.g. 42."))

    class Meta:
        verbose_name = _("day's count")
        verbose_name_plural = _("day's counts")
        constraints = [
            # Its index serves the dashboard too: a range of days, then the filters.
            models.UniqueConstraint(
                fields=["day", "language", "to_number", "figure", "key"],
                name="%(app_label)s_%(class)s_once",
            ),
            models.CheckConstraint(
                condition=Q(figure__in=Figure.values),
                name="%(app_label)s_%(class)s_figure_is_known",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.figure} {self.key}: {self.count}"
