"""What callers hear stays byte for byte what it was before issue 14's optimisations.

tests/ivr/answers.golden holds the answer (status, Content-Type, body) to every request of one
scripted sequence of signed webhook requests covering every kind of answer the webhooks give,
the benchmark's mix included, as the code answered them before issue 14 made the webhooks
faster. Regenerate it only on purpose, when an answer is meant to change:

    UPDATE_ANSWERS=1 .venv/bin/pytest tests/ivr/test_answers_unchanged.py

and say in the commit which answers changed and why.
"""

import difflib
import os
import re
from datetime import date, time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve

from bench import mix
from directory.models import (
    CalledNumber,
    Closure,
    Directions,
    Language,
    MenuPrompt,
    OpeningHours,
    Planet,
    PlanetName,
    Prompt,
    PromptText,
)
from ivr import urls as ivr_urls
from tests.factories import make_recording

# Sequences restart for this test, so the planets' primary keys in the answers' URLs are the
# same on SQLite and PostgreSQL, whatever ran before.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

GOLDEN = Path(__file__).with_name("answers.golden")
JAPANESE_NUMBER = "+81335550100"
# Every request carries these, as Twilio sends them; the header line leaves them out.
CALLER = {
    "AccountSid": "AC" + "60" * 16,
    "ApiVersion": "2010-04-01",
    "CallStatus": "in-progress",
    "Direction": "inbound",
    "From": "+19295550123",
    "To": "+18005550100",
}


class Transcript:
    """The answers to a sequence of requests, as the golden file writes them."""

    def __init__(self, client, unsigned_client):
        self.client, self.unsigned_client = client, unsigned_client
        self.blocks: list[str] = []
        self.paths: set[str] = set()

    def _keep(self, header: str, path: str, response) -> None:
        self.paths.add(path.split("?")[0])
        content_type = response.get("Content-Type", "-")
        body = response.content.decode("utf-8")
        self.blocks.append(f"### {header}\n{response.status_code} {content_type}\n{body}\n")

    @staticmethod
    def _header(method: str, path: str, call: int, params: dict, note: str) -> str:
        shown = " ".join(f"{name}={value}" for name, value in params.items())
        return " ".join(
            part for part in (method, path, f"CallSid={sid(call)}", shown, note) if part
        )

    def post(self, path: str, call: int, *, note: str = "", **params) -> None:
        response = self.client.post(path, {**CALLER, "CallSid": sid(call), **params})
        self._keep(self._header("POST", path, call, params, note), path, response)

    def get(self, path: str, call: int, **params) -> None:
        response = self.client.get(path, {**CALLER, "CallSid": sid(call), **params})
        self._keep(self._header("GET", path, call, params, ""), path, response)

    def unsigned(self, path: str, call: int, **params) -> None:
        response = self.unsigned_client.post(path, {**CALLER, "CallSid": sid(call), **params})
        self._keep(self._header("POST", path, call, params, "(unsigned)"), path, response)

    def bench(self, request: mix.Request) -> None:
        response = self.unsigned_client.post(
            request.path,
            request.body,
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=request.signature,
        )
        self._keep(f"POST {request.path} {request.body} (bench mix)", request.path, response)

    def text(self) -> str:
        return "\n".join(self.blocks)


def sid(call: int) -> str:
    return f"CAgolden{call:03d}"


def pk(name: str) -> int:
    return Planet.objects.get(name=name).pk


@pytest.fixture
def pinned(settings, tmp_path):
    """The settings an answer depends on, at their defaults whatever the environment says."""
    settings.PUBLIC_BASE_URL = ""
    settings.OPERATOR_NUMBER = ""
    settings.IVR_APOLOGY = "We are sorry, something went wrong on our side."
    settings.IVR_VOICE = "alice"
    settings.IVR_LANGUAGE = "en-GB"
    settings.IVR_MAX_ATTEMPTS = 3
    settings.IVR_PLANET_DIRECTORY_READS = 9
    settings.SPEECH_CONFIDENCE = 0.7
    settings.VOICEMAIL_MAX_SECONDS = 120
    settings.VOICEMAIL_TRANSCRIBE = False
    settings.MEDIA_ROOT = tmp_path
    return settings


