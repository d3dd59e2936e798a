"""The step engine: what a call step answers, from the request's context and the tree's data.

Every webhook of a call is one step of one kind (saying a menu, a menu's answer, the planet
directory's answer, a confirmation, a dial's outcome, the voicemail offer's answer, a message
recorded). The kind comes from the URL Twilio was given, the menu, language, attempts and
planet from its query string; an option's action decides what the caller hears next
(ivr/answers.py).
"""

from dataclasses import replace

from django.conf import settings

from calllog import services as calllog
from calllog.models import Step
from directory.fields import E164
from directory.models import Action, Prompt
from directory.nodes import OptionNode
from metrics import registry as metrics

from . import answers, speech, twiml
from .answers import Answer
from .context import (
    INVALID,
    NO_INPUT,
    NOT_UNDERSTOOD,
    Context,
    as_key,
    bounded_int,
    count,
    listen,
    log_call,
    log_step,
)

# Twilio's DialCallStatus values (another is counted as "other").
DIAL_STATUSES = frozenset({"completed", "answered", "busy", "no-answer", "failed", "canceled"})

# ---------------------------------------------------------------------------------------------
# The steps, one per kind of webhook request.


def say_menu(context: Context) -> Answer:
    """/ivr/welcome: the menu (the call's first at its start), read out, gathering a choice."""
    response = answers.read_menu(context, context.menu)
    if context.sequence == 0:
        called = context.params.get("To", "")
        count(context, metrics.calls_started, called if E164.fullmatch(called) else "other")
        log_call(
            context.params,
            calllog.call_start,
            from_number=context.params.get("From", "")[:32],
            to_number=context.params.get("To", "")[:32],
            language=context.language.code,
            directory_revision=context.script.revision,
            first_menu=context.menu.slug,
        )
    else:
        log_step(context, Step.Kind.MAIN_MENU, next_menu=response.next_menu)
    return response


def _missed(pressed: str, attempts: int) -> str:
    """What a caller's miss at a menu was, for the call log."""
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return Step.Outcome.OUT_OF_ATTEMPTS
    if pressed == NO_INPUT:
        return Step.Outcome.NO_INPUT
    return Step.Outcome.NOT_UNDERSTOOD if pressed == NOT_UNDERSTOOD else Step.Outcome.WRONG_KEY


def _leads_to_a_menu(option: OptionNode) -> bool:
    return bool(option.target_menu) or option.action == Action.LANGUAGE


def _silence_answered(context: Context, silence: OptionNode) -> tuple[str, Answer]:
    """The menu's own answer to silence (e.g. a goodbye), instead of a miss; one that leads on
    to a menu counts as a miss, so a silent line cannot go round for ever."""
    attempts = context.attempts + (1 if _leads_to_a_menu(silence) else 0)
    response = answers.out_of_attempts(context, attempts) or answers.chosen(
        replace(context, attempts=attempts), silence
    )
    return _missed(NO_INPUT, attempts), response


def _missed_at_menu(context: Context, pressed: str) -> tuple[str, Answer]:
    """A key or words the menu does not take: the menu again, or goodbye after the last try."""
    attempts = context.attempts + 1
    # A wrong key at the call's first menu is "returning to the main menu" (the tutorial's
    # words); in any other menu, that the key is not on it.
    first = (
        answers.a_miss(pressed)
        if pressed in (NO_INPUT, NOT_UNDERSTOOD) or context.menu is not context.entry_menu
        else Prompt.Key.RETURNING_TO_MENU
    )
    response = answers.out_of_attempts(context, attempts) or answers.back_to_menu(
        context, context.wording.sentence(first), attempts=attempts
    )
    return _missed(pressed, attempts), response


def menu_answer(context: Context) -> Answer:
    """/ivr/menu: an option's key or words do what it does; a planet's name (at a menu leading
    to the directory) puts the caller through; anything else reads the menu again."""
    menu, wording = context.menu, context.wording
    pressed, planet = context.pressed, None
    choices, _hints = speech.vocabulary(wording).menu(menu)
    if (understood := listen(context, choices)) is not None:
        planet = wording.active_planet(understood.planet_pk)
        pressed = as_key(understood)
    option = menu.by_key.get(pressed) if pressed not in (NO_INPUT, INVALID) else None
    if pressed == NO_INPUT and menu.silence_key in menu.by_key:
        outcome, response = _silence_answered(context, menu.by_key[menu.silence_key])
    elif planet is not None:
        outcome = Step.Outcome.PLANET
        response = (
            answers.dial(context, planet)
            if understood.sure
            else answers.confirm(context, planet, attempts=context.attempts)
        )
    elif option is not None:
        outcome = Step.Outcome.CHOSE
        response = answers.chosen(context, option)
    else:
        outcome, response = _missed_at_menu(context, pressed)
    key = option.key if outcome == Step.Outcome.CHOSE else ""
    count(context, metrics.menu_answers, menu.slug, context.language.code, outcome, key)
    log_step(
        context,
        Step.Kind.MENU_KEY,
        digits=context.pressed,
        planet_id=planet and planet.pk,
        option=key,
        outcome=outcome,
        next_menu=response.next_menu,
    )
    return response


