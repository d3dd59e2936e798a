"""A staff member listens to a voicemail in the admin inbox, in a real browser."""

import io
import math
import struct
import wave
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from directory.models import Planet
from tests.browser import PASSWORD, screenshot
from tests.factories import make_staff
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db(transaction=True)


def a_second_of_tone() -> bytes:
    """A real, decodable recording: one second of a 440 Hz tone, 8 kHz mono WAV."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        frames = (int(8000 * math.sin(2 * math.pi * 440 * n / 8000)) for n in range(8000))
        recording.writeframes(b"".join(struct.pack("<h", frame) for frame in frames))
    return buffer.getvalue()


def test_a_staff_member_listens_to_a_voicemail_in_the_inbox(page, live_server, demo, fake_twilio):
    audio = a_second_of_tone()
    voicemail = Voicemail.objects.create(
        recording_sid=fake_twilio.add_recording(audio),
        call_sid="CA400",
        planet=Planet.objects.get(name="Dagobah"),
        language="en-GB",
        duration=1,
        # A fixed moment: the docs' picture of the inbox stays the same from one run to the next.
        received_at=datetime(2026, 11, 30, 9, 41, tzinfo=UTC),
    )
    staff = make_staff(
        username="inbox-reader",
        permissions=("voicemail.view_voicemail", "voicemail.listen_voicemail"),
    )
    page.goto(live_server.url + reverse("admin:voicemail_voicemail_changelist"))
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    player = page.locator("audio").first
    expect(player).to_be_attached()
    source = player.get_attribute("src") or player.locator("source").first.get_attribute("src")
    assert source == reverse("admin:voicemail_voicemail_audio", args=[voicemail.pk])

    # The browser fetches the audio from the app with the staff member's session, and plays it.
    fetched = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            const body = new Uint8Array(await response.arrayBuffer());
            return [response.status, body.length];
        }""",
        source,
    )
    assert fetched == [200, len(audio)]
    duration = page.evaluate(
        """(audio) => new Promise((resolve, reject) => {
            const done = () => resolve(audio.duration);
            if (audio.readyState >= 1) return done();
            audio.addEventListener("loadedmetadata", done, {once: true});
            const failed = () => reject(String(audio.error && audio.error.code));
            audio.addEventListener("error", failed, {once: true});
            audio.load();
        })""",
        player.element_handle(),
    )
    assert duration == pytest.approx(1.0, abs=0.05)
    screenshot(page, "voicemail-inbox", docs=True, full_page=True)
    # Nothing that would let the browser reach Twilio itself.
    html = page.content()
    assert fake_twilio.base_url not in html
    assert fake_twilio.auth_token not in html