def main_menu(t: Transcript) -> None:
    """Welcome and the main menu: keys, no input, a language's key, words, out of attempts."""
    t.post("/ivr/welcome", 1)
    t.post("/ivr/welcome?attempts=1&step=2", 1)
    t.post("/ivr/welcome?attempts=1&step=2", 1, note="(Twilio's retry)")
    t.post("/ivr/welcome?lang=ja-JP&step=1", 2)
    t.post("/ivr/welcome", 3, To=JAPANESE_NUMBER)
    t.get("/ivr/welcome", 4)
    for digits in ("1", "2", "5", "", "12345"):
        t.post("/ivr/menu?step=1", 1, Digits=digits)
    t.post("/ivr/menu?attempts=2&step=5", 1, Digits="7")
    t.post("/ivr/menu?step=1", 2, Digits="9")
    for digits in ("8", "1", "2", ""):
        t.post("/ivr/menu?lang=ja-JP&step=2", 2, Digits=digits)
    t.post("/ivr/menu?step=1", 3, To=JAPANESE_NUMBER, Digits="2")
    for words in ("directions", "planets", "Japanese", "日本語", "Dagobah"):
        t.post("/ivr/menu?step=1", 5, SpeechResult=words, Confidence="0.92")
    t.post("/ivr/menu?step=1", 5, SpeechResult="Dagobah", Confidence="0.3")
    t.post("/ivr/menu?step=1", 5, SpeechResult="banana bread", Confidence="0.9")
    t.post("/ivr/menu?attempts=2&step=3", 5, SpeechResult="banana bread", Confidence="0.9")
    t.post("/ivr/menu?lang=ja-JP&step=2", 6, SpeechResult="ダゴバにつないでください")
    t.post("/ivr/menu?lang=ja-JP&step=2", 6, SpeechResult="バナナ", Confidence="0.8")


def planet_directory(t: Transcript) -> None:
    """The planet directory: extensions, a miss, star, no input, words, out of attempts."""
    for digits in ("2", "3", "4", "9", "*", "", "#"):
        t.post("/ivr/planets?step=2", 7, Digits=digits)
    t.post("/ivr/planets?attempts=1&step=3", 7, Digits="99")
    t.post("/ivr/planets?attempts=2&step=4", 7, Digits="9")
    for words, confidence in (
        ("dagoba please", "0.92"),
        ("three", "0.92"),
        ("Dagobah", "0.3"),
        ("go back", "0.92"),
        ("banana bread", "0.9"),
    ):
        t.post("/ivr/planets?step=2", 8, SpeechResult=words, Confidence=confidence)
    t.post("/ivr/planets?attempts=2&step=4", 8, SpeechResult="banana bread", Confidence="0.9")
    t.post("/ivr/planets?lang=ja-JP&step=3", 9, SpeechResult="ダゴバ", Confidence="0.92")
    t.post("/ivr/planets?lang=ja-JP&step=3", 9, SpeechResult="惑星ダゴバをお願いします")
    t.post("/ivr/planets?lang=ja-JP&step=3", 9, SpeechResult="ダゴバ", Confidence="0.3")
    t.post("/ivr/planets?lang=ja-JP&step=3", 9, SpeechResult="バナナ", Confidence="0.9")
    t.post("/ivr/planets?lang=ja-JP&step=3", 9, Digits="9")


