"""The voicemail steps of a call: the offer, the recording, and Twilio's callbacks about it."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from calllog.models import SIMULATED_ACCOUNT_SID, Step
from directory.models import Prompt
from directory.script import Lines
from directory.selectors import script_get
from twilio_api.recordings import RECORDING_SID
from voicemail import services as voicemail

from . import speech, twiml
from .decorators import public_base_url, twilio_webhook
from .steps import (
    LANGUAGE_LENGTH,
    Inbound,
    as_key,
    bounded_int,
    listen,
    listening,
    planet_menu,
    planet_pk,
    record_step,
    request_params,
    webhook_url,
)


def offer(inbound: Inbound, lines: Lines, planet_pk: int | None, *, before=()) -> str | None:
    """The offer of a message, or None when the planet takes none: after a dial that failed
    (busy, no answer, failed) or at a closed planet, after what was said before."""
    sentence = lines.voicemail_offer(planet_pk)
    if sentence is None:
        return None
    return twiml.voicemail_offer(
        sentence=sentence,
        offered_url=inbound.next_url("ivr:voicemail_offered", planet=planet_pk),
        listening=listening(lines, speech.vocabulary(lines).voicemail_hints),
        before=before,
    )


def _callback_url(request, name: str, **params) -> str:
    """An absolute URL for Twilio's callbacks, with its query string sorted as Twilio signs it."""
    return public_base_url(request) + webhook_url(name, **params)


def _inbox_url(request, recording_sid: str) -> str:
    base = public_base_url(request)
    inbox = reverse("admin:voicemail_voicemail_changelist")
    return f"{base}{inbox}?{urlencode({'q': recording_sid})}"


@twilio_webhook
def offered(request):
    """After the offer: key 1 or "message" starts the recording; anything else, the planet menu."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = inbound.lines(script)
    pk = planet_pk(request)
    pressed = inbound.pressed
    if (understood := listen(inbound, speech.vocabulary(lines).voicemail)) is not None:
        pressed = as_key(understood)
    wants = pressed == "1" and script.voicemail_planet(pk) is not None
    # A spoken "message" is logged as key 1: the log keeps what the caller chose, not words.
    record_step(
        inbound,
        request,
        Step.Kind.VOICEMAIL_OFFER,
        digits="1" if pressed == "1" else inbound.pressed,
        planet_id=pk,
    )
    if not wants:
        return planet_menu(inbound, lines, attempts=inbound.attempts)
    # Callbacks are not steps of the call: they name the call's language whatever it is.
    params = {"planet": pk, "lang": inbound.language.code}
    transcribe_url = ""
    if settings.VOICEMAIL_TRANSCRIBE:
        transcribe_url = _callback_url(request, "ivr:voicemail_transcription", **params)
    return twiml.voicemail_record(
        before=lines.sentence(Prompt.Key.VOICEMAIL_RECORD),
        action_url=inbound.next_url("ivr:voicemail_recorded", planet=pk),
        recording_status_url=_callback_url(request, "ivr:voicemail_recording", **params),
        transcribe_url=transcribe_url,
        max_seconds=settings.VOICEMAIL_MAX_SECONDS,
        no_message_url=inbound.next_url("ivr:planets"),
    )


@twilio_webhook
def recorded(request):
    """After the recording (Twilio's Record action): thank the caller and say goodbye."""
    script = script_get()
    inbound = Inbound.of(request, script)
    record_step(inbound, request, Step.Kind.VOICEMAIL, planet_id=planet_pk(request))
    return twiml.say_and_hang_up(
        sentence=inbound.lines(script).sentence(Prompt.Key.VOICEMAIL_SAVED)
    )


def _recording_fields(request) -> dict | None:
    """What a callback says about a recording, or None when there is nothing to keep."""
    params = request_params(request)
    recording_sid, call_sid = params.get("RecordingSid", ""), params.get("CallSid", "")[:64]
    if not RECORDING_SID.fullmatch(recording_sid) or not call_sid:
        return None
    if params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return None
    return {
        "recording_sid": recording_sid,
        "call_sid": call_sid,
        "planet_id": planet_pk(request),
        "language": request.GET.get("lang", "")[:LANGUAGE_LENGTH],
        "inbox_url": _inbox_url(request, recording_sid),
    }


@twilio_webhook
def recording(request):
    """Twilio's recording status callback: a finished message is kept; a replay changes nothing."""
    fields = _recording_fields(request)
    if fields and request_params(request).get("RecordingStatus") == "completed":
        duration = bounded_int(request_params(request).get("RecordingDuration", ""), upper=10**6)
        voicemail.recording_received(duration=duration, **fields)
    return twiml.empty()


@twilio_webhook
def transcription(request):
    """Twilio's transcription callback: the message's text, when Twilio made one."""
    fields = _recording_fields(request)
    if fields and request_params(request).get("TranscriptionStatus") == "completed":
        text = request_params(request).get("TranscriptionText", "")[:10_000]
        voicemail.transcription_received(text=text, **fields)
    return twiml.empty()
