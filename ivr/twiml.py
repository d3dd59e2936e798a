"""Pure TwiML builders for each step of the call: plain values in, the TwiML document out.

Each builder is written as a function making a VoiceResponse with Twilio's library; @_builder
makes it return that response's document (byte for byte what str(response) writes), kept for
arguments seen recently, with each step's own URLs written into it."""

import inspect
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, wraps

from twilio.twiml import TwiML
from twilio.twiml.voice_response import VoiceResponse

from directory.nodes import Sentence

GATHER_TIMEOUT_SECONDS = 5
# Extensions of different lengths end with # or this pause after the last key: short, as the
# caller waits it out after every extension that does not end with #.
EXTENSION_TIMEOUT_SECONDS = 3
# Twilio takes at most 500 hints of at most 100 characters each.
HINTS_LIMIT = 500
HINT_LENGTH = 100
# How many times a menu is read before the gather times out.
MENU_LOOPS = 3
# Documents kept per builder and process, without their URLs (each a few kilobytes; a large
# planet directory is bounded by IVR_PLANET_DIRECTORY_READS and HINTS_LIMIT). A tree of 50
# menus in two languages needs about 300 for its menus (bench/tree.py).
DOCUMENTS_KEPT = 1024


def _hear(verb, sentence: Sentence, **kwargs) -> None:
    """The sentence as the caller hears it: staff's recording if there is one, else spoken."""
    if sentence.recording:
        verb.play(sentence.recording, **kwargs)
    elif sentence.text:
        verb.say(
            sentence.text,
            voice=sentence.voice or None,
            language=sentence.language or None,
            **kwargs,
        )


@dataclass(frozen=True)
class Listening:
    """What a menu listens for besides keys: speech in a language, helped by hints."""

    language: str
    hints: Sequence[str] = ()


def _hints(phrases: Sequence[str]) -> str | None:
    # Commas separate hints, so a phrase keeps none of its own.
    cleaned = dict.fromkeys(" ".join(p.replace(",", " ").split())[:HINT_LENGTH] for p in phrases)
    return ", ".join(hint for hint in list(cleaned)[:HINTS_LIMIT] if hint) or None


def _gather(
    response: VoiceResponse,
    *,
    action: str,
    listening: Listening,
    num_digits: int | None = 1,
    hash_is_a_key: bool = False,
):
    # actionOnEmptyResult: a caller who presses nothing is sent back to us, never dropped.
    # speechTimeout="auto": Twilio decides when the caller has finished speaking.
    # Without numDigits the keys end with # (Twilio's default finishOnKey) or a short pause.
    # A menu with an option on # asks for no finishing key: else # would end the gather empty.
    finish_on_key = "#" if not num_digits else None
    return response.gather(
        input="dtmf speech",
        num_digits=num_digits,
        finish_on_key="" if hash_is_a_key else finish_on_key,
        action=action,
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS if num_digits else EXTENSION_TIMEOUT_SECONDS,
        action_on_empty_result=True,
        language=listening.language or None,
        speech_timeout="auto",
        hints=_hints(listening.hints),
    )


# The document: what Twilio's library writes with str(response), byte for byte, without
# building and serialising an ElementTree (a fifth of a webhook's cost; docs/performance.md).
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value) -> str:
    value = str(value).lower() if isinstance(value, bool) else str(value)
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#09;")
    )


def _write(node: TwiML, out: list[str]) -> None:
    out.append("<" + node.name)
    for name in sorted(node.attrs):
        out.append(f' {name}="{_attribute(node.attrs[name])}"')
    text = json.dumps(node.value) if isinstance(node.value, dict) else node.value
    # A string nested after an element is that element's tail, as in ElementTree.
    children: list[list] = []
    for verb in node.verbs:
        if not isinstance(verb, str):
            children.append([verb, None])
        elif children:
            children[-1][1] = verb
        else:
            text = verb
    if not (text or children):
        out.append(" />")
        return
    out.append(">")
    if text:
        out.append(_text(text))
    for child, tail in children:
        _write(child, out)
        if tail:
            out.append(_text(tail))
    out.append(f"</{node.name}>")


def document(response: TwiML) -> str:
    """The TwiML document for response, exactly as str(response) writes it."""
    out = [XML_DECLARATION]
    _write(response, out)
    # ElementTree writes a character UTF-8 cannot encode (a lone surrogate) as a reference.
    return "".join(out).encode("utf-8", "xmlcharrefreplace").decode("utf-8")


# A builder's arguments named url or ..._url are the URLs of the call's next steps. They
# differ at every step (its number, the attempts), so a document is kept with a hole for each,
# marked by a token no staff text can hold; the step's URLs go in the holes.
HOLE = f"url-{secrets.token_hex(8)}-"
HOLES = re.compile(re.escape(HOLE) + r"(\w+)-")
# Escaped differently in an attribute than in text.
ATTRIBUTE_ONLY = re.compile('["\r\n\t]')


def _is_url(name: str) -> bool:
    return name == "url" or name.endswith("_url")


def _fits_a_hole(value: str) -> bool:
    # Escaped alike in an attribute and in text, and unchanged by the document's encoding; our
    # URLs always are (urlencode), anything else is built whole.
    return value.isascii() and ATTRIBUTE_ONLY.search(value) is None


