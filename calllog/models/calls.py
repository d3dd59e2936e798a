"""A call: one row per call, with what it did summed up from its steps."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CallStatus(models.TextChoices):
    # Twilio's final CallStatus values, from the status callback.
    COMPLETED = "completed", _("completed")
    BUSY = "busy", _("busy")
    NO_ANSWER = "no-answer", _("no answer")
    FAILED = "failed", _("failed")
    CANCELED = "canceled", _("canceled")


class Call(models.Model):
    """One phone call, keyed by Twilio's CallSid."""

    Status = CallStatus

    call_sid = models.CharField(
        _("CallSid"), max_length=64, unique=True, help_text=_("Twilio's id, e.g. CA0123…")
    )
    from_number = models.CharField(
        _("caller"),
        max_length=32,
        blank=True,
        help_text=_("The caller's number, e.g. +19295566487."),
    )
    to_number = models.CharField(
        _("called"), max_length=32, blank=True, help_text=_("Our Twilio number the caller dialed.")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    status = models.CharField(
        _("final status"),
        max_length=16,
        blank=True,
        choices=CallStatus.choices,
        help_text=_("From Twilio's status callback; empty while the call is in progress."),
    )
    duration = models.PositiveIntegerField(
        _("duration (s)"), null=True, blank=True, help_text=_("From Twilio's status callback.")
    )
    language = models.CharField(
        _("language"),
        max_length=35,
        blank=True,
        help_text=_("The language the caller last chose, else the one the call started in."),
    )
    # When the language above was chosen: entries are written in any order, the latest wins.
    language_chosen_at = models.DateTimeField(null=True, blank=True, editable=False)
    directory_revision = models.BigIntegerField(
        _("directory revision"),
        null=True,
        blank=True,
        help_text=_(
            "The directory's revision token when the caller heard the greeting; empty for "
            "calls logged before revisions were."
        ),
    )
    # When the caller heard the greeting: the directory as of then is what they heard. A
    # retried greeting keeps the earliest, whatever order the entries are written in.
    greeted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the call did, summed up from its steps by the call log's writes (calllog/writer.py)
    # in the same transaction as the steps: the admin's filters and the dashboard read one row
    # per call instead of counting its steps. Each only ever grows, so writing a step late,
    # twice or out of order gives the same row. A set of planets is their ids between commas.
    chose_directions = models.BooleanField(
        _("heard the directions"), default=False, help_text=_("Pressed 1 at the main menu.")
    )
    chose_planets = models.BooleanField(
        _("opened the planet directory"), default=False, help_text=_("Pressed 2 at the main menu.")
    )
    planets_dialed = models.TextField(
        _("planets dialed"),
        blank=True,
        default="",
        help_text=_("The planets whose keys the caller pressed, by id, e.g. ,2,3,"),
    )
    planets_answered = models.TextField(
        _("planets that answered"),
        blank=True,
        default="",
        help_text=_("The planets dialed whose DialCallStatus was completed, by id, e.g. ,3,"),
    )
    # Where the call went in the tree, summed up the same way (see menu_token()).
    first_menu = models.CharField(
        _("first menu"),
        max_length=50,
        blank=True,
        help_text=_("The short name of the menu the call started at; empty for older calls."),
    )
    menu_answers = models.TextField(
        _("answers at menus"),
        blank=True,
        default="",
        help_text=_(
            "What the caller did at each menu, e.g. ,main:2,help:n, (an option's key, or n "
            "nothing said, w a wrong key, u not understood, p a planet named, x out of attempts)."
        ),
    )
    last_menu = models.CharField(
        _("left at menu"),
        max_length=50,
        blank=True,
        help_text=_(
            "The menu the caller was hearing after the call's latest step: where they hung up "
            "(or still are). Empty when the call went on elsewhere."
        ),
    )
    # The step that put the call at last_menu: the latest step's wins, in any write order.
    last_menu_step = models.IntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        permissions = [("view_caller_number", _("Can view caller numbers"))]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="calllog_call_newest_first"),
            models.Index(fields=["language", "started_at"], name="calllog_call_language"),
            # The dashboard groups the calls of its days by these columns from this index
            # alone (one scan for every figure: a second scan of a million entries would cost
            # as much again), and the admin's outcome and planet filters count from it. A
            # column the dashboard is filtered by belongs at its end, to keep it the only thing
            # read.
            models.Index(
                fields=[
                    "chose_directions",
                    "chose_planets",
                    "planets_dialed",
                    "planets_answered",
                    "menu_answers",
                    "last_menu",
                    "started_at",
                    "language",
                    "to_number",
                ],
                name="calllog_call_summary",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="") | Q(status__in=CallStatus.values),
                name="%(app_label)s_%(class)s_status_is_known",
            ),
        ]

    def __str__(self):
        return self.call_sid
