"""What the caller hears next, as a step's Answer: plain values from the context and the
script, handed to the TwiML builders (ivr/twiml.py). What an option does is chosen()'s: a new
kind of action is a new case there and a new builder in twiml.py."""

from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone

from calllog import services as calllog
from directory.fields import E164
from directory.models import Action, Prompt
from directory.nodes import MenuNode, OptionNode, PlanetOption, Sentence
from texts import services as texts

from . import speech, twiml
from .context import (
    NO_INPUT,
    NOT_UNDERSTOOD,
    Context,
    log_call,
    webhook_url,
)
from .public_url import public_base_url


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


def read_menu(context: Context, menu: MenuNode, *, language=None, before=()) -> Answer:
    """A menu read out (three times) inside a gather of one key or a few words."""
    wording = context.wording_in(language) if language else context.wording
    _choices, hints = speech.vocabulary(wording).menu(menu)
    document = twiml.menu(
        sentences=wording.menu_sentences(menu),
        menu_url=context.next_url("ivr:menu", language=language or context.language, menu=menu),
        listening=twiml.Listening(language=wording.language.code, hints=hints),
        before=tuple(before),
        hash_is_a_key="#" in menu.by_key,
    )
    return Answer(document, menu)


def read_directory(context: Context, *, attempts: int | None = None, before=()) -> Answer:
    """The planet directory: its planets inside a gather of an extension or a name."""
    wording = context.wording
    document = twiml.planet_directory(
        sentences=wording.directory_sentences(read_at_most=settings.IVR_PLANET_DIRECTORY_READS),
        planets_url=context.next_url("ivr:planets", attempts=attempts),
        listening=_listening(context, speech.vocabulary(wording).planet_hints),
        extension_length=wording.script.extension_length,
        before=before,
    )
    return Answer(document)


def go_back(context: Context, *, before=()) -> Answer:
    """Where a caller goes when a planet cannot answer: the directory, or the menu whose
    option put them through."""
    if context.back == "menu":
        return read_menu(context, context.menu, before=before)
    return read_directory(context, before=before)


def voicemail_offer(context: Context, planet_pk: int | None, *, before=()) -> Answer | None:
    """The offer of a message, or None when the planet takes none."""
    sentence = context.wording.voicemail_offer(planet_pk)
    if sentence is None:
        return None
    return Answer(
        twiml.voicemail_offer(
            sentence=sentence,
            offered_url=context.next_url(
                "ivr:voicemail_offered", planet=planet_pk, back=context.back
            ),
            listening=_listening(context, speech.vocabulary(context.wording).voicemail_hints),
            before=before,
        )
    )


def _callback_url(context: Context, name: str, **params) -> str:
    """An absolute URL for Twilio's callbacks, with its query string sorted as Twilio signs it."""
    return public_base_url(context.request) + webhook_url(name, **params)


def voicemail_record(context: Context, planet_pk: int) -> Answer:
    # Callbacks are not steps of the call: they name the call's language whatever it is.
    params = {"planet": planet_pk, "lang": context.language.code}
    transcribe_url = ""
    if settings.VOICEMAIL_TRANSCRIBE:
        transcribe_url = _callback_url(context, "ivr:voicemail_transcription", **params)
    no_message = "ivr:welcome" if context.back == "menu" else "ivr:planets"
    return Answer(
        twiml.voicemail_record(
            before=context.wording.sentence(Prompt.Key.VOICEMAIL_RECORD),
            action_url=context.next_url("ivr:voicemail_recorded", planet=planet_pk),
            recording_status_url=_callback_url(context, "ivr:voicemail_recording", **params),
            transcribe_url=transcribe_url,
            max_seconds=settings.VOICEMAIL_MAX_SECONDS,
            no_message_url=context.next_url(no_message),
        )
    )


def dial(context: Context, planet: PlanetOption, *, back: str = "") -> Answer:
    """Put the caller through; a closed planet says when it opens, then offers a message (when
    it takes them) or goes back."""
    context = _with_back(context, back)
    wording = context.wording
    closed = wording.closed(planet, now=timezone.now())
    if closed:
        return voicemail_offer(context, planet.pk, before=closed) or go_back(context, before=closed)
    return Answer(
        twiml.dial(
            number=planet.phone_number,
            action_url=context.next_url("ivr:dialed", planet=planet.pk, back=context.back),
        )
    )


