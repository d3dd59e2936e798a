"""Recordings through the real client, against a fake Twilio over real HTTP."""

import pytest

from tests.fake_twilio import Scripted
from twilio_api.client import NotFound, TwilioApiError
from twilio_api.recordings import recording_audio, recording_delete


def read(audio) -> bytes:
    try:
        return b"".join(audio.chunks)
    finally:
        audio.close()


def test_a_recordings_audio_is_fetched_with_the_accounts_credentials(fake_twilio):
    recording = fake_twilio.add_recording(b"ID3 a message from Dagobah")

    audio = recording_audio(recording)

    assert read(audio) == b"ID3 a message from Dagobah"
    assert audio.content_type == "audio/mpeg"
    (method, path, _) = fake_twilio.requests[-1]
    assert (method, path) == (
        "GET",
        f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{recording}.mp3",
    )


def test_an_api_key_fetches_audio_too(fake_twilio, settings):
    recording = fake_twilio.add_recording(b"ID3 key")
    settings.TWILIO_AUTH_TOKEN = "not-the-account-token"
    settings.TWILIO_API_KEY, settings.TWILIO_API_SECRET = (
        fake_twilio.api_key,
        fake_twilio.api_secret,
    )

    assert read(recording_audio(recording)) == b"ID3 key"


def test_a_recording_twilio_does_not_have_is_not_found(fake_twilio):
    with pytest.raises(NotFound, match="404"):
        recording_audio("RE" + "0" * 32)


def test_a_recording_is_deleted_at_twilio(fake_twilio):
    recording = fake_twilio.add_recording()

    recording_delete(recording)

    assert recording not in fake_twilio.recordings
    assert fake_twilio.requests[-1][:2] == (
        "DELETE",
        f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Recordings/{recording}.json",
    )


def test_deleting_a_recording_twice_is_not_found(fake_twilio):
    recording = fake_twilio.add_recording()
    recording_delete(recording)

    with pytest.raises(NotFound):
        recording_delete(recording)


@pytest.mark.parametrize("call", [recording_audio, recording_delete])
def test_a_twilio_that_answers_too_late_is_named_with_its_timeout(fake_twilio, settings, call):
    settings.TWILIO_API_TIMEOUT = 0.2
    recording = fake_twilio.add_recording()
    fake_twilio.script.append(Scripted(delay=2.0))

    with pytest.raises(TwilioApiError, match="TWILIO_API_TIMEOUT"):
        call(recording)


def test_a_server_error_says_what_twilio_answered(fake_twilio):
    recording = fake_twilio.add_recording()
    fake_twilio.script.append(Scripted(status=503))

    with pytest.raises(TwilioApiError, match="503"):
        recording_delete(recording)
    assert recording in fake_twilio.recordings


def test_only_a_recording_sid_goes_into_the_url(fake_twilio):
    with pytest.raises(TwilioApiError, match="not a recording SID"):
        recording_audio("../IncomingPhoneNumbers")
    assert fake_twilio.requests == []
