"""The error and warning reports Twilio's Debugger posts to us, one per report Sid."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import docs_url, meaning

# The longest answer of ours kept in its column (the whole report keeps it all): a menu's TwiML
# is a few kilobytes; an answer Twilio could not use is usually an error page, told by its start.
RESPONSE_BODY_LENGTH = 5_000
URL_LENGTH = 2_000


class Level(models.TextChoices):
    ERROR = "error", _("error")
    WARNING = "warning", _("warning")


class Report(models.Model):
    """One report: what Twilio found wrong (its error code), where (the URL it called) and
    what it got from us; stored once however often Twilio sends it."""

    Level = Level

    sid = models.CharField(
        _("report Sid"),
        max_length=64,
        unique=True,
        help_text=_("Twilio's id of the report, e.g. NO0123…"),
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    error_code = models.CharField(
        _("error code"),
        max_length=16,
        blank=True,
        help_text=_("Twilio's code, e.g. 11200; kept as Twilio sent it, even when unknown."),
    )
    occurred_at = models.DateTimeField(
        _("time"), db_index=True, help_text=_("When it happened, by Twilio's clock.")
    )
    url = models.CharField(
        _("URL"),
        max_length=URL_LENGTH,
        blank=True,
        help_text=_(
            "The URL Twilio called, e.g. https://ivr.example.com/ivr/menu?step=2; a caller's "
            "number or words are left out of it."
        ),
    )
    method = models.CharField(_("method"), max_length=8, blank=True, help_text=_("e.g. POST"))
    response_status = models.PositiveSmallIntegerField(
        _("our answer"),
        null=True,
        blank=True,
        help_text=_("The HTTP status Twilio got from us, e.g. 500; empty when it got none."),
    )
    response_body = models.TextField(
        _("our answer's body"),
        blank=True,
        help_text=_("Its first 5,000 characters, as Twilio saw them."),
    )
    resource_sid = models.CharField(
        _("resource"),
        max_length=64,
        blank=True,
        help_text=_("What it is about, e.g. a call: CA0123…"),
    )
    raw = models.JSONField(
        _("as Twilio sent it"),
        help_text=_("Every parameter of Twilio's request, its Payload read as JSON."),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("Debugger report")
        verbose_name_plural = _("Debugger reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=Level.values),
                name="%(app_label)s_%(class)s_level_known",
            ),
        ]
        indexes = [
            # The dashboard's and twilio_connect's count of the last day's errors.
            models.Index(fields=["level", "occurred_at"], name="debugger_level_time"),
        ]

    def __str__(self):
        return f"{self.error_code or '?'} {self.sid}"

    @property
    def meaning(self) -> str:
        return meaning(self.error_code)

    @property
    def docs_url(self) -> str:
        return docs_url(self.error_code, self._payload().get("more_info"))

    @property
    def request_parameters(self) -> dict:
        """The parameters Twilio sent with the request the report is about, if it says."""
        request = self._payload().get("webhook", {})
        request = request.get("request", {}) if isinstance(request, dict) else {}
        parameters = request.get("parameters") if isinstance(request, dict) else None
        return parameters if isinstance(parameters, dict) else {}

    def _payload(self) -> dict:
        payload = self.raw.get("Payload") if isinstance(self.raw, dict) else None
        return payload if isinstance(payload, dict) else {}
