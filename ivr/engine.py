"""The step engine: what a call step answers, from the request's context and the tree's data.

Every webhook of a call is one step of one kind (saying a menu, a menu's answer, the planet
directory's answer, a confirmation, a dial's outcome, the voicemail offer's answer, a message
recorded). The kind comes from the URL Twilio was given, the menu, language, attempts and
planet from its query string; an option's action decides what the caller hears next. A new
kind of action is a new case here and a new builder in twiml.py.
"""

import re
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone

from calllog import services as calllog
from calllog.models import Step
from directory.models import Action, Prompt
from directory.script import MenuNode, OptionNode, PlanetOption, Sentence
from metrics import registry as metrics
from texts import services as texts

from . import speech, twiml
from .context import (
    INVALID,
    NO_INPUT,
    NOT_UNDERSTOOD,
    Context,
    as_key,
    bounded_int,
    count,
    listen,
    record,
    record_step,
    webhook_url,
)
from .decorators import public_base_url

# Twilio's DialCallStatus values, and a called number as /metrics names it (else "other").
DIAL_STATUSES = frozenset({"completed", "answered", "busy", "no-answer", "failed", "canceled"})
E164 = re.compile(r"\+[1-9]\d{5,14}")

# ---------------------------------------------------------------------------------------------
# What the caller hears: plain values from the context and the script, handed to the builders.


@dataclass(frozen=True)
class Answer:
    """A step's TwiML, and the menu it reads out (the caller is at it until they answer)."""

    twiml: str
    menu: MenuNode | None = None

    @property
    def next_menu(self) -> str:
        return self.menu.slug if self.menu is not None else ""


def _listening(context: Context, hints) -> twiml.Listening:
    return twiml.Listening(language=context.language.code, hints=hints)


def _menu(context: Context, menu: MenuNode, *, language=None, before=()) -> Answer:
    """A menu read out (three times) inside a gather of one key or a few words."""
    lines = context.lines_in(language) if language else context.lines
    _choices, hints = speech.vocabulary(lines).menu(menu)
    document = twiml.menu(
        sentences=lines.menu_sentences(menu),
        menu_url=context.next_url("ivr:menu", language=language or context.language, menu=menu),
        listening=twiml.Listening(language=lines.language.code, hints=hints),
        before=tuple(before),
        hash_is_a_key="#" in menu.by_key,
    )
    return Answer(document, menu)


def _directory(context: Context, *, attempts: int | None = None, before=()) -> Answer:
    """The planet directory: its planets inside a gather of an extension or a name."""
    lines = context.lines
    document = twiml.planet_menu(
        sentences=lines.planet_menu(read_at_most=settings.IVR_PLANET_MENU_READS),
        planets_url=context.next_url("ivr:planets", attempts=attempts),
        listening=_listening(context, speech.vocabulary(lines).planet_hints),
        extension_length=lines.script.extension_length,
        before=before,
    )
    return Answer(document)


def _back(context: Context, *, before=()) -> Answer:
    """Where a caller goes when a planet cannot answer: the directory, or the menu whose
    option put them through."""
    if context.back == "menu":
        return _menu(context, context.menu, before=before)
    return _directory(context, before=before)


def _voicemail_offer(context: Context, planet_pk: int | None, *, before=()) -> Answer | None:
    """The offer of a message, or None when the planet takes none."""
    sentence = context.lines.voicemail_offer(planet_pk)
    if sentence is None:
        return None
    return Answer(
        twiml.voicemail_offer(
            sentence=sentence,
            offered_url=context.next_url(
                "ivr:voicemail_offered", planet=planet_pk, back=context.back
            ),
            listening=_listening(context, speech.vocabulary(context.lines).voicemail_hints),
            before=before,
        )
    )


def _callback_url(context: Context, name: str, **params) -> str:
    """An absolute URL for Twilio's callbacks, with its query string sorted as Twilio signs it."""
    return public_base_url(context.request) + webhook_url(name, **params)


