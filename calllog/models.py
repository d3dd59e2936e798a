"""What happened on each call: one row per call, and its steps in order."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    # What the call did, summed up from its steps by the call log's writes (calllog/services.py)
    # in the same transaction as the steps: the admin's filters and the dashboard read one row
    # per call instead of counting its steps. Each only ever grows, so writing a step late,
    # twice or out of order gives the same row. A set of planets is their ids between commas.
    chose_directions = models.BooleanField(
        _("heard the directions"), default=False, help_text=_("Pressed 1 at the main menu.")
    )
    chose_planets = models.BooleanField(
        _("opened the planet menu"), default=False, help_text=_("Pressed 2 at the main menu.")
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


def planet_set(ids) -> str:
    """A set of planets as a call's summary keeps it: ids between commas (",2,3,"), or ""."""
    return f",{','.join(str(pk) for pk in ids)}," if ids else ""


def planet_ids(planets: str) -> set[int]:
    """The ids in a set of planets written by planet_set() (in any order, as merged)."""
    return {int(pk) for pk in planets.split(",") if pk}


class MenuOutcome(models.TextChoices):
    """What the caller's answer at a menu was."""

    CHOSE = "chose", _("chose an option")
    PLANET = "planet", _("named a planet")
    NO_INPUT = "no_input", _("said nothing")
    WRONG_KEY = "wrong_key", _("pressed a wrong key")
    NOT_UNDERSTOOD = "not_understood", _("was not understood")
    OUT_OF_ATTEMPTS = "out_of_attempts", _("ran out of attempts")


# How a call's menu_answers write each outcome after the menu's short name ("main:n"); a
# chosen option is written as its key ("main:2"), which is never one of these letters.
OUTCOME_CODES = {
    MenuOutcome.PLANET: "p",
    MenuOutcome.NO_INPUT: "n",
    MenuOutcome.WRONG_KEY: "w",
    MenuOutcome.NOT_UNDERSTOOD: "u",
    MenuOutcome.OUT_OF_ATTEMPTS: "x",
}
OUTCOMES_BY_CODE = {code: outcome for outcome, code in OUTCOME_CODES.items()}


def menu_token(menu: str, outcome: str, option: str = "") -> str:
    """One answer at a menu as a call's menu_answers keep it (",main:2,"), or "" for none."""
    if not menu or not outcome:
        return ""
    return f",{menu}:{option if outcome == MenuOutcome.CHOSE else OUTCOME_CODES[outcome]},"


def menu_tokens(answers: str) -> set[tuple[str, str]]:
    """The (menu, key or outcome code) pairs in a call's menu_answers, in any order."""
    return {tuple(token.rsplit(":", 1)) for token in answers.split(",") if ":" in token}


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

    The call log's writes keep them (calllog/services.py), in the same transaction as the
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


class StepKind(models.TextChoices):
    MAIN_MENU = "main_menu", _("a menu again")
    MENU_KEY = "menu_key", _("answer at a menu")
    PLANET_KEY = "planet_key", _("key at the planet menu")
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
        # The unique (call, sequence) and (call, kind) indexes below serve lookups by call.
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
            # The admin's outcome and planet filters ask "does this call have such a step?".
            models.Index(fields=["call", "kind"], name="calllog_step_call_kind"),
            # The dashboard counts steps of a kind over the last days from this index alone.
            models.Index(
                fields=["kind", "created_at", "digits", "planet", "dial_status", "call"],
                name="calllog_step_kind_time",
            ),
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
