"""Staff upload a recording for a prompt or the directions; it is checked, stored by its
content's hash, served to Twilio with long cache headers, and kept in the history."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from directory import selectors
from directory.models import Directions, Prompt, PromptText
from directory.recordings import recordings_storage
from tests.admin_forms import form_fields
from tests.directory.test_admin import JAPANESE, PROMPT_EDITOR, ErrorList
from tests.directory.test_history import inline_prefix
from tests.factories import make_directions, make_recording, make_staff, mp3, wav

pytestmark = pytest.mark.django_db

DIRECTIONS_EDITOR = ("directory.view_directions", "directory.change_directions")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test's recordings in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def editor(unsigned_client, demo):
    unsigned_client.force_login(make_staff(permissions=PROMPT_EDITOR + DIRECTIONS_EDITOR))
    return unsigned_client


def prompt_text(key: str, code: str = "en-GB") -> PromptText:
    return PromptText.objects.get(prompt__key=key, language__code=code)


def upload(client, key: str, upload: SimpleUploadedFile, code: str = "en-GB", **extra):
    """Post the prompt's change form with a file for its text in one language."""
    row = prompt_text(key, code)
    url = reverse("admin:directory_prompt_change", args=[row.prompt_id])
    html = client.get(url).content.decode()
    data = form_fields(html) | {
        f"{inline_prefix(html, 'texts', row)}-recording": upload,
        "_save": "Save",
    }
    return client.post(url, data, **extra)