def _with_back(context: Context, back: str) -> Context:
    return context if not back or back == context.back else replace(context, back=back)


def confirm(context: Context, planet: PlanetOption, *, attempts: int, before=None) -> Answer:
    wording = context.wording
    return Answer(
        twiml.confirm(
            sentence=wording.sentence(Prompt.Key.CONFIRM_PLANET).fill(
                planet=wording.spoken_name(planet)
            ),
            confirm_url=context.next_url("ivr:confirm", attempts=attempts, planet=planet.pk),
            listening=_listening(context, speech.vocabulary(wording).confirm_hints),
            before=before,
        )
    )


def a_miss(pressed: str) -> str:
    """The prompt before a menu is read again after a miss."""
    if pressed == NO_INPUT:
        return Prompt.Key.NO_INPUT
    return Prompt.Key.NOT_UNDERSTOOD if pressed == NOT_UNDERSTOOD else Prompt.Key.INVALID_KEY


def out_of_attempts(context: Context, attempts: int) -> Answer | None:
    """The goodbye once a call has used its attempts (in any menu)."""
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return Answer(twiml.say_and_hang_up(sentence=context.wording.sentence(Prompt.Key.GOODBYE)))
    return None


def back_to_menu(context: Context, sentence: Sentence, *, attempts: int) -> Answer:
    """A sentence, then the menu again (its next step reads it)."""
    document = twiml.say_and_redirect(
        sentence=sentence, url=context.next_url("ivr:welcome", attempts=attempts)
    )
    return Answer(document, context.menu)


def _text(context: Context, option: OptionNode) -> Answer:
    """Ask for the option's text message to the caller (sent in the background: the caller
    never waits), say it was sent, then go on. A caller it cannot go to hears the next step as
    if nothing happened."""
    wording, script = context.wording, context.script
    caller, body, said = context.params.get("From", ""), wording.text_message(option), []
    if body and E164.fullmatch(caller) and not texts.number_refused(caller):
        log_call(
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
        said = wording.announcement(option) or [wording.sentence(Prompt.Key.TEXT_SENT)]
    if option.target_menu in script.menus:
        return read_menu(context, script.menus[option.target_menu], before=said)
    return Answer(
        twiml.message_and_hang_up(sentences=said or [wording.sentence(Prompt.Key.HANG_UP)])
    )


def chosen(context: Context, option: OptionNode) -> Answer:
    """What an option does."""
    wording, script = context.wording, context.script
    action = option.action
    if action == Action.MENU:
        return read_menu(context, script.menus[option.target_menu])
    if action == Action.ANNOUNCE:
        said = wording.announcement(option)
        if option.target_menu in script.menus:
            return read_menu(context, script.menus[option.target_menu], before=said)
        return Answer(twiml.message_and_hang_up(sentences=said))
    if action == Action.DIRECTORY:
        return read_directory(context)
    if action == Action.LANGUAGE:
        language = script.language(option.target_language)
        log_call(context.params, calllog.call_language, language=language.code)
        return read_menu(context, context.menu, language=language)
    if action == Action.TEXT:
        return _text(context, option)
    if action == Action.HANG_UP:
        said = wording.announcement(option) or [wording.sentence(Prompt.Key.HANG_UP)]
        return Answer(twiml.message_and_hang_up(sentences=said))
    planet = script.planets.get(option.target_planet)
    if action == Action.PLANET and planet is not None and planet.is_active:
        return dial(context, planet, back="menu")
    if action == Action.VOICEMAIL and script.voicemail_planet(option.target_planet):
        return voicemail_record(_with_back(context, "menu"), option.target_planet)
    # A planet deactivated (or no longer taking messages) since: the menu again, no miss.
    return back_to_menu(
        context, wording.sentence(Prompt.Key.RETURNING_TO_MENU), attempts=context.attempts
    )
