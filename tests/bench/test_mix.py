"""The benchmark measures real answers: every request in its mix is accepted and answered."""

from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings

from bench import mix
from calllog.models import Call, Step, Utterance
from directory.models import Planet
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db


def post(client, request: mix.Request):
    return client.post(
        request.path,
        request.body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=request.signature,
    )


@pytest.fixture
def requests(demo):
    return mix.calls(
        base_url="http://localhost",
        token=settings.TWILIO_AUTH_TOKEN,
        prefix="CAbench",
        count=3,
        planet_pk=Planet.objects.get(name="Dagobah").pk,
    )


def test_every_signed_request_in_the_mix_gets_200_and_twiml(unsigned_client, requests):
    kinds = set()
    for request in requests:
        response = post(unsigned_client, request)
        assert response.status_code == HTTPStatus.OK, request.path
        assert ET.fromstring(response.content).tag == "Response"
        kinds.add(request.path.split("?")[0])
    assert kinds == {
        "/ivr/welcome",
        "/ivr/menu",
        "/ivr/planets",
        "/ivr/dialed",
        "/ivr/voicemail/offered",
        "/ivr/voicemail/recorded",
        "/ivr/voicemail/recording",
        "/ivr/status",
    }


def test_each_request_of_a_call_is_one_the_previous_answer_pointed_at(unsigned_client, requests):
    """The full mix follows our own TwiML, so what it measures is what Twilio would ask."""
    pointed_at: dict[str, set[str]] = {}
    for request in requests:
        call_sid = dict(parse_qsl(request.body))["CallSid"]
        if call_sid in pointed_at and not request.path.startswith("/ivr/status"):
            assert request.path in pointed_at[call_sid], (request.path, pointed_at[call_sid])
        root = ET.fromstring(post(unsigned_client, request).content)
        urls = [
            el.get(name) for el in root.iter() for name in ("action", "recordingStatusCallback")
        ]
        urls += [el.text for el in root.iter("Redirect")]
        pointed_at.setdefault(call_sid, set()).update(
            urlsplit(url)._replace(scheme="", netloc="").geturl() for url in urls if url
        )


def test_the_mix_walks_its_calls_to_their_ends_and_is_logged(unsigned_client, requests):
    for request in requests:
        post(unsigned_client, request)
    assert Call.objects.filter(status="completed").count() == 9
    # The third call of each group: in Japanese, by speech, leaving a message.
    assert Call.objects.filter(language="ja-JP").count() == 3
    assert Utterance.objects.filter(language="ja-JP", planet__name="Dagobah").count() == 3
    assert Voicemail.objects.filter(planet__name="Dagobah", language="ja-JP").count() == 3
    assert Step.objects.filter(kind=Step.Kind.DIAL_OUTCOME, dial_status="busy").count() == 3
    assert Step.objects.filter(kind=Step.Kind.MENU_KEY, digits="1").count() == 3


def test_a_mix_signed_for_another_host_is_refused(unsigned_client, demo):
    (request, *_) = mix.calls(
        base_url="http://127.0.0.1:8000",
        token=settings.TWILIO_AUTH_TOKEN,
        prefix="CAx",
        count=1,
        planet_pk=1,
    )
    response = post(unsigned_client, request)
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_shared_mix_gets_200_and_twiml_and_is_logged(unsigned_client, demo):
    """The mix the Node sample is measured on too: welcome, 1, 2, a wrong key, a planet."""
    shared = mix.shared(
        base_url="http://localhost", token=settings.TWILIO_AUTH_TOKEN, prefix="CAs", count=2
    )
    for request in shared:
        response = post(unsigned_client, request)
        assert response.status_code == HTTPStatus.OK, request.path
        assert ET.fromstring(response.content).tag == "Response"
    dialed = Step.objects.filter(kind=Step.Kind.PLANET_KEY, planet__name="Dagobah")
    assert (Call.objects.count(), dialed.count()) == (4, 2)
    assert Step.objects.filter(kind=Step.Kind.PLANET_KEY, digits="9", planet=None).count() == 2
