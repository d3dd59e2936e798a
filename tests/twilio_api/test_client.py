"""The twilio client from settings, against a fake Twilio over real HTTP."""

import pytest

from tests.fake_twilio import Scripted
from twilio_api.client import NotFound, TwilioApiError
from twilio_api.numbers import Voice, number_get, number_update, numbers_list


def test_the_account_sid_with_the_auth_token_signs_in(fake_twilio):
    fake_twilio.add_number("+19295566487")

    assert [number.phone_number for number in numbers_list()] == ["+19295566487"]


def test_an_api_key_and_secret_win_over_the_auth_token(fake_twilio, settings):
    fake_twilio.add_number("+19295566487")
    settings.TWILIO_AUTH_TOKEN = "not-the-account-token"
    settings.TWILIO_API_KEY, settings.TWILIO_API_SECRET = (
        fake_twilio.api_key,
        fake_twilio.api_secret,
    )

    assert [number.phone_number for number in numbers_list()] == ["+19295566487"]


def test_every_number_is_listed_across_pages(fake_twilio):
    fake_twilio.page_size = 2
    phones = [f"+1929556648{digit}" for digit in range(5)]
    for phone in phones:
        fake_twilio.add_number(phone)

    assert [number.phone_number for number in numbers_list()] == phones
    assert len([r for r in fake_twilio.requests if r[0] == "GET"]) == 3


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        ({"TWILIO_ACCOUNT_SID": ""}, "Set TWILIO_ACCOUNT_SID"),
        ({"TWILIO_ACCOUNT_SID": "12345"}, "TWILIO_ACCOUNT_SID '12345' is not an account SID"),
        ({"TWILIO_AUTH_TOKEN": ""}, "Set TWILIO_AUTH_TOKEN"),
        ({"TWILIO_API_KEY": "SK" + "0" * 32}, "not its secret, TWILIO_API_SECRET"),
        ({"TWILIO_API_SECRET": "secret"}, "TWILIO_API_SECRET is set but TWILIO_API_KEY"),
        (
            {"TWILIO_API_KEY": "AC" + "0" * 32, "TWILIO_API_SECRET": "secret"},
            "is not an API key SID",
        ),
    ],
)
def test_missing_or_malformed_credentials_are_named_before_any_request(
    fake_twilio, settings, changed, named
):
    for name, value in changed.items():
        setattr(settings, name, value)

    with pytest.raises(TwilioApiError, match=named):
        numbers_list()
    assert fake_twilio.requests == []


def test_a_wrong_auth_token_is_reported_with_the_settings_to_check(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"

    with pytest.raises(TwilioApiError) as raised:
        numbers_list()

    message = str(raised.value)
    assert "refused the credentials (401: Authenticate)" in message
    assert "TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN" in message


def test_a_wrong_api_secret_is_reported_with_the_api_key_settings(fake_twilio, settings):
    settings.TWILIO_API_KEY, settings.TWILIO_API_SECRET = fake_twilio.api_key, "wrong"

    with pytest.raises(TwilioApiError, match="TWILIO_API_KEY and TWILIO_API_SECRET"):
        numbers_list()


def test_a_number_the_account_lacks_is_not_found(fake_twilio):
    fake_twilio.add_number("+19295566487")

    with pytest.raises(NotFound, match=r"no phone number \+17262043675"):
        number_get("+17262043675")


def test_a_404_from_twilio_is_not_found(fake_twilio):
    pn = fake_twilio.add_number("+19295566487")
    number = number_get("+19295566487")
    del fake_twilio.numbers[pn]  # released in the console meanwhile

    with pytest.raises(NotFound, match=rf"no /2010-04-01/Accounts/\w+/IncomingPhoneNumbers/{pn}"):
        number_update(number, {"voice_url": "https://ivr.example.com/ivr/welcome"})


def test_a_slow_twilio_is_given_up_on_naming_the_timeout_setting(fake_twilio, settings):
    settings.TWILIO_API_TIMEOUT = 0.2
    fake_twilio.script.append(Scripted(delay=10))

    with pytest.raises(
        TwilioApiError, match=r"did not answer within 0\.2 s \(TWILIO_API_TIMEOUT\)"
    ):
        numbers_list()


def test_an_unreachable_twilio_names_the_base_url_setting(fake_twilio, settings):
    fake_twilio.stop()

    with pytest.raises(
        TwilioApiError,
        match=r"Could not reach Twilio at http://127\.0\.0\.1:\d+ \(TWILIO_API_BASE_URL\)",
    ):
        numbers_list()


def test_another_error_carries_twilios_message(fake_twilio):
    fake_twilio.script.append(Scripted(status=500))

    with pytest.raises(TwilioApiError, match="with 500: Scripted by the test"):
        numbers_list()


def test_an_error_keeps_twilios_status_code_and_message(fake_twilio):
    fake_twilio.script.append(Scripted(status=500))

    with pytest.raises(TwilioApiError) as raised:
        numbers_list()

    error = raised.value
    assert (error.status, error.code, error.reason) == (500, 20001, "Scripted by the test")


def test_a_twilio_that_did_not_answer_has_no_status_or_code(fake_twilio):
    fake_twilio.stop()

    with pytest.raises(TwilioApiError) as raised:
        numbers_list()

    assert (raised.value.status, raised.value.code) == (None, None)


def test_whether_a_number_can_send_texts_is_read_from_its_capabilities(fake_twilio):
    fake_twilio.add_number("+19295566487")
    fake_twilio.add_number("+16513582243", sms=False)

    assert [(number.phone_number, number.sms) for number in numbers_list()] == [
        ("+19295566487", True),
        ("+16513582243", False),
    ]


def test_changes_to_ignore_the_case_of_methods():
    now = Voice(voice_url="https://a/", voice_method="post")

    assert now.changes_to(Voice(voice_url="https://b/", voice_method="POST")) == [
        ("voice_url", "https://a/", "https://b/")
    ]