def confirmation(t: Transcript) -> None:
    """After a doubtful name: yes, no, a miss, out of attempts, a planet that is gone."""
    dagobah = pk("Dagobah")
    t.post(f"/ivr/confirm?planet={dagobah}&step=3", 10, Digits="1")
    t.post(f"/ivr/confirm?planet={dagobah}&step=3", 10, SpeechResult="yes please")
    t.post(f"/ivr/confirm?planet={dagobah}&step=3", 10, Digits="2")
    t.post(f"/ivr/confirm?planet={dagobah}&step=3", 10, SpeechResult="no")
    t.post(f"/ivr/confirm?planet={dagobah}&step=3", 10, SpeechResult="purple")
    t.post(f"/ivr/confirm?planet={dagobah}&step=3", 10, Digits="")
    t.post(f"/ivr/confirm?attempts=2&planet={dagobah}&step=5", 10, Digits="7")
    t.post(f"/ivr/confirm?lang=ja-JP&planet={dagobah}&step=3", 11, SpeechResult="はい")
    t.post(f"/ivr/confirm?lang=ja-JP&planet={dagobah}&step=3", 11, SpeechResult="いいえ")
    t.post(f"/ivr/confirm?lang=ja-JP&planet={dagobah}&step=3", 11, Digits="5")
    t.post("/ivr/confirm?planet=999&step=3", 10, Digits="1")


def dial_outcomes(t: Transcript) -> None:
    """After the Dial: completed, busy, no answer, failed; with and without voicemail."""
    dagobah, oober = pk("Dagobah"), pk("Oober asteroid")
    for status in ("completed", "busy", "no-answer", "failed"):
        duration = "41" if status == "completed" else "0"
        url = f"/ivr/dialed?planet={dagobah}&step=4"
        t.post(url, 12, DialCallStatus=status, DialCallDuration=duration)
    t.post(f"/ivr/dialed?planet={oober}&step=4", 12, DialCallStatus="busy")
    t.post(f"/ivr/dialed?planet={oober}&step=4", 12, DialCallStatus="completed")
    t.post(f"/ivr/dialed?lang=ja-JP&planet={dagobah}&step=4", 13, DialCallStatus="no-answer")
    t.post(f"/ivr/dialed?lang=ja-JP&planet={oober}&step=4", 13, DialCallStatus="failed")
    t.post("/ivr/dialed?planet=999&step=4", 12, DialCallStatus="busy")
    t.post("/ivr/dialed?step=4", 12, DialCallStatus="busy")


def voicemail(t: Transcript, settings) -> None:
    """The offer of a message, the recording, and Twilio's callbacks about it."""
    dagobah, oober = pk("Dagobah"), pk("Oober asteroid")
    offered = f"/ivr/voicemail/offered?planet={dagobah}&step=5"
    t.post(offered, 14, Digits="1")
    t.post(offered, 14, SpeechResult="I'd like to leave a message", Confidence="0.9")
    t.post(offered, 14, Digits="2")
    t.post(offered, 14, Digits="")
    t.post(offered, 14, SpeechResult="banana bread", Confidence="0.9")
    t.post(f"/ivr/voicemail/offered?planet={oober}&step=5", 14, Digits="1")
    t.post(f"/ivr/voicemail/offered?lang=ja-JP&planet={dagobah}&step=5", 15, Digits="1")
    settings.VOICEMAIL_TRANSCRIBE = True
    t.post(offered, 14, Digits="1", note="(VOICEMAIL_TRANSCRIBE on)")
    settings.VOICEMAIL_TRANSCRIBE = False
    t.post(f"/ivr/voicemail/recorded?planet={dagobah}&step=6", 14, RecordingDuration="17")
    t.post(f"/ivr/voicemail/recorded?lang=ja-JP&planet={dagobah}&step=6", 15)
    recording = {"RecordingSid": "RE" + "a1" * 16}
    t.post(
        f"/ivr/voicemail/transcription?lang=en-GB&planet={dagobah}",
        14,
        **recording,
        TranscriptionStatus="completed",
        TranscriptionText="Pick me up at the swamp.",
    )
    t.post(
        f"/ivr/voicemail/recording?lang=en-GB&planet={dagobah}",
        14,
        **recording,
        RecordingStatus="completed",
        RecordingDuration="17",
    )
    t.post(
        f"/ivr/voicemail/recording?lang=en-GB&planet={dagobah}",
        14,
        RecordingSid="../../etc",
        RecordingStatus="completed",
    )


