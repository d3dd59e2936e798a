"""The voicemail inbox: only staff allowed to listen hear it; deleting frees Twilio's copy."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from directory.models import Planet
from tests.factories import make_staff
from tests.fake_twilio import Scripted
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db

INBOX = "admin:voicemail_voicemail_changelist"


def make_voicemail(recording_sid, *, days_ago=0, **fields):
    fields.setdefault("call_sid", "CA300")
    fields.setdefault("planet", Planet.objects.get(name="Dagobah"))
    fields.setdefault("language", "en-GB")
    fields.setdefault("duration", 12)
    return Voicemail.objects.create(
        recording_sid=recording_sid,
        received_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


def audio_url(voicemail):
    return reverse("admin:voicemail_voicemail_audio", args=[voicemail.pk])


@pytest.fixture
def listener(client, demo):
    client.force_login(
        make_staff(
            permissions=(
                "voicemail.view_voicemail",
                "voicemail.change_voicemail",
                "voicemail.delete_voicemail",
                "voicemail.listen_voicemail",
            )
        )
    )
    return client


def test_staff_with_the_permission_hear_the_audio_streamed_through_the_app(listener, fake_twilio):
    voicemail = make_voicemail(fake_twilio.add_recording(b"ID3 help from Dagobah"))

    response = listener.get(audio_url(voicemail))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "audio/mpeg"
    assert b"".join(response.streaming_content) == b"ID3 help from Dagobah"
    assert "no-store" in response["Cache-Control"]


def test_the_inbox_shows_a_player_that_points_at_the_app_only(listener, fake_twilio):
    voicemail = make_voicemail(fake_twilio.add_recording())

    page = listener.get(reverse(INBOX)).content.decode()

    assert f'src="{audio_url(voicemail)}"' in page
    assert fake_twilio.base_url not in page
    assert fake_twilio.auth_token not in page
    assert fake_twilio.account_sid not in page


def test_staff_without_the_listen_permission_are_refused_the_audio(client, demo, fake_twilio):
    client.force_login(make_staff(permissions=("voicemail.view_voicemail",)))
    voicemail = make_voicemail(fake_twilio.add_recording())

    assert client.get(audio_url(voicemail)).status_code == HTTPStatus.FORBIDDEN
    assert "<audio" not in client.get(reverse(INBOX)).content.decode()
    assert fake_twilio.requests == []


def test_the_listen_permission_alone_does_not_open_an_inbox_the_login_cannot_see(
    client, demo, fake_twilio
):
    client.force_login(make_staff(permissions=("voicemail.listen_voicemail",)))
    voicemail = make_voicemail(fake_twilio.add_recording())

    assert client.get(audio_url(voicemail)).status_code == HTTPStatus.FORBIDDEN
    assert fake_twilio.requests == []


def test_a_number_too_large_for_an_id_filters_nothing_and_fails_nothing(listener):
    response = listener.get(reverse(INBOX), {"planet": "99999999999999999999999"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login(unsigned_client, demo):
    voicemail = make_voicemail("RE" + "0" * 32)

    response = unsigned_client.get(audio_url(voicemail))

    assert response.status_code == HTTPStatus.FOUND
    assert "/login/" in response["Location"]


def test_a_recording_twilio_no_longer_has_is_not_found(listener, fake_twilio):
    voicemail = make_voicemail("RE" + "0" * 32)

    response = listener.get(audio_url(voicemail))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert fake_twilio.account_sid not in response.content.decode()


def test_a_twilio_that_does_not_answer_is_a_bad_gateway_naming_no_url(
    listener, fake_twilio, settings
):
    settings.TWILIO_API_TIMEOUT = 0.2
    voicemail = make_voicemail(fake_twilio.add_recording())
    fake_twilio.script.append(Scripted(delay=2.0))

    response = listener.get(audio_url(voicemail))

    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert fake_twilio.base_url not in response.content.decode()


def test_the_inbox_filters_by_planet_and_handled(listener):
    make_voicemail("RE" + "1" * 32, handled=True)
    make_voicemail("RE" + "2" * 32, planet=Planet.objects.get(name="Brodo Asogi"))

    handled = listener.get(reverse(INBOX), {"handled__exact": "1"}).context["cl"].result_list
    brodo = Planet.objects.get(name="Brodo Asogi").pk
    to_brodo = listener.get(reverse(INBOX), {"planet__id__exact": brodo}).context["cl"].result_list

    assert [v.recording_sid for v in handled] == ["RE" + "1" * 32]
    assert [v.recording_sid for v in to_brodo] == ["RE" + "2" * 32]


def test_staff_mark_voicemails_handled(listener):
    voicemail = make_voicemail("RE" + "3" * 32)

    listener.post(reverse(INBOX), {"action": "mark_handled", "_selected_action": [voicemail.pk]})

    voicemail.refresh_from_db()
    assert voicemail.handled is True


def test_deleting_a_voicemail_deletes_its_recording_at_twilio(listener, fake_twilio):
    recording = fake_twilio.add_recording()
    voicemail = make_voicemail(recording)

    url = reverse("admin:voicemail_voicemail_delete", args=[voicemail.pk])
    response = listener.post(url, {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert Voicemail.objects.count() == 0
    assert recording not in fake_twilio.recordings


def test_a_voicemail_twilio_refuses_to_delete_is_kept_and_says_why(listener, fake_twilio):
    voicemail = make_voicemail(fake_twilio.add_recording())
    fake_twilio.script.append(Scripted(status=500))

    url = reverse("admin:voicemail_voicemail_delete", args=[voicemail.pk])
    response = listener.post(url, {"post": "yes"}, follow=True)

    assert Voicemail.objects.filter(pk=voicemail.pk).exists()
    assert "Twilio could not delete its recording" in response.content.decode()
    assert "500" in Voicemail.objects.get().deletion_error


def test_deleting_selected_voicemails_keeps_those_twilio_would_not_delete(listener, fake_twilio):
    gone = make_voicemail(fake_twilio.add_recording())
    kept = make_voicemail(fake_twilio.add_recording())
    fake_twilio.script.extend([Scripted(status=503), Scripted()])
    selected = {"action": "delete_selected", "_selected_action": [kept.pk, gone.pk]}

    confirm = listener.post(reverse(INBOX), selected)
    response = listener.post(reverse(INBOX), {**selected, "post": "yes"}, follow=True)

    assert confirm.status_code == HTTPStatus.OK  # Django's confirmation page first
    assert list(Voicemail.objects.all()) == [kept]
    page = response.content.decode()
    assert "Deleted 1 voicemail and its recording." in page
    assert "Kept 1 voicemail" in page


def test_a_recording_already_gone_at_twilio_lets_the_voicemail_go(listener, fake_twilio):
    voicemail = make_voicemail("RE" + "4" * 32)

    url = reverse("admin:voicemail_voicemail_delete", args=[voicemail.pk])
    listener.post(url, {"post": "yes"})

    assert Voicemail.objects.count() == 0


def test_purge_calls_deletes_old_voicemails_and_their_recordings(demo, fake_twilio, capsys):
    old = fake_twilio.add_recording()
    new = fake_twilio.add_recording()
    make_voicemail(old, days_ago=100)
    make_voicemail(new, days_ago=1)

    call_command("purge_calls", "--older-than", "90")

    assert list(Voicemail.objects.values_list("recording_sid", flat=True)) == [new]
    assert set(fake_twilio.recordings) == {new}
    assert "Deleted 1 voicemail(s)" in capsys.readouterr().out


def test_purge_calls_keeps_a_voicemail_twilio_cannot_delete_and_fails_loudly(
    demo, fake_twilio, settings
):
    settings.TWILIO_API_TIMEOUT = 0.2
    make_voicemail(fake_twilio.add_recording(), days_ago=100)
    fake_twilio.script.append(Scripted(delay=2.0))

    with pytest.raises(CommandError, match="Kept 1 voicemail"):
        call_command("purge_calls", "--older-than", "90")

    assert "TWILIO_API_TIMEOUT" in Voicemail.objects.get().deletion_error


@pytest.mark.parametrize("object_id", ["abc", "999999", "1.5"])
def test_the_audio_of_a_voicemail_that_is_not_there_is_not_found(listener, object_id):
    url = reverse("admin:voicemail_voicemail_audio", args=[object_id])

    assert listener.get(url).status_code == HTTPStatus.NOT_FOUND