def directory_answer(context: Context) -> Answer:
    """/ivr/planets: a planet's key or name puts the caller through (a doubtful name is
    confirmed first), star or "back" goes back to the menu, anything else hears it again."""
    wording = context.wording
    pressed, chosen, sure = context.pressed, None, True
    if (understood := listen(context, speech.vocabulary(wording).planets)) is not None:
        chosen, sure = wording.active_planet(understood.planet_pk), understood.sure
        pressed = as_key(understood)
    elif pressed != "*":
        chosen = wording.planet_for_key(pressed)
    if chosen is not None:
        response = (
            answers.dial(context, chosen)
            if sure
            else answers.confirm(context, chosen, attempts=context.attempts)
        )
    elif pressed == "*":
        response = answers.back_to_menu(
            context, wording.sentence(Prompt.Key.RETURNING_TO_MENU), attempts=context.attempts
        )
    else:
        attempts = context.attempts + 1
        response = answers.out_of_attempts(context, attempts) or answers.read_directory(
            context, attempts=attempts, before=[wording.sentence(answers.a_miss(pressed))]
        )
    log_step(
        context,
        Step.Kind.PLANET_KEY,
        digits=context.pressed,
        planet_id=chosen and chosen.pk,
        next_menu=response.next_menu,
    )
    return response


def confirm_answer(context: Context) -> Answer:
    """/ivr/confirm: after a doubtful name, yes (or 1) puts the caller through, no (or 2)
    goes back to the directory; anything else asks again."""
    wording = context.wording
    planet = wording.active_planet(context.planet_pk)
    pressed = context.pressed
    if (understood := listen(context, speech.vocabulary(wording).confirm)) is not None:
        pressed = as_key(understood)
    if planet is None or pressed == "2":
        # A planet deactivated meanwhile cannot be dialed: the caller chooses again.
        response = answers.read_directory(context)
    elif pressed == "1":
        response = answers.dial(context, planet)
    else:
        attempts = context.attempts + 1
        response = answers.out_of_attempts(context, attempts) or answers.confirm(
            context, planet, attempts=attempts, before=wording.sentence(answers.a_miss(pressed))
        )
    log_step(
        context,
        Step.Kind.CONFIRM,
        digits=context.pressed,
        planet_id=planet and planet.pk,
        next_menu=response.next_menu,
    )
    return response


def dial_outcome(context: Context) -> Answer:
    """/ivr/dialed: a completed call ends politely; any other outcome offers a message (when
    the planet takes them) or goes back."""
    wording = context.wording
    dial_status = context.params.get("DialCallStatus", "")[:16]
    count(context, metrics.dials, dial_status if dial_status in DIAL_STATUSES else "other")
    pk = context.planet_pk
    if dial_status == "completed":
        response = Answer(
            twiml.say_and_hang_up(sentence=wording.sentence(Prompt.Key.DIAL_COMPLETED))
        )
    else:
        # A planet deleted while it was being dialed has no name left to say.
        failed = wording.dial_failed(pk)
        before = [failed] if failed else []
        response = answers.voicemail_offer(context, pk, before=before) or answers.go_back(
            context, before=before
        )
    log_step(
        context,
        Step.Kind.DIAL_OUTCOME,
        planet_id=pk,
        dial_status=dial_status,
        dial_duration=bounded_int(context.params.get("DialCallDuration", ""), upper=10**9) or None,
        next_menu=response.next_menu,
    )
    return response


def voicemail_answer(context: Context) -> Answer:
    """/ivr/voicemail/offered: key 1 or "message" starts the recording; anything else goes
    back."""
    pk = context.planet_pk
    pressed = context.pressed
    if (understood := listen(context, speech.vocabulary(context.wording).voicemail)) is not None:
        pressed = as_key(understood)
    wants = pressed == "1" and context.script.voicemail_planet(pk) is not None
    response = answers.voicemail_record(context, pk) if wants else answers.go_back(context)
    # A spoken "message" is logged as key 1: the log keeps what the caller chose, not words.
    log_step(
        context,
        Step.Kind.VOICEMAIL_OFFER,
        digits="1" if pressed == "1" else context.pressed,
        planet_id=pk,
        next_menu=response.next_menu,
    )
    return response


def voicemail_recorded(context: Context) -> Answer:
    """/ivr/voicemail/recorded: thank the caller and say goodbye."""
    log_step(context, Step.Kind.VOICEMAIL, planet_id=context.planet_pk)
    return Answer(
        twiml.say_and_hang_up(sentence=context.wording.sentence(Prompt.Key.VOICEMAIL_SAVED))
    )


STEPS = {
    "welcome": say_menu,
    "menu": menu_answer,
    "planets": directory_answer,
    "confirm": confirm_answer,
    "dialed": dial_outcome,
    "voicemail_offered": voicemail_answer,
    "voicemail_recorded": voicemail_recorded,
}


def answer(step: str, context: Context) -> str:
    """The TwiML document answering one step of a call."""
    return STEPS[step](context).twiml