def call_ends_and_failures(t: Transcript) -> None:
    """Status callbacks, the fallback URL, a stray URL, an unsigned request."""
    t.post("/ivr/status", 1, CallStatus="completed", CallDuration="63")
    t.post("/ivr/status", 2, CallStatus="no-such-status")
    error = {"ErrorCode": "11200"}
    t.post("/ivr/fallback", 7, **error, ErrorUrl="http://localhost/ivr/menu?step=1", Digits="2")
    t.post("/ivr/fallback", 7, **error, ErrorUrl="http://localhost/ivr/welcome")
    t.post("/ivr/fallback", 7, **error, ErrorUrl="http://localhost/ivr/status")
    t.post("/ivr/fallback", 7, **error, ErrorUrl="https://x.example/other")
    t.post("/ivr/nope", 16)
    t.get("/ivr/menu/", 16)
    t.unsigned("/ivr/welcome", 17)
    t.unsigned("/ivr/status", 17, CallStatus="completed")


def closed_planets(t: Transcript) -> None:
    """Planets open all week but closed for this century, whatever today is: one takes
    messages, the other offers the menu again."""
    for name in ("Brodo Asogi", "Oober asteroid"):
        OpeningHours.objects.bulk_create(
            OpeningHours(planet_id=pk(name), weekday=weekday, opens=time(0), closes=time(0))
            for weekday in range(7)
        )
        Closure.objects.create(
            planet_id=pk(name), first_day=date(2000, 1, 1), last_day=date(2100, 12, 31)
        )
    t.post("/ivr/planets?step=2", 18, Digits="2")
    t.post("/ivr/planets?step=2", 18, Digits="4")
    t.post("/ivr/planets?lang=ja-JP&step=2", 18, Digits="2")
    t.post("/ivr/menu?step=1", 18, SpeechResult="Brodo Asogi", Confidence="0.92")
    t.post(f"/ivr/confirm?planet={pk('Brodo Asogi')}&step=3", 18, Digits="1")
    Closure.objects.all().delete()
    OpeningHours.objects.all().delete()


def recorded_prompts(t: Transcript) -> None:
    """Staff's recordings are played (<Play> at an absolute URL) instead of the text."""
    make_recording(MenuPrompt.objects.get(menu__slug="main", language__code="en-GB"))
    make_recording(Directions.objects.get(language__code="en-GB", in_use=True))
    make_recording(
        PromptText.objects.get(prompt__key=Prompt.Key.NO_INPUT, language__code="ja-JP"),
        seconds=2.0,
    )
    t.post("/ivr/welcome", 19)
    t.post("/ivr/welcome?lang=ja-JP&step=2", 19)
    t.post("/ivr/menu?step=1", 19, Digits="1")
    t.post("/ivr/menu?lang=ja-JP&step=2", 19, Digits="")
    t.post("/ivr/welcome", 20, To=JAPANESE_NUMBER)


def large_directory(t: Transcript) -> None:
    """Twelve more planets with three-digit extensions: a short menu, ended by # or a pause."""
    english = Language.objects.get(code="en-GB")
    planets = Planet.objects.bulk_create(
        Planet(name=f"Kes{index:02d}", key=str(100 + index), phone_number=f"+1415555{index:04d}")
        for index in range(12)
    )
    PlanetName.objects.bulk_create(
        PlanetName(planet=planet, language=english, spoken_name=f"the planet {planet.name}")
        for planet in planets
    )
    t.post("/ivr/menu?step=1", 21, Digits="2")
    t.post("/ivr/planets?step=2", 21, Digits="107")
    t.post("/ivr/planets?step=2", 21, Digits="10")
    t.post("/ivr/planets?step=2", 21, SpeechResult="Kes 11", Confidence="0.95")
    t.post("/ivr/menu?lang=ja-JP&step=1", 21, Digits="2")


def bench_mix(t: Transcript) -> None:
    """The benchmark's own full mix, signed as bench/mix.py signs it."""
    requests = mix.calls(
        base_url="http://localhost",
        token=settings.TWILIO_AUTH_TOKEN,
        prefix="CAgoldenbench",
        count=1,
        planet_pk=pk("Dagobah"),
    )
    for request in requests:
        t.bench(request)


