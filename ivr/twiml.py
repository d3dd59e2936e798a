"""Pure TwiML builders for each step of the call: plain values in, a VoiceResponse out."""

from collections.abc import Iterable, Mapping

from twilio.twiml.voice_response import VoiceResponse

from directory.models import Prompt
from directory.selectors import PlanetOption, Sentence

GATHER_TIMEOUT_SECONDS = 5


def _say(verb, sentence: Sentence, **kwargs) -> None:
    if sentence.text:
        verb.say(
            sentence.text,
            voice=sentence.voice or None,
            language=sentence.language or None,
            **kwargs,
        )


def _gather(response: VoiceResponse, *, action: str):
    # actionOnEmptyResult: a caller who presses nothing is sent back to us, never dropped.
    return response.gather(
        num_digits=1,
        action=action,
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS,
        action_on_empty_result=True,
    )


def fill(sentence: Sentence, **values: str) -> Sentence:
    """The sentence with its {placeholders} replaced (str.format would let staff text run code)."""
    text = sentence.text
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return Sentence(text, sentence.voice, sentence.language)


def planet_menu_sentences(
    *, prompts: Mapping[str, Sentence], planets: Iterable[PlanetOption]
) -> list[Sentence]:
    """Exactly what the caller hears in the planet menu, in order (also the admin's preview)."""
    sentences = [prompts[Prompt.Key.PLANET_MENU_INTRO]]
    sentences += [
        fill(prompts[Prompt.Key.PLANET_OPTION], planet=planet.spoken_name, key=planet.key)
        for planet in planets
    ]
    sentences.append(prompts[Prompt.Key.PLANET_MENU_BACK])
    return [sentence for sentence in sentences if sentence.text]


def welcome(*, greeting: Sentence, menu_url: str) -> VoiceResponse:
    """Main menu: the greeting, looped three times, inside a one-key gather."""
    response = VoiceResponse()
    _say(_gather(response, action=menu_url), greeting, loop=3)
    return response


def directions(*, directions: Sentence, thank_you: Sentence) -> VoiceResponse:
    """Menu key 1: the directions, a thank-you, and hang up."""
    response = VoiceResponse()
    _say(response, directions)
    _say(response, thank_you)
    response.hangup()
    return response


def planet_menu(
    *, sentences: Iterable[Sentence], planets_url: str, before: Sentence | None = None
) -> VoiceResponse:
    """Menu key 2: the planet menu inside a one-key gather, after an optional sentence."""
    response = VoiceResponse()
    if before is not None:
        _say(response, before)
    gather = _gather(response, action=planets_url)
    for sentence in sentences:
        _say(gather, sentence)
    return response


def say_and_redirect(*, sentence: Sentence, url: str) -> VoiceResponse:
    """Say something, then ask us again at url (back to a menu)."""
    response = VoiceResponse()
    _say(response, sentence)
    response.redirect(url, method="POST")
    return response


def say_and_hang_up(*, sentence: Sentence) -> VoiceResponse:
    """Say a last sentence and end the call."""
    response = VoiceResponse()
    _say(response, sentence)
    response.hangup()
    return response


def dial(*, number: str, action_url: str) -> VoiceResponse:
    """Planet key: connect the caller; Twilio reports the outcome to action_url."""
    response = VoiceResponse()
    response.dial(number, action=action_url, method="POST")
    return response


def apology(*, sentence: Sentence, operator_number: str = "") -> VoiceResponse:
    """Something broke on our side: apologise, then a person if we have one, else hang up."""
    response = VoiceResponse()
    _say(response, sentence)
    if operator_number:
        response.dial(operator_number)
    else:
        response.hangup()
    return response


def voicemail_offer(
    *, offer: Sentence, action_url: str, before: Sentence | None = None
) -> VoiceResponse:
    """Nobody answered: offer a message, by key 1 or by saying "message" (before: why)."""
    response = VoiceResponse()
    if before is not None:
        _say(response, before)
    # Speech is heard in the offer's language; silence or anything else comes back to us too.
    gather = response.gather(
        input="dtmf speech",
        num_digits=1,
        action=action_url,
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS,
        speech_timeout="auto",
        language=offer.language or None,
        action_on_empty_result=True,
    )
    _say(gather, offer)
    return response


def voicemail_record(
    *,
    before: Sentence,
    action_url: str,
    recording_status_url: str,
    max_seconds: int,
    no_message_url: str,
    transcribe_url: str = "",
) -> VoiceResponse:
    """The caller speaks after the beep until # or silence; Twilio reports the recording to
    recording_status_url, and asks action_url what to say next."""
    response = VoiceResponse()
    _say(response, before)
    transcription = {"transcribe": True, "transcribe_callback": transcribe_url}
    response.record(
        action=action_url,
        method="POST",
        max_length=max_seconds,
        play_beep=True,
        finish_on_key="#",
        recording_status_callback=recording_status_url,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
        **(transcription if transcribe_url else {}),
    )
    # Twilio goes on here only when it recorded nothing: back to the menu, as after silence.
    response.redirect(no_message_url, method="POST")
    return response
