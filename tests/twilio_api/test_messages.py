"""Texts through the real client, against a fake Twilio over real HTTP."""

import re

import pytest

from tests.fake_twilio import Scripted
from twilio_api.client import TwilioApiError
from twilio_api.messages import (
    CALLER_CANNOT_TAKE_TEXTS,
    CONFIGURATION_WRONG,
    Sent,
    TextRefused,
    text_send,
)

OURS = "+19295566487"
CALLER = "+16513582243"
CALLBACK = "https://ivr.example.com/ivr/text-status"


def sent_forms(fake) -> list[dict[str, str]]:
    return [form for method, path, form in fake.requests if path.endswith("/Messages.json")]


def test_a_text_goes_from_the_number_with_its_body_and_status_callback(fake_twilio):
    fake_twilio.add_number(OURS)

    sent = text_send(
        to=CALLER, body="Brodo is open 9-17.", from_number=OURS, status_callback=CALLBACK
    )

    assert re.fullmatch(r"SM[0-9a-f]{32}", sent.sid)
    assert sent == Sent(sid=sent.sid, status="queued")
    [form] = sent_forms(fake_twilio)
    assert form == {
        "To": CALLER,
        "From": OURS,
        "Body": "Brodo is open 9-17.",
        "StatusCallback": CALLBACK,
    }
    [message] = fake_twilio.messages
    assert (message["sid"], message["to"], message["from"]) == (sent.sid, CALLER, OURS)


def test_a_text_through_a_messaging_service_names_no_from_number(fake_twilio):
    fake_twilio.add_number(OURS)
    service = fake_twilio.add_messaging_service()

    sent = text_send(
        to=CALLER, body="Brodo is open 9-17.", from_number=OURS, messaging_service_sid=service
    )

    assert sent.status == "accepted"  # Twilio picks the service's sender afterwards
    [form] = sent_forms(fake_twilio)
    assert form == {"To": CALLER, "MessagingServiceSid": service, "Body": "Brodo is open 9-17."}
    assert fake_twilio.messages[0]["messaging_service_sid"] == service


def test_a_text_without_a_status_callback_sends_none(fake_twilio):
    fake_twilio.add_number(OURS)

    text_send(to=CALLER, body="Hello", from_number=OURS)

    assert "StatusCallback" not in sent_forms(fake_twilio)[0]
    assert fake_twilio.messages[0]["status_callback"] is None


def test_a_text_without_a_sender_is_a_programming_error_caught_before_any_request(fake_twilio):
    with pytest.raises(ValueError, match="from_number or messaging_service_sid"):
        text_send(to=CALLER, body="Hello")

    assert fake_twilio.requests == []


@pytest.mark.parametrize("code", [21211, 21610, 21612, 21614, 21635])
def test_a_number_that_cannot_take_texts_is_refused_with_twilios_code(fake_twilio, code):
    fake_twilio.add_number(OURS)
    fake_twilio.refuse(to=CALLER, code=code, message=f"Twilio says no ({code})")

    with pytest.raises(TextRefused) as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    refused = raised.value
    assert (refused.code, refused.reason) == (code, f"Twilio says no ({code})")
    assert refused.caller_cannot_take_texts is True
    assert refused.configuration_wrong is False
    assert "This caller's number cannot take texts" in str(refused)
    assert fake_twilio.messages == []


@pytest.mark.parametrize("code", [21408, 21608, 21659, 21660])
def test_a_configuration_twilio_refuses_is_told_apart_from_the_caller(fake_twilio, code):
    fake_twilio.add_number(OURS)
    fake_twilio.refuse(to=CALLER, code=code)

    with pytest.raises(TextRefused) as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert raised.value.code == code
    assert raised.value.configuration_wrong is True
    assert raised.value.caller_cannot_take_texts is False
    assert "No caller gets a text until this is fixed" in str(raised.value)


def test_a_voice_only_from_number_is_refused_naming_the_setting_to_use(fake_twilio):
    fake_twilio.add_number(OURS, sms=False)

    with pytest.raises(TextRefused) as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert raised.value.code == 21606
    assert raised.value.configuration_wrong is True
    message = str(raised.value)
    assert f"Twilio refused the text to {CALLER} (error 21606: The From phone number" in message
    assert "TWILIO_MESSAGING_SERVICE_SID" in message
    assert "https://www.twilio.com/docs/errors/21606" in message


def test_a_messaging_service_the_account_lacks_is_refused_as_configuration(fake_twilio):
    with pytest.raises(TextRefused) as raised:
        text_send(to=CALLER, body="Hello", messaging_service_sid="MG" + "0" * 32)

    assert raised.value.code == 21701
    assert raised.value.configuration_wrong is True


def test_a_refusal_of_another_kind_is_neither_the_callers_nor_the_configurations(fake_twilio):
    fake_twilio.add_number(OURS)
    fake_twilio.refuse(to=CALLER, code=21617, message="The concatenated message body is too long")

    with pytest.raises(TextRefused) as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert raised.value.code == 21617
    assert (raised.value.caller_cannot_take_texts, raised.value.configuration_wrong) == (
        False,
        False,
    )


def test_the_kinds_of_refusal_do_not_overlap():
    assert CALLER_CANNOT_TAKE_TEXTS.isdisjoint(CONFIGURATION_WRONG)


def test_a_full_queue_at_twilio_is_worth_retrying_not_a_refusal(fake_twilio):
    fake_twilio.add_number(OURS)
    fake_twilio.refuse(to=CALLER, code=21611, message="This 'From' number has exceeded ...")

    with pytest.raises(TwilioApiError) as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert not isinstance(raised.value, TextRefused)
    assert raised.value.code == 21611


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_twilio_is_worth_retrying_not_a_refusal(fake_twilio, status):
    fake_twilio.add_number(OURS)
    fake_twilio.script.append(Scripted(status=status))

    with pytest.raises(TwilioApiError, match=f"with {status}") as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert not isinstance(raised.value, TextRefused)
    assert raised.value.status == status


def test_an_unreachable_twilio_is_worth_retrying_not_a_refusal(fake_twilio):
    fake_twilio.stop()

    with pytest.raises(TwilioApiError, match="Could not reach Twilio") as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert not isinstance(raised.value, TextRefused)


def test_a_slow_twilio_is_worth_retrying_not_a_refusal(fake_twilio, settings):
    settings.TWILIO_API_TIMEOUT = 0.2
    fake_twilio.add_number(OURS)
    fake_twilio.script.append(Scripted(delay=2.0))

    with pytest.raises(TwilioApiError, match="TWILIO_API_TIMEOUT") as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert not isinstance(raised.value, TextRefused)


def test_refused_credentials_are_not_a_refusal_of_the_text(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    fake_twilio.add_number(OURS)

    with pytest.raises(TwilioApiError, match="refused the credentials") as raised:
        text_send(to=CALLER, body="Hello", from_number=OURS)

    assert not isinstance(raised.value, TextRefused)