def _voicemail_record(context: Context, planet_pk: int) -> Answer:
    # Callbacks are not steps of the call: they name the call's language whatever it is.
    params = {"planet": planet_pk, "lang": context.language.code}
    transcribe_url = ""
    if settings.VOICEMAIL_TRANSCRIBE:
        transcribe_url = _callback_url(context, "ivr:voicemail_transcription", **params)
    no_message = "ivr:welcome" if context.back == "menu" else "ivr:planets"
    return Answer(
        twiml.voicemail_record(
            before=context.lines.sentence(Prompt.Key.VOICEMAIL_RECORD),
            action_url=context.next_url("ivr:voicemail_recorded", planet=planet_pk),
            recording_status_url=_callback_url(context, "ivr:voicemail_recording", **params),
            transcribe_url=transcribe_url,
            max_seconds=settings.VOICEMAIL_MAX_SECONDS,
            no_message_url=context.next_url(no_message),
        )
    )


def _dial(context: Context, planet: PlanetOption, *, back: str = "") -> Answer:
    """Put the caller through; a closed planet says when it opens, then offers a message (when
    it takes them) or goes back."""
    context = _with_back(context, back)
    lines = context.lines
    closed = lines.closed(planet, now=timezone.now())
    if closed:
        return _voicemail_offer(context, planet.pk, before=closed) or _back(context, before=closed)
    return Answer(
        twiml.dial(
            number=planet.phone_number,
            action_url=context.next_url("ivr:dialed", planet=planet.pk, back=context.back),
        )
    )


def _with_back(context: Context, back: str) -> Context:
    return context if not back or back == context.back else replace(context, back=back)


def _confirm(context: Context, planet: PlanetOption, *, attempts: int, before=None) -> Answer:
    lines = context.lines
    return Answer(
        twiml.confirm(
            sentence=lines.sentence(Prompt.Key.CONFIRM_PLANET).fill(
                planet=lines.spoken_name(planet)
            ),
            confirm_url=context.next_url("ivr:confirm", attempts=attempts, planet=planet.pk),
            listening=_listening(context, speech.vocabulary(lines).confirm_hints),
            before=before,
        )
    )


def _a_miss(pressed: str) -> str:
    """The prompt before a menu is read again after a miss."""
    if pressed == NO_INPUT:
        return Prompt.Key.NO_INPUT
    return Prompt.Key.NOT_UNDERSTOOD if pressed == NOT_UNDERSTOOD else Prompt.Key.INVALID_KEY


def _out_of_attempts(context: Context, attempts: int) -> Answer | None:
    """The goodbye once a call has used its attempts (in any menu)."""
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return Answer(twiml.say_and_hang_up(sentence=context.lines.sentence(Prompt.Key.GOODBYE)))
    return None


def _back_to_menu(context: Context, sentence: Sentence, *, attempts: int) -> Answer:
    """A sentence, then the menu again (its next step reads it)."""
    document = twiml.say_and_redirect(
        sentence=sentence, url=context.next_url("ivr:welcome", attempts=attempts)
    )
    return Answer(document, context.menu)


# A caller number a text can go to: E.164 (not a withheld number, nor a Twilio Client's).
TEXTABLE = re.compile(r"\+[1-9][0-9]{6,14}")


def _text(context: Context, option: OptionNode) -> Answer:
    """Ask for the option's text message to the caller (sent in the background: the caller
    never waits), say it was sent, then go on. A caller it cannot go to hears the next step as
    if nothing happened."""
    lines, script = context.lines, context.script
    caller, body, said = context.params.get("From", ""), lines.text_message(option), []
    if body and TEXTABLE.fullmatch(caller) and not texts.number_refused(caller):
        record(
            context.params,
            texts.text_request,
            menu=context.menu.slug,
            key=option.key,
            to_number=caller,
            from_number=context.params.get("To", "")[:32],
            language=context.language.code,
            body=body,
            status_callback=_callback_url(context, "ivr:text_status"),
        )
        # Its own sentences, else the line's: the caller always hears that a text is coming.
        said = lines.announcement(option) or [lines.sentence(Prompt.Key.TEXT_SENT)]
    if option.target_menu in script.menus:
        return _menu(context, script.menus[option.target_menu], before=said)
    return Answer(twiml.message_and_hang_up(sentences=said or [lines.sentence(Prompt.Key.HANG_UP)]))


