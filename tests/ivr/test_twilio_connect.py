"""manage.py twilio_connect: a number pointed at this app, and --check, against a fake Twilio."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.fake_twilio import Scripted

# --check reads the Debugger's reports (tests/debugger/test_twilio_connect.py).
pytestmark = pytest.mark.django_db

BASE = "https://ivr.example.com"
OURS = {
    "voice_url": f"{BASE}/ivr/welcome",
    "voice_method": "POST",
    "voice_fallback_url": f"{BASE}/ivr/fallback",
    "voice_fallback_method": "POST",
    "status_callback": f"{BASE}/ivr/status",
    "status_callback_method": "POST",
}


def connect(*args: str) -> str:
    out = StringIO()
    call_command("twilio_connect", *args, stdout=out)
    return out.getvalue()


def voice_of(fake, pn: str) -> dict:
    return {name: fake.numbers[pn][name] for name in OURS}


def test_connect_sets_all_three_urls_in_one_update_and_prints_each_change(fake_twilio):
    pn = fake_twilio.add_number(
        "+19295566487", voice_url="https://demo.twilio.com/welcome/voice/", voice_method="GET"
    )

    out = connect("+19295566487", "--base-url", f"{BASE}/")

    assert voice_of(fake_twilio, pn) == OURS
    assert len(fake_twilio.updates()) == 1
    assert f"voice_url: https://demo.twilio.com/welcome/voice/ -> {BASE}/ivr/welcome" in out
    assert "voice_method: GET -> POST" in out
    assert f"voice_fallback_url: (none) -> {BASE}/ivr/fallback" in out
    assert f"status_callback: (none) -> {BASE}/ivr/status" in out
    assert "voice_fallback_method" not in out  # already POST
    assert f"Connected +19295566487 to {BASE}." in out


def test_a_number_already_connected_is_left_alone(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)

    out = connect("+19295566487", "--base-url", BASE)

    assert fake_twilio.updates() == []
    assert "already points at https://ivr.example.com: nothing changed" in out


def test_the_number_may_be_typed_as_people_write_it(fake_twilio, settings):
    pn = fake_twilio.add_number("+19295566487")
    settings.PUBLIC_BASE_URL = BASE  # the default base URL

    connect("(929) 556-6487")

    assert voice_of(fake_twilio, pn) == OURS


def test_a_voice_application_on_the_number_is_removed_with_the_same_update(fake_twilio):
    pn = fake_twilio.add_number("+19295566487", voice_application_sid="AP" + "1" * 32)

    out = connect("+19295566487", "--base-url", BASE)

    assert fake_twilio.numbers[pn]["voice_application_sid"] is None
    assert len(fake_twilio.updates()) == 1
    assert f"voice_application_sid: AP{'1' * 32} -> (none)" in out


def test_a_number_on_a_sip_trunk_is_refused_and_left_unchanged(fake_twilio):
    pn = fake_twilio.add_number("+19295566487", trunk_sid="TK" + "1" * 32)

    with pytest.raises(CommandError, match="is on the SIP trunk TK1+.*nothing changed"):
        connect("+19295566487", "--base-url", BASE)
    assert fake_twilio.updates() == []
    assert fake_twilio.numbers[pn]["voice_url"] is None


def test_a_number_the_account_does_not_have_is_an_error(fake_twilio):
    fake_twilio.add_number("+19295566487")

    with pytest.raises(CommandError, match=r"The Twilio account has no phone number \+17262043675"):
        connect("+17262043675", "--base-url", BASE)


def test_a_404_on_the_update_is_an_error_and_changes_nothing(fake_twilio):
    pn = fake_twilio.add_number("+19295566487")
    fake_twilio.script[:] = [Scripted(), Scripted(status=404)]  # the lookup, then the update

    with pytest.raises(CommandError, match=rf"Twilio has no .*{pn}.json in this account \(404"):
        connect("+19295566487", "--base-url", BASE)
    assert fake_twilio.numbers[pn]["voice_url"] is None


def test_wrong_credentials_are_an_error_naming_the_settings(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    fake_twilio.add_number("+19295566487")

    with pytest.raises(CommandError, match="401.*TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN"):
        connect("+19295566487", "--base-url", BASE)


def test_missing_credentials_are_an_error_naming_the_setting(fake_twilio, settings):
    settings.TWILIO_ACCOUNT_SID = ""

    with pytest.raises(CommandError, match="Set TWILIO_ACCOUNT_SID"):
        connect("+19295566487", "--base-url", BASE)
    assert fake_twilio.requests == []


def test_a_failed_update_leaves_every_setting_as_it_was(fake_twilio):
    pn = fake_twilio.add_number("+19295566487", voice_url="https://old.example.com/voice")
    before = voice_of(fake_twilio, pn)
    fake_twilio.script[:] = [Scripted(), Scripted(status=500)]

    with pytest.raises(CommandError, match="with 500"):
        connect("+19295566487", "--base-url", BASE)

    assert voice_of(fake_twilio, pn) == before
    [(_, form)] = fake_twilio.updates()  # every setting went in that one request
    assert set(form) == {
        "VoiceUrl",
        "VoiceMethod",
        "VoiceFallbackUrl",
        "VoiceFallbackMethod",
        "StatusCallback",
        "StatusCallbackMethod",
    }


def test_a_timeout_is_an_error_naming_the_setting(fake_twilio, settings):
    settings.TWILIO_API_TIMEOUT = 0.2
    fake_twilio.add_number("+19295566487")
    fake_twilio.script.append(Scripted(delay=10))

    with pytest.raises(CommandError, match=r"did not answer within 0\.2 s \(TWILIO_API_TIMEOUT\)"):
        connect("+19295566487", "--base-url", BASE)
    assert fake_twilio.updates() == []


@pytest.mark.parametrize(
    "base_url", ["http://ivr.example.com", "ivr.example.com", "https://ivr.example.com/?x=1"]
)
def test_a_base_url_twilio_should_not_use_is_refused_before_any_request(fake_twilio, base_url):
    with pytest.raises(CommandError, match="should be https://"):
        connect("+19295566487", "--base-url", base_url)
    assert fake_twilio.requests == []


def test_without_a_base_url_or_public_base_url_the_command_says_what_to_give(fake_twilio):
    with pytest.raises(CommandError, match="--base-url https://ivr.example.com, or set PUBLIC"):
        connect("+19295566487")


def test_check_lists_every_number_and_passes_when_ours_are_connected(fake_twilio):
    fake_twilio.add_number("+19295566487", friendly_name="Brodo line", **OURS)
    fake_twilio.add_number("+16513582243", voice_url="https://other.example.com/voice")

    out = connect("--check", "--base-url", BASE)

    assert "+19295566487 (Brodo line): connected" in out
    assert "+16513582243: not this app (https://other.example.com/voice)" in out
    assert "1 number(s) point at https://ivr.example.com." in out
    assert fake_twilio.updates() == []


def test_check_fails_naming_a_number_that_drifted(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)
    fake_twilio.add_number(
        "+17262043675", **{**OURS, "voice_fallback_url": "https://old.example.com/fallback"}
    )
    out = StringIO()

    with pytest.raises(CommandError, match=r"1 of the account's numbers drifted .*\+17262043675"):
        call_command("twilio_connect", "--check", "--base-url", BASE, stdout=out)

    assert "+17262043675: drifted" in out.getvalue()
    expected = f"voice_fallback_url: https://old.example.com/fallback, not {BASE}/ivr/fallback"
    assert expected in out.getvalue()
    assert fake_twilio.updates() == []


def test_check_fails_when_no_number_points_at_the_app(fake_twilio):
    fake_twilio.add_number("+16513582243", voice_url="https://other.example.com/voice")

    with pytest.raises(CommandError, match="No number of the account points at"):
        connect("--check", "--base-url", BASE)


def test_check_of_one_number_fails_when_it_points_elsewhere(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)
    fake_twilio.add_number("+16513582243", voice_url="https://other.example.com/voice")

    assert "connected" in connect("--check", "+19295566487", "--base-url", BASE)
    with pytest.raises(CommandError, match="drifted"):
        connect("--check", "+16513582243", "--base-url", BASE)


def test_check_with_wrong_credentials_is_an_error(fake_twilio, settings):
    settings.TWILIO_API_KEY, settings.TWILIO_API_SECRET = fake_twilio.api_key, "wrong"

    with pytest.raises(CommandError, match="401.*TWILIO_API_KEY and TWILIO_API_SECRET"):
        connect("--check", "--base-url", BASE)


def test_check_says_a_connected_number_can_send_texts(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)

    out = connect("--check", "--base-url", BASE)

    assert "Texts: +19295566487 can send SMS." in out


def test_check_warns_of_a_number_that_cannot_send_texts_but_passes(fake_twilio):
    fake_twilio.add_number("+19295566487", sms=False, **OURS)

    out = connect("--check", "--base-url", BASE)  # no CommandError: a tree may send no texts

    assert "Texts: +19295566487 cannot send SMS: the 'send a text' option will fail" in out
    assert "set TWILIO_MESSAGING_SERVICE_SID to a messaging service" in out
    assert "1 number(s) point at https://ivr.example.com." in out


def test_check_says_nothing_of_texts_for_another_apps_number(fake_twilio):
    fake_twilio.add_number("+19295566487", **OURS)
    fake_twilio.add_number("+16513582243", sms=False, voice_url="https://other.example.com/v")

    out = connect("--check", "--base-url", BASE)

    assert "+16513582243" in out
    assert "Texts: +16513582243" not in out


def test_check_of_a_drifted_number_still_says_whether_it_can_send_texts(fake_twilio):
    fake_twilio.add_number("+19295566487", sms=False, **{**OURS, "voice_method": "GET"})
    out = StringIO()

    with pytest.raises(CommandError, match="drifted"):
        call_command("twilio_connect", "--check", "--base-url", BASE, stdout=out)

    assert "Texts: +19295566487 cannot send SMS" in out.getvalue()


def test_check_with_a_messaging_service_says_texts_go_through_it(fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "a" * 32
    fake_twilio.add_number("+19295566487", sms=False, **OURS)

    out = connect("--check", "--base-url", BASE)

    assert f"Texts: sent through the messaging service MG{'a' * 32}" in out
    assert "cannot send SMS" not in out
