"""Whatever breaks on our side, the caller hears a polite sentence, never Twilio's error."""

import logging

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from ivr import views
from tests.conftest import parse_twiml, spoken

pytestmark = pytest.mark.django_db

APOLOGY = "We are sorry, something went wrong on our side."
STEPS = ["ivr:welcome", "ivr:menu", "ivr:planets", "ivr:dialed", "ivr:elsewhere"]


def database_is_down(execute, sql, params, many, context):
    raise OperationalError("database is locked")


def url(name):
    return reverse(name, kwargs={"path": "x"}) if name == "ivr:elsewhere" else reverse(name)


@pytest.mark.parametrize("name", STEPS)
def test_a_database_error_is_answered_with_an_apology_and_a_hangup(client, demo, name, caplog):
    with connection.execute_wrapper(database_is_down), caplog.at_level(logging.ERROR):
        root = parse_twiml(client.post(url(name), {"CallSid": "CA42", "Digits": "2"}))
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert spoken(root) == ["We are sorry, something went wrong on our side."]
    (record,) = [r for r in caplog.records if r.name == "ivr"]
    assert "CA42" in record.getMessage()
    assert f"Step {name.split(':')[1]} failed" in record.getMessage()
    assert record.exc_info[0] is OperationalError


def test_with_an_operator_number_the_caller_is_put_through_to_a_person(client, demo, settings):
    settings.OPERATOR_NUMBER = "+14155550100"
    with connection.execute_wrapper(database_is_down):
        root = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"}))
    assert [child.tag for child in root] == ["Say", "Dial"]
    assert root[1].text == "+14155550100"


def test_a_bug_inside_a_selector_is_answered_with_an_apology(client, demo, monkeypatch, caplog):
    def broken_selector(**kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(views, "script_get", broken_selector)
    with caplog.at_level(logging.ERROR):
        root = parse_twiml(client.post(reverse("ivr:planets"), {"Digits": "3", "CallSid": "CA7"}))
    assert root[-1].tag == "Hangup"
    assert "Step planets failed for call CA7" in caplog.text


def test_the_apology_is_a_setting(client, demo, settings):
    settings.IVR_APOLOGY = "Oups & désolé <3"
    with connection.execute_wrapper(database_is_down):
        root = parse_twiml(client.post(reverse("ivr:welcome")))
    assert spoken(root) == ["Oups & désolé <3"]


def test_the_fallback_url_apologises_without_touching_the_database(
    client, demo, caplog, django_assert_num_queries
):
    """When the URL that failed is not one of our call's steps, there is nothing to replay."""
    params = {"CallSid": "CA9", "ErrorCode": "11200", "ErrorUrl": "https://x.example/other"}
    with django_assert_num_queries(0), caplog.at_level(logging.ERROR):
        root = parse_twiml(client.post(reverse("ivr:fallback"), params))
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert "CA9" in caplog.text
    assert "ErrorCode=11200" in caplog.text
    assert "ErrorUrl=https://x.example/other" in caplog.text


@pytest.mark.parametrize(
    ("failed", "params"),
    [
        ("/ivr/welcome", {}),
        ("/ivr/menu?step=1", {"Digits": "2"}),
        ("/ivr/planets?step=2&attempts=1", {"Digits": "3"}),
        ("/ivr/planets?step=2&lang=ja-JP", {"Digits": "9"}),
        ("/ivr/dialed?planet=1&step=3", {"DialCallStatus": "busy"}),
    ],
)
def test_the_fallback_answers_the_step_that_got_no_answer_as_that_step_would(
    client, demo, failed, params
):
    """A worker replaced under a request (a deploy) resets its connection; Twilio then asks the
    Fallback URL with the URL that failed: the caller hears what that step says, not an apology."""
    caller = {"CallSid": "CA10", "From": "+19295550123", "To": "+18005550100", **params}
    expected = client.post(failed, caller).content
    answer = client.post(
        reverse("ivr:fallback"),
        {**caller, "ErrorCode": "11200", "ErrorUrl": f"http://testserver{failed}"},
    )
    assert answer.content == expected
    assert APOLOGY not in spoken(parse_twiml(answer))


def test_a_replayed_step_is_logged_once(client, demo):
    from calllog.models import Step

    caller = {"CallSid": "CA11", "From": "+19295550123", "To": "+18005550100", "Digits": "2"}
    client.post("/ivr/menu?step=1", caller)
    client.post(
        reverse("ivr:fallback"),
        {**caller, "ErrorCode": "11200", "ErrorUrl": "https://example.com/ivr/menu?step=1"},
    )
    assert Step.objects.filter(call_id="CA11").count() == 1


def test_a_replay_that_breaks_is_answered_with_the_apology(client, demo):
    caller = {"CallSid": "CA12", "ErrorCode": "11200", "ErrorUrl": "https://e.example/ivr/menu"}
    with connection.execute_wrapper(database_is_down):
        root = parse_twiml(client.post(reverse("ivr:fallback"), {**caller, "Digits": "2"}))
    assert spoken(root) == [APOLOGY]


@pytest.mark.parametrize("failed", ["/ivr/fallback", "/ivr/status", "/admin/", "not a url"])
def test_the_fallback_never_replays_itself_the_status_callback_or_other_pages(client, demo, failed):
    caller = {"CallSid": "CA13", "ErrorCode": "11200", "ErrorUrl": failed}
    assert spoken(parse_twiml(client.post(reverse("ivr:fallback"), caller))) == [APOLOGY]


def test_the_fallback_url_is_signed_too(unsigned_client, demo):
    assert unsigned_client.post(reverse("ivr:fallback")).status_code == 403


def test_staff_text_with_markup_and_non_ascii_is_spoken_as_typed(client, demo):
    from directory.models import PlanetName

    PlanetName.objects.filter(planet__key="3", language__code="en-GB").update(
        spoken_name="Tatooine & <Hoth> \"moon\" 'é' 👽"
    )
    root = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"}))
    assert "To call Tatooine & <Hoth> \"moon\" 'é' 👽, press 3." in spoken(root)
