"""A call's steps in order, and the words callers said."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calls import Call
from .summary import MenuOutcome


class StepKind(models.TextChoices):
    MAIN_MENU = "main_menu", _("a menu again")
    MENU_KEY = "menu_key", _("answer at a menu")
    PLANET_KEY = "planet_key", _("key at the planet directory")
    DIAL_OUTCOME = "dial_outcome", _("dial outcome")
    CONFIRM = "confirm", _("answer to “did you say…?”")
    VOICEMAIL_OFFER = "voicemail_offer", _("answer to the voicemail offer")
    VOICEMAIL = "voicemail", _("message left")


class Step(models.Model):
    """One webhook request of a call: a menu reached, a key pressed, a dial outcome."""

    Kind = StepKind
    Outcome = MenuOutcome

    call = models.ForeignKey(
        Call,
        to_field="call_sid",
        db_column="call_sid",
        # A step may be recorded before its call row (whose own write may have failed).
        db_constraint=False,
        # The unique (call, sequence) index below serves lookups by call.
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="steps",
    )
    sequence = models.PositiveIntegerField(
        _("step"), help_text=_("The step's place in the call: 1 is the first after the greeting.")
    )
    kind = models.CharField(_("what"), max_length=16, choices=StepKind.choices)
    digits = models.CharField(
        _("key pressed"),
        max_length=8,
        blank=True,
        help_text=_("Empty when the caller pressed nothing."),
    )
    planet = models.ForeignKey(
        "directory.Planet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    menu = models.CharField(
        _("menu"),
        max_length=50,
        blank=True,
        help_text=_(
            "The short name of the menu the step was at, e.g. main; empty for steps logged "
            "before the tree was data."
        ),
    )
    option = models.CharField(
        _("option"),
        max_length=1,
        blank=True,
        help_text=_("The key of the option the caller chose there (by key or by voice), if any."),
    )
    outcome = models.CharField(
        _("answer"),
        max_length=16,
        blank=True,
        choices=MenuOutcome.choices,
        help_text=_("What the caller's answer at a menu was; empty for other steps."),
    )
    next_menu = models.CharField(
        _("then at menu"),
        max_length=50,
        blank=True,
        help_text=_("The menu the step's answer read out next, if any (its short name)."),
    )
    dial_status = models.CharField(_("DialCallStatus"), max_length=16, blank=True)
    dial_duration = models.PositiveIntegerField(_("DialCallDuration (s)"), null=True, blank=True)
    idempotency_token = models.CharField(
        _("I-Twilio-Idempotency-Token"),
        max_length=128,
        blank=True,
        help_text=_("Empty when absent."),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["call_id", "sequence"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        indexes = [
            # purge_calls finds steps whose call row never got written by their age. Nothing
            # else reads steps but by their call (the unique index on call and sequence): the
            # filters and the dashboard read the calls' rows and the day's counts.
            models.Index(fields=["created_at"], name="calllog_step_created"),
        ]
        constraints = [
            # Twilio retries a request with the same step of the same call: it is logged once.
            models.UniqueConstraint(
                fields=["call", "sequence"], name="%(app_label)s_%(class)s_once_per_step"
            ),
            models.UniqueConstraint(
                fields=["idempotency_token"],
                condition=~Q(idempotency_token=""),
                name="%(app_label)s_%(class)s_once_per_token",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values), name="%(app_label)s_%(class)s_kind_is_known"
            ),
        ]

    def __str__(self):
        return f"{self.call_id} #{self.sequence}"


class Utterance(models.Model):
    """What a caller said at one step, and what it matched (or that it matched nothing)."""

    call = models.ForeignKey(
        Call,
        to_field="call_sid",
        db_column="call_sid",
        # Written like steps, possibly before the call's own row.
        db_constraint=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="utterances",
    )
    sequence = models.PositiveIntegerField(
        _("step"), help_text=_("The step of the call at which it was said.")
    )
    language = models.CharField(
        _("language"), max_length=35, blank=True, help_text=_("The call's language, e.g. ja-JP.")
    )
    heard = models.CharField(
        _("heard"),
        max_length=200,
        blank=True,
        help_text=_("Twilio's SpeechResult, shortened, e.g. “Dagobah please”."),
    )
    confidence = models.FloatField(
        _("confidence"), help_text=_("Twilio's confidence in what it heard, 0 to 1.")
    )
    target = models.CharField(
        _("matched"),
        max_length=32,
        blank=True,
        help_text=_("A key the words stand for, or planet:<id>; empty when they matched nothing."),
    )
    planet = models.ForeignKey(
        "directory.Planet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
        verbose_name=_("planet"),
    )
    score = models.FloatField(_("score"), help_text=_("How well the words matched, 0 to 100."))
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["call_id", "sequence"]
        verbose_name = _("utterance")
        verbose_name_plural = _("utterances")
        indexes = [
            models.Index(fields=["language", "target", "created_at"], name="calllog_utt_matched"),
            # purge_calls finds utterances whose call row never got written by their age.
            models.Index(fields=["created_at"], name="calllog_utt_created"),
        ]
        constraints = [
            # Twilio retries a request with the same step of the same call: it is logged once.
            models.UniqueConstraint(
                fields=["call", "sequence"], name="%(app_label)s_%(class)s_once_per_step"
            ),
        ]

    def __str__(self):
        return f"{self.call_id} #{self.sequence}: {self.heard}"