def _chosen(context: Context, option: OptionNode) -> Answer:
    """What an option does."""
    lines, script = context.lines, context.script
    action = option.action
    if action == Action.MENU:
        return _menu(context, script.menus[option.target_menu])
    if action == Action.ANNOUNCE:
        said = lines.announcement(option)
        if option.target_menu in script.menus:
            return _menu(context, script.menus[option.target_menu], before=said)
        return Answer(twiml.message_and_hang_up(sentences=said))
    if action == Action.DIRECTORY:
        return _directory(context)
    if action == Action.LANGUAGE:
        language = script.language(option.target_language)
        record(context.params, calllog.call_language, language=language.code)
        return _menu(context, context.menu, language=language)
    if action == Action.TEXT:
        return _text(context, option)
    if action == Action.HANG_UP:
        said = lines.announcement(option) or [lines.sentence(Prompt.Key.HANG_UP)]
        return Answer(twiml.message_and_hang_up(sentences=said))
    planet = script.planets.get(option.target_planet)
    if action == Action.PLANET and planet is not None and planet.is_active:
        return _dial(context, planet, back="menu")
    if action == Action.VOICEMAIL and script.voicemail_planet(option.target_planet):
        return _voicemail_record(_with_back(context, "menu"), option.target_planet)
    # A planet deactivated (or no longer taking messages) since: the menu again, no miss.
    return _back_to_menu(
        context, lines.sentence(Prompt.Key.RETURNING_TO_MENU), attempts=context.attempts
    )


# ---------------------------------------------------------------------------------------------
# The steps, one per kind of webhook request.


def say_menu(context: Context) -> Answer:
    """/ivr/welcome: the menu (the call's first at its start), read out, gathering a choice."""
    response = _menu(context, context.menu)
    if context.sequence == 0:
        called = context.params.get("To", "")
        count(context, metrics.calls_started, called if E164.fullmatch(called) else "other")
        record(
            context.params,
            calllog.call_start,
            from_number=context.params.get("From", "")[:32],
            to_number=context.params.get("To", "")[:32],
            language=context.language.code,
            directory_revision=context.script.revision,
            first_menu=context.menu.slug,
        )
    else:
        record_step(context, Step.Kind.MAIN_MENU, next_menu=response.next_menu)
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