def wav_upload(seconds: float = 1.0, name: str = "greeting.wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, wav(seconds), content_type="audio/wav")


def test_a_wav_uploaded_in_the_admin_is_stored_under_its_contents_hash(editor):
    response = upload(editor, Prompt.Key.DIAL_COMPLETED, wav_upload())
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    name = prompt_text(Prompt.Key.DIAL_COMPLETED).recording.name
    assert name.startswith("recordings/")
    assert name.endswith(".wav")
    assert len(name.removeprefix("recordings/").removesuffix(".wav")) == 64
    with recordings_storage().open(name) as stored:
        assert stored.read() == wav()


def test_an_mp3_is_stored_and_served_as_one(editor):
    upload(editor, Prompt.Key.DIAL_COMPLETED, SimpleUploadedFile("hello.mp3", mp3(), "audio/mpeg"))
    name = prompt_text(Prompt.Key.DIAL_COMPLETED).recording.name
    assert name.endswith(".mp3")
    response = editor.get(f"/{name}")
    assert response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == mp3()


def test_the_content_not_the_name_decides_the_kind(editor):
    upload(editor, Prompt.Key.DIAL_COMPLETED, wav_upload(name="greeting.mp3"))
    assert prompt_text(Prompt.Key.DIAL_COMPLETED).recording.name.endswith(".wav")


def test_a_new_recording_is_a_new_name_and_the_same_one_the_same(editor):
    upload(editor, Prompt.Key.DIAL_COMPLETED, wav_upload(1))
    first = prompt_text(Prompt.Key.DIAL_COMPLETED).recording.name
    upload(editor, Prompt.Key.VOICEMAIL_SAVED, wav_upload(1, name="other.wav"))
    assert prompt_text(Prompt.Key.VOICEMAIL_SAVED).recording.name == first
    upload(editor, Prompt.Key.DIAL_COMPLETED, wav_upload(2))
    assert prompt_text(Prompt.Key.DIAL_COMPLETED).recording.name != first


@pytest.mark.parametrize(
    ("limits", "file", "expected"),
    [
        pytest.param(
            {},
            SimpleUploadedFile("greeting.mp3", b"Thanks for calling.\n" * 50, "audio/mpeg"),
            "This is not an MP3 or WAV recording. Upload an .mp3 or .wav file.",
            id="text-named-mp3",
        ),
        pytest.param(
            {"RECORDING_MAX_SECONDS": 2},
            wav_upload(3),
            "The recording lasts 3 seconds; the most is 2.",
            id="too-long",
        ),
        pytest.param(
            {"RECORDING_MAX_MEGABYTES": 0.01},
            wav_upload(2),
            "The file is larger than 0.01 MB. Upload a shorter or more compressed one.",
            id="too-large",
        ),
    ],
)
def test_an_upload_twilio_cannot_play_or_beyond_the_limits_is_refused(
    editor, settings, limits, file, expected
):
    for name, value in limits.items():
        setattr(settings, name, value)
    response = upload(editor, Prompt.Key.DIAL_COMPLETED, file)
    assert ErrorList(response.content.decode()).errors == [expected]
    assert not prompt_text(Prompt.Key.DIAL_COMPLETED).recording


def test_a_prompt_with_a_placeholder_takes_no_recording(editor):
    response = upload(editor, Prompt.Key.PLANET_OPTION, wav_upload())
    (error,) = ErrorList(response.content.decode()).errors
    assert error.startswith("A text with a placeholder such as {planet} cannot have a recording")
    assert not prompt_text(Prompt.Key.PLANET_OPTION).recording


def test_a_refused_upload_is_explained_in_japanese(editor):
    fake = SimpleUploadedFile("greeting.wav", b"not audio", "audio/wav")
    response = upload(editor, Prompt.Key.DIAL_COMPLETED, fake, **JAPANESE)
    assert ErrorList(response.content.decode()).errors == [
        "MP3 または WAV の録音ではありません。.mp3 か .wav のファイルをアップロードしてください。"
    ]


def test_directions_take_a_recording_in_the_admin(editor):
    directions = Directions.objects.get(language__code="en-GB", in_use=True)
    url = reverse("admin:directory_directions_change", args=[directions.pk])
    data = form_fields(editor.get(url).content.decode())
    response = editor.post(url, data | {"recording": wav_upload(), "_save": "Save"})
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    directions.refresh_from_db()
    assert directions.recording.name.endswith(".wav")
    # The form links the current recording where Twilio fetches it.
    assert f'href="/{directions.recording.name}"' in editor.get(url).content.decode()


def test_saving_a_row_again_does_not_check_its_stored_recording_again(editor, media):
    row = make_recording(prompt_text(Prompt.Key.DIAL_COMPLETED))
    recordings_storage().delete(row.recording.name)
    row.text = "Welcome back."
    row.full_clean()
    row.save()


# Served to Twilio


def test_a_recording_is_served_with_its_type_and_cached_for_ever(unsigned_client, demo):
    row = make_recording(prompt_text(Prompt.Key.DIAL_COMPLETED))
    name = row.recording.name.removeprefix("recordings/")
    response = unsigned_client.get(reverse("recording", args=[name]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "audio/wav"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert not response.has_header("Vary")
    assert b"".join(response.streaming_content) == wav()


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("0" * 64 + ".wav", id="no-such-recording"),
        pytest.param("greeting.wav", id="not-a-hash"),
        pytest.param("0" * 64 + ".txt", id="not-audio"),
        pytest.param("..%2Fdb.sqlite3", id="traversal"),
    ],
)
def test_nothing_but_a_stored_recording_is_served(unsigned_client, db, name):
    response = unsigned_client.get(f"/recordings/{name}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_recording_whose_file_is_gone_is_not_found(unsigned_client, demo):
    row = make_recording(prompt_text(Prompt.Key.DIAL_COMPLETED))
    recordings_storage().delete(row.recording.name)
    name = row.recording.name.removeprefix("recordings/")
    assert unsigned_client.get(reverse("recording", args=[name])).status_code == 404


# History


def test_the_history_keeps_each_recordings_name_and_what_callers_heard_then(demo):
    row = make_recording(prompt_text(Prompt.Key.DIAL_COMPLETED))
    recorded, heard_at = row.recording.name, timezone.now()
    row.recording = ""
    row.save()
    names = [record.recording for record in row.history.order_by("history_date")]
    assert names[-2:] == [recorded, ""]
    then = selectors.script_as_of(heard_at)
    assert then.prompt_recordings[Prompt.Key.DIAL_COMPLETED, "en-GB"] == reverse(
        "recording", args=[recorded.removeprefix("recordings/")]
    )
    assert (Prompt.Key.DIAL_COMPLETED, "en-GB") not in selectors.script_read().prompt_recordings


def test_a_directions_version_out_of_use_plays_nothing(demo):
    unused = make_recording(make_directions(name="Spare", text="Walk.", in_use=False))
    assert unused.recording
    assert "en-GB" not in selectors.script_read().directions_recordings


def test_a_recording_removed_is_put_back_by_reverting_in_the_admin(editor):
    upload(editor, Prompt.Key.DIAL_COMPLETED, wav_upload())
    row = prompt_text(Prompt.Key.DIAL_COMPLETED)
    recorded, with_recording = row.recording.name, row.history.first()
    row.recording = ""
    row.save()

    url = reverse(
        "admin:directory_prompttext_simple_history", args=[row.pk, with_recording.history_id]
    )
    response = editor.post(url, form_fields(editor.get(url).content.decode()) | {"_save": "Revert"})

    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    assert prompt_text(Prompt.Key.DIAL_COMPLETED).recording.name == recorded
    assert (Prompt.Key.DIAL_COMPLETED, "en-GB") in selectors.script_read().prompt_recordings
