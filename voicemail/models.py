"""Messages callers left when a planet could not answer, one per Twilio recording."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Planet

LISTEN_PERMISSION = "voicemail.listen_voicemail"


class Voicemail(models.Model):
    """One message: Twilio keeps the audio, we keep what it is and whether staff handled it."""

    recording_sid = models.CharField(
        _("recording"),
        max_length=34,
        unique=True,
        help_text=_("Twilio's id of the recording, e.g. RE0123…"),
    )
    call_sid = models.CharField(
        _("CallSid"), max_length=64, db_index=True, help_text=_("Twilio's id, e.g. CA0123…")
    )
    planet = models.ForeignKey(
        Planet,
        verbose_name=_("planet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voicemails",
        help_text=_("The planet the caller could not reach."),
    )
    language = models.CharField(
        _("language"),
        max_length=35,
        blank=True,
        help_text=_("The language of the call, e.g. en-GB."),
    )
    duration = models.PositiveIntegerField(
        _("duration (s)"), null=True, blank=True, help_text=_("The message's length in seconds.")
    )
    transcription = models.TextField(
        _("transcription"),
        blank=True,
        help_text=_("Twilio's transcription of the message, when it made one."),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    handled = models.BooleanField(
        _("handled"), default=False, help_text=_("Someone has listened and acted on it.")
    )
    deletion_error = models.TextField(
        _("deletion problem"),
        blank=True,
        help_text=_("Why Twilio could not delete the recording the last time we tried."),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("voicemail")
        verbose_name_plural = _("voicemails")
        permissions = [("listen_voicemail", _("Can listen to voicemails"))]

    def __str__(self):
        return self.recording_sid