def menu_answer(context: Context) -> Answer:
    """/ivr/menu: an option's key or words do what it does; a planet's name (at a menu leading
    to the directory) puts the caller through; anything else reads the menu again."""
    menu, lines = context.menu, context.lines
    pressed, planet = context.pressed, None
    choices, _hints = speech.vocabulary(lines).menu(menu)
    if (understood := listen(context, choices)) is not None:
        planet = lines.active_planet(understood.planet_pk)
        pressed = as_key(understood)
    option = menu.by_key.get(pressed) if pressed not in (NO_INPUT, INVALID) else None
    if pressed == NO_INPUT and menu.silence_key in menu.by_key:
        # The menu's own answer to silence (e.g. a goodbye), instead of a miss; one that leads
        # on to a menu counts as a miss, so a silent line cannot go round for ever.
        silence = menu.by_key[menu.silence_key]
        attempts = context.attempts + (1 if _leads_to_a_menu(silence) else 0)
        outcome = _missed(NO_INPUT, attempts)
        response = _out_of_attempts(context, attempts) or _chosen(
            replace(context, attempts=attempts), silence
        )
    elif planet is not None:
        outcome = Step.Outcome.PLANET
        response = (
            _dial(context, planet)
            if understood.sure
            else _confirm(context, planet, attempts=context.attempts)
        )
    elif option is not None:
        outcome = Step.Outcome.CHOSE
        response = _chosen(context, option)
    else:
        attempts = context.attempts + 1
        outcome = _missed(pressed, attempts)
        # A wrong key at the call's first menu is "returning to the main menu" (the tutorial's
        # words); in any other menu, that the key is not on it.
        first = (
            _a_miss(pressed)
            if pressed in (NO_INPUT, NOT_UNDERSTOOD) or menu is not context.entry_menu
            else Prompt.Key.RETURNING_TO_MENU
        )
        response = _out_of_attempts(context, attempts) or _back_to_menu(
            context, lines.sentence(first), attempts=attempts
        )
    key = option.key if outcome == Step.Outcome.CHOSE else ""
    count(context, metrics.menu_answers, menu.slug, context.language.code, outcome, key)
    record_step(
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
    lines = context.lines
    pressed, chosen, sure = context.pressed, None, True
    if (understood := listen(context, speech.vocabulary(lines).planets)) is not None:
        chosen, sure = lines.active_planet(understood.planet_pk), understood.sure
        pressed = as_key(understood)
    elif pressed != "*":
        chosen = lines.planet_for_key(pressed)
    if chosen is not None:
        response = (
            _dial(context, chosen) if sure else _confirm(context, chosen, attempts=context.attempts)
        )
    elif pressed == "*":
        response = _back_to_menu(
            context, lines.sentence(Prompt.Key.RETURNING_TO_MENU), attempts=context.attempts
        )
    else:
        attempts = context.attempts + 1
        response = _out_of_attempts(context, attempts) or _directory(
            context, attempts=attempts, before=[lines.sentence(_a_miss(pressed))]
        )
    record_step(
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
    lines = context.lines
    planet = lines.active_planet(context.planet_pk)
    pressed = context.pressed
    if (understood := listen(context, speech.vocabulary(lines).confirm)) is not None:
        pressed = as_key(understood)
    if planet is None or pressed == "2":
        # A planet deactivated meanwhile cannot be dialed: the caller chooses again.
        response = _directory(context)
    elif pressed == "1":
        response = _dial(context, planet)
    else:
        attempts = context.attempts + 1
        response = _out_of_attempts(context, attempts) or _confirm(
            context, planet, attempts=attempts, before=lines.sentence(_a_miss(pressed))
        )
    record_step(
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
    lines = context.lines
    dial_status = context.params.get("DialCallStatus", "")[:16]
    count(context, metrics.dials, dial_status if dial_status in DIAL_STATUSES else "other")
    pk = context.planet_pk
    if dial_status == "completed":
        response = Answer(twiml.say_and_hang_up(sentence=lines.sentence(Prompt.Key.DIAL_COMPLETED)))
    else:
        # A planet deleted while it was being dialed has no name left to say.
        failed = lines.dial_failed(pk)
        before = [failed] if failed else []
        response = _voicemail_offer(context, pk, before=before) or _back(context, before=before)
    record_step(
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
    if (understood := listen(context, speech.vocabulary(context.lines).voicemail)) is not None:
        pressed = as_key(understood)
    wants = pressed == "1" and context.script.voicemail_planet(pk) is not None
    response = _voicemail_record(context, pk) if wants else _back(context)
    # A spoken "message" is logged as key 1: the log keeps what the caller chose, not words.
    record_step(
        context,
        Step.Kind.VOICEMAIL_OFFER,
        digits="1" if pressed == "1" else context.pressed,
        planet_id=pk,
        next_menu=response.next_menu,
    )
    return response


def voicemail_recorded(context: Context) -> Answer:
    """/ivr/voicemail/recorded: thank the caller and say goodbye."""
    record_step(context, Step.Kind.VOICEMAIL, planet_id=context.planet_pk)
    return Answer(
        twiml.say_and_hang_up(sentence=context.lines.sentence(Prompt.Key.VOICEMAIL_SAVED))
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
