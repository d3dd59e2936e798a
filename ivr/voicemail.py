"""The voicemail steps of a call: the offer, the recording, and Twilio's callbacks about it."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from calllog.models import SIMULATED_ACCOUNT_SID, Step
from directory.models import Prompt
from directory.selectors import PlanetOption, Sentence, script_get
from twilio_api.recordings import RECORDING_SID
from voicemail import services as voicemail

from . import twiml
from .decorators import twilio_webhook
from .views import Turn, _bounded_int, _planet_menu, _record_step

# What a caller may say to leave a message, in any of the call languages.
MESSAGE_WORDS = ("message", "メッセージ")
# The longest language tag we carry in a URL (as directory.models' language field).
LANGUAGE_LENGTH = 35


def offer(
    turn: Turn, prompts, planet: PlanetOption | None, *, before: Sentence | None = None
) -> twiml.VoiceResponse | None:
    """The offer of a message for planet, or None when it takes none: after a dial that failed
    (busy, no answer, failed) or at a closed planet."""
    if planet is None or not planet.takes_voicemail:
        return None
    sentence = twiml.fill(prompts[Prompt.Key.VOICEMAIL_OFFER], planet=planet.spoken_name)
    return twiml.voicemail_offer(
        before=before,
        offer=sentence,
        action_url=turn.next_url("ivr:voicemail_offered", planet=planet.pk, lang=sentence.language),
    )


def _planet_pk(request) -> int | None:
    return _bounded_int(request.GET.get("planet", ""), upper=2**63 - 1) or None


def _language(request) -> str:
    return request.GET.get("lang", "")[:LANGUAGE_LENGTH]


def _wants_message(turn: Turn) -> bool:
    said = turn.params.get("SpeechResult", "")[:200].casefold()
    return turn.pressed == "1" or any(word in said for word in MESSAGE_WORDS)


def _callback_url(request, name: str, **params) -> str:
    """An absolute URL for Twilio's callbacks, with its query string sorted as Twilio signs it."""
    base = settings.PUBLIC_BASE_URL or f"{request.scheme}://{request.get_host()}"
    query = sorted((key, value) for key, value in params.items() if value)
    return f"{base}{reverse(name)}?{urlencode(query)}"


def _inbox_url(request, recording_sid: str) -> str:
    base = settings.PUBLIC_BASE_URL or f"{request.scheme}://{request.get_host()}"
    inbox = reverse("admin:voicemail_voicemail_changelist")
    return f"{base}{inbox}?{urlencode({'q': recording_sid})}"


@twilio_webhook
def offered(request):
    """After the offer: key 1 or "message" starts the recording; anything else, the planet menu."""
    turn = Turn.of(request)
    pk = _planet_pk(request)
    script = script_get(extra_planet=pk)
    prompts, planet = script.prompts, script.extra_planet
    # A spoken "message" is logged as key 1: the log keeps what the caller chose, not words.
    wants = _wants_message(turn)
    _record_step(
        turn,
        request,
        Step.Kind.VOICEMAIL_OFFER,
        digits="1" if wants else turn.pressed,
        planet_id=pk,
    )
    if wants and planet is not None and planet.takes_voicemail:
        language = _language(request)
        params = {"planet": pk, "lang": language}
        transcribe_url = ""
        if settings.VOICEMAIL_TRANSCRIBE:
            transcribe_url = _callback_url(request, "ivr:voicemail_transcription", **params)
        return twiml.voicemail_record(
            before=prompts[Prompt.Key.VOICEMAIL_RECORD],
            action_url=turn.next_url("ivr:voicemail_recorded", **params),
            recording_status_url=_callback_url(request, "ivr:voicemail_recording", **params),
            transcribe_url=transcribe_url,
            max_seconds=settings.VOICEMAIL_MAX_SECONDS,
            no_message_url=turn.next_url("ivr:planets"),
        )
    return _planet_menu(turn, prompts, script.planets, attempts=turn.attempts)


@twilio_webhook
def recorded(request):
    """After the recording (Twilio's Record action): thank the caller and say goodbye."""
    turn = Turn.of(request)
    prompts = script_get().prompts
    _record_step(turn, request, Step.Kind.VOICEMAIL, planet_id=_planet_pk(request))
    return twiml.say_and_hang_up(sentence=prompts[Prompt.Key.VOICEMAIL_SAVED])


def _recording_fields(request, turn: Turn) -> dict | None:
    """What a callback says about a recording, or None when there is nothing to keep."""
    recording_sid = turn.params.get("RecordingSid", "")
    if not RECORDING_SID.fullmatch(recording_sid) or not turn.call_sid:
        return None
    if turn.params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return None
    return {
        "recording_sid": recording_sid,
        "call_sid": turn.call_sid,
        "planet_id": _planet_pk(request),
        "language": _language(request),
        "inbox_url": _inbox_url(request, recording_sid),
    }


@twilio_webhook
def recording(request):
    """Twilio's recording status callback: a finished message is kept; a replay changes nothing."""
    turn = Turn.of(request)
    fields = _recording_fields(request, turn)
    if fields and turn.params.get("RecordingStatus") == "completed":
        duration = _bounded_int(turn.params.get("RecordingDuration", ""), upper=10**6)
        voicemail.recording_received(duration=duration, **fields)
    return twiml.VoiceResponse()


@twilio_webhook
def transcription(request):
    """Twilio's transcription callback: the message's text, when Twilio made one."""
    turn = Turn.of(request)
    fields = _recording_fields(request, turn)
    if fields and turn.params.get("TranscriptionStatus") == "completed":
        text = turn.params.get("TranscriptionText", "")[:10_000]
        voicemail.transcription_received(text=text, **fields)
    return twiml.VoiceResponse()
