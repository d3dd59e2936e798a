"""The text messages the line sent callers (an option's “send a text”), and what became of each."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calllog.models import Call
from directory.models import TEXT_MESSAGE_LENGTH


class TextStatus(models.TextChoices):
    WAITING = "waiting", _("waiting to be sent")
    QUEUED = "queued", _("queued at Twilio")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    UNDELIVERED = "undelivered", _("not delivered")
    FAILED = "failed", _("failed")
    REFUSED = "refused", _("refused by Twilio")


# How far along each status is: Twilio's callbacks may come in any order, and a text only ever
# moves forward (a late "sent" never undoes "delivered").
PROGRESS = {
    TextStatus.WAITING: 0,
    TextStatus.QUEUED: 1,
    TextStatus.SENDING: 2,
    TextStatus.SENT: 3,
    TextStatus.DELIVERED: 4,
    TextStatus.UNDELIVERED: 4,
    TextStatus.FAILED: 4,
    TextStatus.REFUSED: 4,
}
# Twilio's MessageStatus values, as ours.
TWILIO_STATUSES = {
    "accepted": TextStatus.QUEUED,
    "scheduled": TextStatus.QUEUED,
    "queued": TextStatus.QUEUED,
    "sending": TextStatus.SENDING,
    "sent": TextStatus.SENT,
    "delivered": TextStatus.DELIVERED,
    "undelivered": TextStatus.UNDELIVERED,
    "failed": TextStatus.FAILED,
}


class SentText(models.Model):
    """One text message sent (or to be sent) to a caller, once per call and option."""

    Status = TextStatus

    call = models.ForeignKey(
        Call,
        to_field="call_sid",
        db_column="call_sid",
        # Written like the call log's steps, possibly before the call's own row.
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="texts",
        verbose_name=_("call"),
    )
    menu = models.CharField(_("menu"), max_length=50, help_text=_("Its menu's short name."))
    key = models.CharField(_("option"), max_length=1, help_text=_("The option's key."))
    to_number = models.CharField(
        _("to"), max_length=32, help_text=_("The caller's number, e.g. +19295566487.")
    )
    from_number = models.CharField(
        _("from"),
        max_length=32,
        blank=True,
        help_text=_("Our number it is sent from; empty when a messaging service sends it."),
    )
    language = models.CharField(_("language"), max_length=35, blank=True)
    body = models.TextField(_("text"), max_length=TEXT_MESSAGE_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=TextStatus.choices, default=TextStatus.WAITING
    )
    message_sid = models.CharField(
        _("MessageSid"), max_length=64, null=True, blank=True, unique=True, default=None
    )
    error_code = models.PositiveIntegerField(_("Twilio error code"), null=True, blank=True)
    error = models.CharField(_("why"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("asked for"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("text sent")
        verbose_name_plural = _("texts sent")
        constraints = [
            # A caller who asks twice in one call gets one text.
            models.UniqueConstraint(
                fields=["call", "menu", "key"], name="%(app_label)s_%(class)s_once_per_call"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="texts_waiting"),
            # Whether a caller's number was refused before (asked when a caller asks for one).
            models.Index(fields=["to_number", "status"], name="texts_number_refused"),
        ]

    def __str__(self):
        return f"{self.call_id} {self.menu}:{self.key}"