def _builder(build: Callable[..., VoiceResponse]) -> Callable[..., str]:
    """A builder of the document for a step: the same arguments always give the same document
    (menus are the same text call after call), so the documents of the latest DOCUMENTS_KEPT
    argument sets are kept, with holes for their URLs. An edit in the admin changes the
    arguments, never a kept document. The VoiceResponse itself: builder.__wrapped__."""
    holes = {
        name: f"{HOLE}{name}-" for name in inspect.signature(build).parameters if _is_url(name)
    }

    @lru_cache(maxsize=DOCUMENTS_KEPT)
    def kept(**arguments) -> tuple[str, ...]:
        # The text between the holes, and each hole's argument name: (text, name, text, ...).
        return tuple(HOLES.split(document(build(**arguments))))

    @wraps(build)
    def builder(**arguments) -> str:
        key = {name: _hashable(value) for name, value in arguments.items()}
        urls = {}
        for name, hole in holes.items():
            if url := arguments.get(name):
                if not _fits_a_hole(url):
                    return document(build(**arguments))
                urls[name], key[name] = url, hole
        parts = kept(**key)
        if len(parts) == 1:
            return parts[0]
        filled = list(parts)
        filled[1::2] = [_text(urls[name]) for name in parts[1::2]]
        return "".join(filled)

    builder.cache_info = kept.cache_info
    # What it returns is the document, not the VoiceResponse the function it wraps makes.
    builder.__annotations__ = {**build.__annotations__, "return": str}
    return builder


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


@_builder
def empty() -> VoiceResponse:
    """Nothing to say: a callback's answer."""
    return VoiceResponse()


@_builder
def menu(
    *,
    sentences: Sequence[Sentence],
    menu_url: str,
    listening: Listening,
    before: Sequence[Sentence] = (),
    hash_is_a_key: bool = False,
) -> VoiceResponse:
    """A menu: its sentences (the greeting and options, the other languages on offer), read
    three times inside a gather of one key or a few words, after what led to it (a message)."""
    response = VoiceResponse()
    for sentence in before:
        _hear(response, sentence)
    gather = _gather(response, action=menu_url, listening=listening, hash_is_a_key=hash_is_a_key)
    if len(sentences) == 1:
        _hear(gather, sentences[0], loop=MENU_LOOPS)
    else:
        # Each sentence has its own voice, so the group is repeated rather than looped.
        for _ in range(MENU_LOOPS):
            for sentence in sentences:
                _hear(gather, sentence)
    return response


@_builder
def message_and_hang_up(*, sentences: Sequence[Sentence]) -> VoiceResponse:
    """A message (the demo's directions and thank-you, a goodbye), then hang up."""
    response = VoiceResponse()
    for sentence in sentences:
        _hear(response, sentence)
    response.hangup()
    return response


@_builder
def planet_directory(
    *,
    sentences: Sequence[Sentence],
    planets_url: str,
    listening: Listening,
    extension_length: int | None = 1,
    before: Sequence[Sentence] = (),
) -> VoiceResponse:
    """The planet directory inside a gather of an extension or a name, after what led back
    to it. Extensions all of one length are complete at that length; else they end
    with #."""
    response = VoiceResponse()
    for sentence in before:
        _hear(response, sentence)
    gather = _gather(response, action=planets_url, listening=listening, num_digits=extension_length)
    for sentence in sentences:
        _hear(gather, sentence)
    return response


@_builder
def confirm(
    *, sentence: Sentence, confirm_url: str, listening: Listening, before: Sentence | None = None
) -> VoiceResponse:
    """A doubtful planet: ask whether the caller said it (yes or 1, no or 2)."""
    response = VoiceResponse()
    if before is not None:
        _hear(response, before)
    _hear(_gather(response, action=confirm_url, listening=listening), sentence)
    return response


@_builder
def say_and_redirect(*, sentence: Sentence, url: str) -> VoiceResponse:
    """Say something, then ask us again at url (back to a menu)."""
    response = VoiceResponse()
    _hear(response, sentence)
    response.redirect(url, method="POST")
    return response


@_builder
def say_and_hang_up(*, sentence: Sentence) -> VoiceResponse:
    """Say a last sentence and end the call."""
    response = VoiceResponse()
    _hear(response, sentence)
    response.hangup()
    return response


@_builder
def dial(*, number: str, action_url: str) -> VoiceResponse:
    """Put the caller through; Twilio reports the outcome to action_url."""
    response = VoiceResponse()
    response.dial(number, action=action_url, method="POST")
    return response


@_builder
def apology(*, sentence: Sentence, operator_number: str = "") -> VoiceResponse:
    """Something broke on our side: apologise, then a person if we have one, else hang up."""
    response = VoiceResponse()
    _hear(response, sentence)
    if operator_number:
        response.dial(operator_number)
    else:
        response.hangup()
    return response


@_builder
def voicemail_offer(
    *,
    sentence: Sentence,
    offered_url: str,
    listening: Listening,
    before: Sequence[Sentence] = (),
) -> VoiceResponse:
    """Nobody can answer: after why (before), offer a message, by key 1 or by saying so."""
    response = VoiceResponse()
    for said in before:
        _hear(response, said)
    _hear(_gather(response, action=offered_url, listening=listening), sentence)
    return response


@_builder
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
    _hear(response, before)
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