def directions_by_text(t: Transcript) -> None:
    """After the directions (issue 21): a text of them, silence, or words; and Twilio's status
    callback about a text."""
    menu = "/ivr/menu?menu=directions-by-text&step=2"
    t.post(menu, 30, Digits="1")
    t.post(menu, 31, Digits="")
    t.post(menu, 32, SpeechResult="text me", Confidence="0.9")
    t.post(menu, 33, Digits="7")
    t.post("/ivr/menu?lang=ja-JP&menu=directions-by-text&step=3", 34, Digits="1")
    t.post(menu, 35, Digits="1", From="anonymous", note="(a withheld number)")
    status = {"MessageSid": "SM" + "b2" * 16, "MessageStatus": "delivered"}
    t.post("/ivr/texts/status", 30, **status)
    t.post("/ivr/texts/status", 30, MessageSid="../etc", MessageStatus="delivered")


def debugger_reports(t: Transcript) -> None:
    """Twilio's Debugger webhook (issue 22): a report, the same again, one that is not one."""
    report = {
        "Sid": "NO" + "c3" * 16,
        "Level": "ERROR",
        "Timestamp": "2026-12-01T10:00:00Z",
        "PayloadType": "application/json",
        "Payload": '{"error_code": "11200"}',
    }
    t.post("/ivr/debugger", 40, **report)
    t.post("/ivr/debugger", 40, **report, note="(sent again)")
    t.post("/ivr/debugger", 40, **{**report, "Payload": "{not json"})
    t.unsigned("/ivr/debugger", 40, **report)


def answers(client, unsigned_client, settings) -> Transcript:
    t = Transcript(client, unsigned_client)
    CalledNumber.objects.create(number=JAPANESE_NUMBER, language=Language.objects.get(code="ja-JP"))
    # A planet that takes no messages, so both kinds of failed dial are heard.
    Planet.objects.filter(name="Oober asteroid").update(takes_voicemail=False)
    main_menu(t)
    planet_directory(t)
    confirmation(t)
    dial_outcomes(t)
    voicemail(t, settings)
    call_ends_and_failures(t)
    closed_planets(t)
    bench_mix(t)
    recorded_prompts(t)
    large_directory(t)
    directions_by_text(t)
    debugger_reports(t)
    return t


def changed_requests(golden: str, current: str) -> list[str]:
    """The header lines of the requests whose answers differ (or are new or gone)."""

    def blocks(text: str) -> dict[str, str]:
        found = {}
        for number, block in enumerate(re.split(r"^### ", text, flags=re.MULTILINE)[1:]):
            header = block.split("\n", 1)[0]
            found[f"#{number + 1} {header}"] = block
        return found

    before, after = blocks(golden), blocks(current)
    return [header for header in {**before, **after} if before.get(header) != after.get(header)]


def test_every_answer_is_byte_for_byte_what_callers_heard_before(
    client, unsigned_client, demo, pinned
):
    """The golden file is what callers heard before issue 14's optimisations: it changes only
    on purpose (UPDATE_ANSWERS=1), when an answer is meant to change."""
    current = answers(client, unsigned_client, pinned).text()
    if os.environ.get("UPDATE_ANSWERS") == "1":
        GOLDEN.write_bytes(current.encode("utf-8"))
    assert GOLDEN.exists(), f"{GOLDEN} is missing: UPDATE_ANSWERS=1 writes it"
    golden = GOLDEN.read_bytes().decode("utf-8")
    if current != golden:
        changed = "\n".join(changed_requests(golden, current))
        diff = "\n".join(
            difflib.unified_diff(
                golden.splitlines(),
                current.splitlines(),
                fromfile="answers.golden (before)",
                tofile="answers now",
                lineterm="",
            )
        )
        pytest.fail(f"Callers now hear something else in answer to:\n{changed}\n\n{diff}")


def test_the_golden_answers_cover_every_webhook(client, unsigned_client, demo, pinned):
    """Every /ivr/ URL is asked at least once, so a new webhook is noticed here."""
    asked = {resolve(path).url_name for path in answers(client, unsigned_client, pinned).paths}
    assert asked == {pattern.name for pattern in ivr_urls.urlpatterns}
