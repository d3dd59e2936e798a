"""A caller leaves a message; Twilio's callbacks about it keep one voicemail and send one notice."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from directory.models import Planet, PromptText
from tests.conftest import counted, parse_twiml, prompt_text, spoken
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db

CALLER = {"CallSid": "CA200", "From": "+19295550123", "To": "+18005550100"}
RECORDING = "RE" + "a1" * 16


@pytest.fixture
def dagobah(demo):
    planet = Planet.objects.get(name="Dagobah")
    planet.contact_email = "crew@dagobah.example"
    planet.save()
    return planet


def offered(client, planet, *, lang="en-GB", step=5, **params):
    url = f"{reverse('ivr:voicemail_offered')}?lang={lang}&planet={planet.pk}&step={step}"
    return parse_twiml(client.post(url, {**CALLER, **params}))


def recording_callback(client, planet, **params):
    url = f"{reverse('ivr:voicemail_recording')}?lang=en-GB&planet={planet.pk}"
    form = {
        **CALLER,
        "RecordingSid": RECORDING,
        "RecordingStatus": "completed",
        "RecordingDuration": "17",
        **params,
    }
    return client.post(url, form)


@pytest.mark.parametrize(
    "answer",
    [
        {"Digits": "1"},
        {"SpeechResult": "Message."},
        {"SpeechResult": "I'd like to leave a message"},
    ],
)
def test_key_1_or_saying_message_starts_a_recording_after_the_beep(client, dagobah, answer):
    root = offered(client, dagobah, **answer)

    assert spoken(root) == [
        "Please leave your message after the tone. Press the pound key when you are done."
    ]
    record = root.find("Record")
    assert record.get("playBeep") == "true"
    assert record.get("finishOnKey") == "#"
    assert record.get("maxLength") == "120"
    assert record.get("recordingStatusCallbackEvent") == "completed"
    assert record.get("transcribe") is None
    callback = urlsplit(record.get("recordingStatusCallback"))
    assert (callback.scheme, callback.netloc, callback.path) == (
        "http",
        "localhost",
        reverse("ivr:voicemail_recording"),
    )
    assert parse_qs(callback.query) == {"lang": ["en-GB"], "planet": [str(dagobah.pk)]}
    assert urlsplit(record.get("action")).path == reverse("ivr:voicemail_recorded")
    # Nothing recorded: Twilio goes on to the planet directory.
    assert urlsplit(root.find("Redirect").text).path == reverse("ivr:planets")


def test_the_maximum_length_and_transcription_follow_the_settings(client, dagobah, settings):
    settings.VOICEMAIL_MAX_SECONDS, settings.VOICEMAIL_TRANSCRIBE = 30, True

    record = offered(client, dagobah, Digits="1").find("Record")

    assert record.get("maxLength") == "30"
    assert record.get("transcribe") == "true"
    callback = urlsplit(record.get("transcribeCallback"))
    assert callback.path == reverse("ivr:voicemail_transcription")


@pytest.mark.parametrize("answer", [{}, {"Digits": "2"}, {"SpeechResult": "no thanks"}])
def test_anything_else_at_the_offer_is_the_planet_directory(client, dagobah, answer):
    root = offered(client, dagobah, **answer)

    assert root.find("Record") is None
    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:planets")
    assert "To call the planet DuhGo bah, press 3." in spoken(root)


def test_a_planet_with_voicemail_switched_off_meanwhile_takes_no_message(client, dagobah):
    Planet.objects.filter(pk=dagobah.pk).update(takes_voicemail=False)

    assert offered(client, dagobah, Digits="1").find("Record") is None


def test_after_the_recording_the_caller_hears_a_polite_goodbye(client, dagobah):
    root = parse_twiml(client.post(reverse("ivr:voicemail_recorded"), CALLER))

    assert spoken(root) == ["Thank you, your message has been recorded. Goodbye, and safe travels."]
    assert root.find("Hangup") is not None


def test_the_recording_callback_keeps_the_voicemail_with_its_call(client, dagobah):
    recording_callback(client, dagobah)

    voicemail = Voicemail.objects.get()
    assert (voicemail.recording_sid, voicemail.call_sid) == (RECORDING, "CA200")
    assert (voicemail.planet, voicemail.language, voicemail.duration) == (dagobah, "en-GB", 17)
    assert voicemail.handled is False


def test_a_replayed_callback_keeps_one_voicemail_and_sends_one_notice(client, dagobah):
    recorded = counted("etphone_voicemails_recorded_total")
    recording_callback(client, dagobah)
    recording_callback(client, dagobah)

    assert Voicemail.objects.count() == 1
    assert len(mail.outbox) == 1
    assert counted("etphone_voicemails_recorded_total") == recorded + 1


def test_the_notice_links_to_the_inbox_and_carries_no_audio(client, dagobah):
    recording_callback(client, dagobah)

    (notice,) = mail.outbox
    assert notice.to == ["crew@dagobah.example"]
    assert notice.subject == "New voicemail for Dagobah"
    inbox = f"http://localhost{reverse('admin:voicemail_voicemail_changelist')}?q={RECORDING}"
    assert inbox in notice.body
    assert notice.attachments == []
    assert "api.twilio.com" not in notice.body


def test_a_planet_without_a_contact_email_gets_no_notice(client, demo):
    recording_callback(client, Planet.objects.get(name="Dagobah"))

    assert Voicemail.objects.count() == 1
    assert mail.outbox == []


def test_a_recording_not_completed_is_not_kept(client, dagobah):
    recording_callback(client, dagobah, RecordingStatus="absent")

    assert Voicemail.objects.count() == 0


def test_a_callback_without_a_twilio_signature_is_refused(unsigned_client, dagobah):
    response = recording_callback(unsigned_client, dagobah)

    assert response.status_code == 403
    assert Voicemail.objects.count() == 0


def test_a_malformed_recording_sid_is_not_kept(client, dagobah):
    recording_callback(client, dagobah, RecordingSid="../../etc")

    assert Voicemail.objects.count() == 0


def test_a_transcription_before_or_after_the_recording_completes_the_same_voicemail(
    client, dagobah
):
    url = f"{reverse('ivr:voicemail_transcription')}?lang=en-GB&planet={dagobah.pk}"
    form = {
        **CALLER,
        "RecordingSid": RECORDING,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "Pick me up at the swamp.",
    }
    client.post(url, form)
    recording_callback(client, dagobah)
    client.post(url, form)

    voicemail = Voicemail.objects.get()
    assert (voicemail.transcription, voicemail.duration) == ("Pick me up at the swamp.", 17)
    assert len(mail.outbox) == 1


def test_a_voicemail_survives_a_locked_database_through_the_spool(
    client, dagobah, settings, tmp_path, monkeypatch
):
    """With a spool, the callback only appends to a file; the writer puts it in the database."""
    from calllog.spool import Spool
    from voicemail import services

    spool = Spool(tmp_path, services.entries_write, background=False, label="voicemail")
    monkeypatch.setattr(services, "_spool", lambda: spool)
    with connection.execute_wrapper(refuse_every_query):
        assert recording_callback(client, dagobah).status_code == 200
        assert spool.drain() is False
    assert Voicemail.objects.count() == 0

    assert spool.drain() is True
    assert Voicemail.objects.get().recording_sid == RECORDING
    assert len(mail.outbox) == 1


def test_a_transcription_with_nul_bytes_is_kept_cleaned_and_the_messages_after_it_too(
    client, dagobah, tmp_path, monkeypatch
):
    """PostgreSQL refuses a NUL byte: one in a transcription must not hold back the spool."""
    from calllog.spool import Spool
    from voicemail import services

    spool = Spool(tmp_path, services.entries_write, background=False, label="voicemail")
    monkeypatch.setattr(services, "_spool", lambda: spool)
    url = f"{reverse('ivr:voicemail_transcription')}?lang=en-GB&planet={dagobah.pk}"
    form = {**CALLER, "RecordingSid": RECORDING, "TranscriptionStatus": "completed"}
    client.post(url, {**form, "TranscriptionText": "Pick me up\x00 at the swamp.\x00"})
    recording_callback(client, dagobah)
    later = "RE" + "b2" * 16
    recording_callback(client, dagobah, RecordingSid=later, CallSid="CA201")

    assert spool.drain() is True
    assert Voicemail.objects.get(recording_sid=RECORDING).transcription == (
        "Pick me up at the swamp."
    )
    assert Voicemail.objects.get(recording_sid=later).duration == 17
    assert len(mail.outbox) == 2
    assert list(tmp_path.glob("*.rejected")) == []


def test_a_message_spooled_with_one_the_database_refuses_is_kept_and_notified_once(
    client, dagobah, tmp_path, monkeypatch, caplog
):
    """The refused entry is set aside; the group is written again without it, all or none."""
    from calllog.spool import Spool
    from voicemail import services

    spool = Spool(tmp_path, services.entries_write, background=False, label="voicemail")
    monkeypatch.setattr(services, "_spool", lambda: spool)
    recording_callback(client, dagobah)
    # Written straight to the spool, as keep() would never: a negative duration.
    refused = {**json.loads(spool.path.read_text()), "recording_sid": "RE" + "c3" * 16}
    spool.append(refused | {"duration": -1})

    assert spool.drain() is True
    assert list(Voicemail.objects.values_list("recording_sid", flat=True)) == [RECORDING]
    assert len(mail.outbox) == 1
    assert "Set aside a voicemail entry" in caplog.text
    assert len(spool.path.with_name(f"{spool.path.name}.rejected").read_text().splitlines()) == 1


def refuse_every_query(execute, sql, params, many, context):
    from django.db import OperationalError

    raise OperationalError("database is locked")


def test_the_sentences_are_prompts_staff_can_change(client, dagobah):
    PromptText.objects.filter(prompt__key="voicemail_saved", language__code="en-GB").update(
        text="Message received."
    )

    root = parse_twiml(client.post(reverse("ivr:voicemail_recorded"), CALLER))

    assert spoken(root) == ["Message received."]


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "failed"])
def test_a_planet_that_does_not_answer_offers_a_message(client, dagobah, outcome):
    url = f"{reverse('ivr:dialed')}?planet={dagobah.pk}&step=4"
    root = parse_twiml(client.post(url, {**CALLER, "DialCallStatus": outcome}))

    assert spoken(root) == [
        "We could not reach the planet DuhGo bah.",
        "To leave a message for the planet DuhGo bah, press 1 or say 'message'.",
    ]
    gather = root.find("Gather")
    assert (gather.get("input"), gather.get("numDigits")) == ("dtmf speech", "1")
    assert (gather.get("language"), gather.get("actionOnEmptyResult")) == ("en-GB", "true")
    action = urlsplit(gather.get("action"))
    assert action.path == reverse("ivr:voicemail_offered")
    assert parse_qs(action.query)["planet"] == [str(dagobah.pk)]


def test_a_planet_with_voicemail_off_goes_back_to_the_menu_as_before(client, dagobah):
    Planet.objects.filter(pk=dagobah.pk).update(takes_voicemail=False)
    url = f"{reverse('ivr:dialed')}?planet={dagobah.pk}&step=4"

    root = parse_twiml(client.post(url, {**CALLER, "DialCallStatus": "busy"}))

    assert urlsplit(root.find("Gather").get("action")).path == reverse("ivr:planets")


def test_a_whole_message_from_busy_to_the_inbox(client, dagobah):
    """Busy, key 1, the recording, the callback twice: one voicemail, one notice."""
    url = f"{reverse('ivr:dialed')}?planet={dagobah.pk}&step=4"
    root = parse_twiml(client.post(url, {**CALLER, "DialCallStatus": "busy"}))
    root = parse_twiml(client.post(root.find("Gather").get("action"), {**CALLER, "Digits": "1"}))
    record = root.find("Record")
    callback = urlsplit(record.get("recordingStatusCallback"))
    form = {**CALLER, "RecordingSid": RECORDING, "RecordingStatus": "completed"}
    form["RecordingDuration"] = "9"
    for _ in range(2):
        assert client.post(f"{callback.path}?{callback.query}", form).status_code == 200
    root = parse_twiml(client.post(record.get("action"), CALLER))

    assert root.find("Hangup") is not None
    voicemail = Voicemail.objects.get()
    assert (voicemail.planet, voicemail.duration, voicemail.language) == (dagobah, 9, "en-GB")
    assert len(mail.outbox) == 1


def test_the_answer_to_the_offer_and_the_message_are_steps_of_the_call_log(client, dagobah):
    from calllog.models import Call, Step

    Call.objects.create(call_sid="CA200")
    offered(client, dagobah, SpeechResult="message please")
    url = f"{reverse('ivr:voicemail_recorded')}?planet={dagobah.pk}&step=6"
    client.post(url, CALLER)

    steps = Step.objects.order_by("sequence").values_list("sequence", "kind", "digits", "planet")
    assert list(steps) == [
        (5, "voicemail_offer", "1", dagobah.pk),
        (6, "voicemail", "", dagobah.pk),
    ]


def test_the_offer_listens_for_message_in_the_call_language_with_hints(client, dagobah):
    url = f"{reverse('ivr:dialed')}?lang=ja-JP&planet={dagobah.pk}&step=4"
    root = parse_twiml(client.post(url, {**CALLER, "DialCallStatus": "no-answer"}))

    gather = root.find("Gather")
    assert gather.get("language") == "ja-JP"
    assert "メッセージ" in gather.get("hints").split(", ")
    assert parse_qs(urlsplit(gather.get("action")).query)["lang"] == ["ja-JP"]


def test_a_japanese_caller_saying_message_records_in_japanese(client, dagobah):
    root = offered(client, dagobah, lang="ja-JP", SpeechResult="メッセージを残したいです")

    assert spoken(root) == [prompt_text("voicemail_record", "ja-JP")]
    assert root.find("Say").get("language") == "ja-JP"
    callback = urlsplit(root.find("Record").get("recordingStatusCallback"))
    assert parse_qs(callback.query)["lang"] == ["ja-JP"]
    goodbye = parse_twiml(client.post(root.find("Record").get("action"), CALLER))
    assert spoken(goodbye) == [prompt_text("voicemail_saved", "ja-JP")]


def test_english_words_at_a_japanese_offer_are_not_message(client, dagobah):
    root = offered(client, dagobah, lang="ja-JP", SpeechResult="Dagobah")

    assert root.find("Record") is None


def test_the_voicemail_steps_leave_the_call_summary_alone(client, dagobah):
    """Key 1 or 2 at the offer is not a main-menu choice, and a message is not a dial."""
    from calllog.models import Call, Step
    from calllog.writer import steps_summary

    Call.objects.create(call_sid="CA200")
    offered(client, dagobah, Digits="2", step=4)
    offered(client, dagobah, Digits="1", step=5)
    client.post(f"{reverse('ivr:voicemail_recorded')}?planet={dagobah.pk}&step=6", CALLER)

    call = Call.objects.get(call_sid="CA200")
    assert (call.chose_directions, call.chose_planets) == (False, False)
    assert (call.planets_dialed, call.planets_answered) == ("", "")
    assert Step.objects.filter(call__call_sid="CA200").count() == 3
    # Recounting from the steps agrees with what the writes merged.
    summary = steps_summary(list(Step.objects.filter(call__call_sid="CA200")))
    # Nothing chosen or dialed; the message's last step left the caller at no menu.
    assert summary.pop("last_menu_step") == 6
    assert not any(summary.values())
