"""The interpreter carries out TwiML as Twilio's voice engine would, verb by verb."""

import json
import re
from dataclasses import asdict
from urllib.parse import urlsplit

import pytest

from simulator.events import (
    Answer,
    Dialed,
    Ended,
    Failed,
    Gathering,
    NotListening,
    Paused,
    Played,
    Pressed,
    Recording,
    Said,
    Spoke,
    TimedOut,
    Unheard,
    Unreachable,
    Waiting,
)
from simulator.interpreter import DEFAULT_CONFIDENCE, DIAL_OUTCOMES, MAX_REQUESTS, Interpreter, said

ENTRY = "http://ivr.test/ivr/welcome"


class FakeApp:
    """Webhooks that answer fixed TwiML by path, and remember every request they get."""

    def __init__(self, pages):
        self.pages = pages
        self.requests = []

    def __call__(self, method, url, params):
        self.requests.append((method, url, params))
        page = self.pages.get(urlsplit(url).path, Answer(404, b"Not found"))
        if callable(page):
            page = page(method, url, params)
        return page if isinstance(page, Answer) else Answer(200, page.encode())

    @property
    def last(self):
        return self.requests[-1]


def twiml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def walk(pages, *, dial_outcome="completed"):
    app = FakeApp({path: twiml(body) for path, body in pages.items()})
    interpreter = Interpreter(app, dial_outcome=dial_outcome)
    return app, interpreter, interpreter.start(ENTRY)


def of(kind, turn):
    return [event for event in turn.events if isinstance(event, kind)]


# Starting a call


def test_a_call_starts_by_posting_the_entry_url_with_twilios_call_parameters():
    app, _, _ = walk({"/ivr/welcome": "<Hangup/>"})
    ((method, url, params),) = app.requests
    assert (method, url) == ("POST", ENTRY)
    assert re.fullmatch(r"CA[0-9a-f]{32}", params["CallSid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", params["AccountSid"])
    assert params["From"].startswith("+")
    assert params["To"].startswith("+")
    assert params["CallStatus"] == "ringing"
    assert params["Direction"] == "inbound"
    assert params["ApiVersion"] == "2010-04-01"


def test_every_later_request_carries_the_same_call_sid_and_the_call_is_in_progress():
    app, _, _ = walk({"/ivr/welcome": "<Redirect>/ivr/next</Redirect>", "/ivr/next": "<Hangup/>"})
    first, second = (params for _, _, params in app.requests)
    assert second["CallSid"] == first["CallSid"]
    assert second["CallStatus"] == "in-progress"


def test_each_call_gets_its_own_call_sid():
    first, _, _ = walk({"/ivr/welcome": "<Hangup/>"})
    second, _, _ = walk({"/ivr/welcome": "<Hangup/>"})
    assert first.last[2]["CallSid"] != second.last[2]["CallSid"]


def test_the_entry_url_can_be_requested_with_get():
    app = FakeApp({"/ivr/welcome": twiml("<Hangup/>")})
    Interpreter(app).start(ENTRY, method="GET")
    assert app.last[0] == "GET"


# Say, Play, Pause


def test_say_is_heard_with_its_voice_language_and_loop():
    _, _, turn = walk(
        {"/ivr/welcome": '<Say voice="Polly.Amy" language="en-GB" loop="3">Hello.</Say>'}
    )
    assert of(Said, turn) == [Said("Hello.", "Polly.Amy", "en-GB", 3)]


def test_say_without_attributes_is_heard_once_in_the_default_voice():
    _, _, turn = walk({"/ivr/welcome": "<Say>Hi.</Say><Say>Bye.</Say>"})
    assert of(Said, turn) == [Said("Hi.", "", "", 1), Said("Bye.", "", "", 1)]


def test_ssml_inside_say_is_heard_as_its_text():
    _, _, turn = walk({"/ivr/welcome": "<Say>Press <emphasis>one</emphasis>\n  now.<break/></Say>"})
    assert of(Said, turn)[0].text == "Press one now."


def test_play_and_pause_are_reported_in_order():
    _, _, turn = walk(
        {"/ivr/welcome": '<Play loop="2">https://example.com/a.mp3</Play><Pause length="3"/>'}
    )
    assert turn.events[1:3] == (Played("https://example.com/a.mp3", 2), Paused(3))


# Gather


MENU = (
    '<Gather numDigits="1" action="/ivr/menu" timeout="7"><Say>Press 1.</Say></Gather>'
    "<Say>We did not hear you.</Say><Hangup/>"
)


def test_a_gather_says_its_prompts_then_waits_with_its_settings():
    app, _, turn = walk({"/ivr/welcome": MENU})
    assert of(Said, turn) == [Said("Press 1.")]
    assert turn.events[-1] == Gathering(num_digits=1, timeout=7, finish_on_key="#")
    assert turn.waiting is not None
    assert turn.ended is False
    assert len(app.requests) == 1


def test_a_key_completing_num_digits_posts_the_digits_to_the_action():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.press(turn.waiting, "1")
    method, url, params = app.last
    assert (method, url) == ("POST", "http://ivr.test/ivr/menu")
    assert (params["Digits"], params["FinishedOnKey"]) == ("1", "")
    assert of(Pressed, turn) == [Pressed("1")]
    assert turn.ended is True


def test_a_gather_waits_for_more_keys_until_num_digits_are_in():
    pages = {"/ivr/welcome": '<Gather numDigits="3" action="/ivr/pin"/>', "/ivr/pin": "<Hangup/>"}
    app, interpreter, turn = walk(pages)
    turn = interpreter.press(turn.waiting, "4")
    turn = interpreter.press(turn.waiting, "2")
    assert len(app.requests) == 1
    assert turn.waiting.digits == "42"
    interpreter.press(turn.waiting, "7")
    assert app.last[2]["Digits"] == "427"


def test_the_finish_key_submits_the_digits_before_it():
    pages = {"/ivr/welcome": '<Gather action="/ivr/pin"/>', "/ivr/pin": "<Hangup/>"}
    app, interpreter, turn = walk(pages)
    interpreter.press(turn.waiting, "12#")
    assert (app.last[2]["Digits"], app.last[2]["FinishedOnKey"]) == ("12", "#")


def test_the_finish_key_is_the_gathers_own_choice():
    pages = {"/ivr/welcome": '<Gather finishOnKey="*" action="/ivr/pin"/>', "/ivr/pin": "<Hangup/>"}
    app, interpreter, turn = walk(pages)
    interpreter.press(turn.waiting, "1#2*")
    assert (app.last[2]["Digits"], app.last[2]["FinishedOnKey"]) == ("1#2", "*")


def test_an_empty_finish_key_makes_every_key_a_digit_until_the_timeout():
    pages = {"/ivr/welcome": '<Gather finishOnKey="" action="/ivr/pin"/>', "/ivr/pin": "<Hangup/>"}
    app, interpreter, turn = walk(pages)
    turn = interpreter.press(turn.waiting, "1#")
    assert len(app.requests) == 1
    interpreter.stay_silent(turn.waiting)
    assert app.last[2]["Digits"] == "1#"


def test_a_timeout_after_some_keys_submits_them():
    pages = {"/ivr/welcome": '<Gather timeout="9" action="/ivr/pin"/>', "/ivr/pin": "<Hangup/>"}
    app, interpreter, turn = walk(pages)
    turn = interpreter.press(turn.waiting, "55")
    turn = interpreter.stay_silent(turn.waiting)
    assert app.last[2]["Digits"] == "55"
    assert of(TimedOut, turn) == [TimedOut(9)]


def test_no_input_falls_through_to_the_next_verb_without_a_request():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.stay_silent(turn.waiting)
    assert len(app.requests) == 1
    assert of(Said, turn) == [Said("We did not hear you.")]
    assert turn.events[-1] == Ended("the app hung up")


def test_the_finish_key_alone_is_no_input_too():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.press(turn.waiting, "#")
    assert len(app.requests) == 1
    assert of(Said, turn) == [Said("We did not hear you.")]


def test_no_input_with_action_on_empty_result_posts_empty_digits_to_the_action():
    pages = {
        "/ivr/welcome": '<Gather action="/ivr/menu" actionOnEmptyResult="true"/><Say>Never.</Say>',
        "/ivr/menu": "<Hangup/>",
    }
    app, interpreter, turn = walk(pages)
    turn = interpreter.stay_silent(turn.waiting)
    assert app.last[1] == "http://ivr.test/ivr/menu"
    assert app.last[2]["Digits"] == ""
    assert of(Said, turn) == []


def test_action_on_empty_result_false_is_the_same_as_leaving_it_out():
    pages = {
        "/ivr/welcome": '<Gather action="/ivr/menu" actionOnEmptyResult="false"/><Hangup/>',
        "/ivr/menu": "<Hangup/>",
    }
    app, interpreter, turn = walk(pages)
    interpreter.stay_silent(turn.waiting)
    assert len(app.requests) == 1


def test_a_gather_that_is_the_last_verb_ends_the_call_on_no_input():
    _, interpreter, turn = walk({"/ivr/welcome": "<Gather/>"})
    turn = interpreter.stay_silent(turn.waiting)
    assert turn.events[-1] == Ended("the TwiML document ended")
    assert turn.error is None


def test_a_gather_without_action_sends_the_keys_to_its_own_document():
    app, interpreter, turn = walk({"/ivr/welcome": '<Gather numDigits="1"/>'})
    interpreter.press(turn.waiting, "5")
    assert app.last[:2] == ("POST", ENTRY)


def test_a_gather_sends_its_keys_with_its_method():
    pages = {"/ivr/welcome": '<Gather numDigits="1" method="GET" action="next"/>'}
    app, interpreter, turn = walk({**pages, "/ivr/next": "<Hangup/>"})
    interpreter.press(turn.waiting, "5")
    assert app.last[:2] == ("GET", "http://ivr.test/ivr/next")


def test_keys_after_the_input_is_complete_go_unheard():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.press(turn.waiting, "23")
    assert app.last[2]["Digits"] == "2"
    assert of(Unheard, turn) == [Unheard("3")]


def test_answer_presses_the_keys_then_lets_the_gather_time_out():
    pages = {"/ivr/welcome": '<Gather action="/ivr/pin"/>', "/ivr/pin": "<Hangup/>"}
    app, interpreter, turn = walk(pages)
    turn = interpreter.answer(turn.waiting, "123")
    assert app.last[2]["Digits"] == "123"
    assert [type(event) for event in turn.events][:2] == [Pressed, TimedOut]


def test_answer_with_no_keys_is_silence():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.answer(turn.waiting, "")
    assert of(Said, turn) == [Said("We did not hear you.")]


def test_answer_does_not_time_out_a_gather_its_keys_completed():
    pages = {"/ivr/welcome": MENU, "/ivr/menu": MENU.replace("/ivr/menu", "/ivr/end")}
    _, interpreter, turn = walk(pages)
    turn = interpreter.answer(turn.waiting, "2")
    assert of(TimedOut, turn) == []
    assert turn.waiting is not None


@pytest.mark.parametrize("keys", ["", "a", "1 2", "٣", "+"])
def test_only_phone_keys_can_be_pressed(keys):
    _, interpreter, turn = walk({"/ivr/welcome": MENU})
    with pytest.raises(ValueError, match="Keys are"):
        interpreter.press(turn.waiting, keys)


def test_a_waiting_call_survives_a_trip_through_json():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    waiting = Waiting(**json.loads(json.dumps(asdict(turn.waiting))))
    Interpreter(app).press(waiting, "1")
    assert app.last[2]["CallSid"] == app.requests[0][2]["CallSid"]
    assert app.last[2]["Digits"] == "1"


# Redirect


def test_a_redirect_is_followed_with_post_by_default():
    app, _, turn = walk({"/ivr/welcome": "<Redirect>/ivr/b</Redirect>", "/ivr/b": "<Hangup/>"})
    assert app.last[:2] == ("POST", "http://ivr.test/ivr/b")
    assert turn.error is None


def test_a_redirect_is_followed_with_its_method_and_relative_url():
    pages = {"/ivr/welcome": '<Redirect method="GET">b?x=1</Redirect>', "/ivr/b": "<Hangup/>"}
    app, _, _ = walk(pages)
    assert app.last[:2] == ("GET", "http://ivr.test/ivr/b?x=1")


def test_verbs_after_a_redirect_are_not_carried_out():
    pages = {"/ivr/welcome": "<Redirect>/ivr/b</Redirect><Say>No.</Say>", "/ivr/b": "<Hangup/>"}
    _, _, turn = walk(pages)
    assert of(Said, turn) == []


# Dial


@pytest.mark.parametrize("outcome", DIAL_OUTCOMES)
def test_dial_reports_its_number_and_posts_the_outcome_to_its_action(outcome):
    pages = {
        "/ivr/welcome": '<Dial action="/ivr/dialed?planet=3">+17262043675</Dial><Say>No.</Say>',
        "/ivr/dialed": "<Hangup/>",
    }
    app, _, turn = walk(pages, dial_outcome=outcome)
    (dialed,) = of(Dialed, turn)
    assert (dialed.target, dialed.outcome) == ("+17262043675", outcome)
    method, url, params = app.last
    assert (method, url) == ("POST", "http://ivr.test/ivr/dialed?planet=3")
    assert params["DialCallStatus"] == outcome
    assert params["DialCallDuration"] == ("42" if outcome == "completed" else "0")
    assert re.fullmatch(r"CA[0-9a-f]{32}", params["DialCallSid"])
    assert of(Said, turn) == []


def test_dial_reports_nested_numbers():
    _, _, turn = walk({"/ivr/welcome": "<Dial><Number>+1555</Number><Number>+1666</Number></Dial>"})
    assert of(Dialed, turn)[0].target == "+1555, +1666"


def test_dial_without_an_action_goes_on_with_the_next_verb():
    _, _, turn = walk({"/ivr/welcome": "<Dial>+1555</Dial><Say>After.</Say>"})
    assert of(Said, turn) == [Said("After.")]
    assert turn.events[-1] == Ended("the TwiML document ended")


def test_dial_sends_its_outcome_with_its_method():
    pages = {"/ivr/welcome": '<Dial method="GET" action="/ivr/d">+1555</Dial>'}
    app, _, _ = walk({**pages, "/ivr/d": "<Hangup/>"})
    assert app.last[0] == "GET"


def test_an_unknown_dial_outcome_is_refused():
    with pytest.raises(ValueError, match="dial_outcome"):
        Interpreter(FakeApp({}), dial_outcome="maybe")


# The end of a call


def test_hangup_ends_the_call_and_nothing_after_it_is_heard():
    _, _, turn = walk({"/ivr/welcome": "<Say>Bye.</Say><Hangup/><Say>Ghost.</Say>"})
    assert of(Said, turn) == [Said("Bye.")]
    assert turn.events[-1] == Ended("the app hung up")
    assert (turn.ended, turn.error) == (True, None)


def test_the_end_of_the_document_ends_the_call():
    _, _, turn = walk({"/ivr/welcome": "<Say>Bye.</Say>"})
    assert turn.events[-1] == Ended("the TwiML document ended")
    assert (turn.ended, turn.error) == (True, None)


# Answers that end the walk with an error


def failed(turn) -> str:
    assert turn.ended is True
    (event,) = of(Failed, turn)
    assert turn.error == event.message
    return turn.error


def test_an_unknown_verb_ends_the_walk_with_an_error_naming_it():
    _, _, turn = walk({"/ivr/welcome": "<Say>Hi.</Say><Enqueue>q</Enqueue><Say>Never.</Say>"})
    assert "<Enqueue>" in failed(turn)
    assert of(Said, turn) == [Said("Hi.")]


def test_an_unknown_verb_inside_a_gather_is_an_error():
    _, _, turn = walk({"/ivr/welcome": "<Gather><Dial>+1555</Dial></Gather>"})
    assert "<Dial> cannot be nested in <Gather>" in failed(turn)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"Internal Server Error", id="text"),
        pytest.param(b"<html><body>Oops", id="broken-html"),
        pytest.param(b"", id="empty"),
    ],
)
def test_an_answer_that_is_not_xml_ends_the_walk(body):
    app = FakeApp({"/ivr/welcome": Answer(200, body)})
    assert "not XML" in failed(Interpreter(app).start(ENTRY))


def test_an_xml_answer_that_is_not_a_twiml_response_ends_the_walk():
    app = FakeApp({"/ivr/welcome": Answer(200, b"<html><body/></html>")})
    assert "<html>, not a TwiML <Response>" in failed(Interpreter(app).start(ENTRY))


@pytest.mark.parametrize("status", [301, 403, 404, 500, 503])
def test_an_http_error_ends_the_walk_with_its_status(status):
    app = FakeApp({"/ivr/welcome": Answer(status, twiml("<Hangup/>").encode(), "Why not.")})
    message = failed(Interpreter(app).start(ENTRY))
    assert f"POST {ENTRY} answered HTTP {status}" in message
    assert message.endswith("Why not.")


def test_an_error_later_in_the_call_ends_it_there():
    app, interpreter, turn = walk({"/ivr/welcome": MENU})
    turn = interpreter.press(turn.waiting, "1")
    assert "http://ivr.test/ivr/menu answered HTTP 404" in failed(turn)


def test_an_unreachable_app_ends_the_walk():
    def refuse(method, url, params):
        raise Unreachable("Connection refused")

    assert "got no answer: Connection refused" in failed(Interpreter(refuse).start(ENTRY))


@pytest.mark.parametrize(
    "body",
    [
        '<Gather numDigits="one"/>',
        '<Gather numDigits="0"/>',
        '<Gather timeout="-1"/>',
        '<Gather finishOnKey="##"/>',
        '<Gather actionOnEmptyResult="yes"/>',
        '<Redirect method="PUT">/x</Redirect>',
        "<Redirect/>",
        "<Dial/>",
        '<Say loop="many">Hi.</Say>',
    ],
)
def test_attributes_twilio_would_reject_end_the_walk(body):
    _, _, turn = walk({"/ivr/welcome": body})
    assert failed(turn)


def test_more_than_50_requests_in_one_call_end_the_walk():
    app, _, turn = walk({"/ivr/welcome": "<Redirect>/ivr/welcome</Redirect>"})
    assert len(app.requests) == MAX_REQUESTS == 50
    assert "More than 50 requests" in failed(turn)


def test_50_requests_in_one_call_are_fine():
    def hop(method, url, params):
        hops = int(urlsplit(url).query or 1)
        return twiml("<Hangup/>" if hops == 50 else f"<Redirect>?{hops + 1}</Redirect>")

    app = FakeApp({"/ivr/welcome": hop})
    turn = Interpreter(app).start(ENTRY)
    assert len(app.requests) == 50
    assert (turn.ended, turn.error) == (True, None)


def test_the_request_limit_counts_the_whole_call_across_key_presses():
    pages = {"/ivr/welcome": '<Gather numDigits="1" action="/ivr/welcome"/>'}
    app, interpreter, turn = walk(pages)
    for _ in range(MAX_REQUESTS - 1):
        turn = interpreter.press(turn.waiting, "1")
    assert turn.error is None
    turn = interpreter.press(turn.waiting, "1")
    assert len(app.requests) == 50
    assert "More than 50 requests" in failed(turn)


# The transcript


def test_each_event_reads_as_a_line_of_the_transcript():
    pages = {
        "/ivr/welcome": '<Gather numDigits="1" action="/d"><Say voice="alice" loop="2">Hi.</Say>'
        "</Gather>",
        "/d": '<Dial action="/e">+1555</Dial>',
        "/e": "<Hangup/>",
    }
    _, interpreter, turn = walk(pages, dial_outcome="busy")
    turn = interpreter.press(turn.waiting, "2")
    lines = [str(event) for event in turn.events]
    assert lines == [
        "You press 2",
        "-> POST http://ivr.test/d (Digits='2', FinishedOnKey='')",
        "Dials +1555: busy",
        (
            "-> POST http://ivr.test/e (DialCallStatus='busy', DialCallDuration='0', "
            f"DialCallSid='{app_sid(turn)}')"
        ),
        "Call ends: the app hung up",
    ]


def app_sid(turn) -> str:
    return turn.events[3].params["DialCallSid"]


# Recording a message


RECORD_PAGES = {
    "/ivr/welcome": '<Say>After the tone.</Say><Record action="/saved" maxLength="30" '
    'finishOnKey="#"/><Redirect>/menu</Redirect>',
    "/saved": "<Hangup/>",
    "/menu": "<Hangup/>",
}


def test_a_record_waits_for_the_caller_and_says_how_to_finish():
    _, _, turn = walk(RECORD_PAGES)
    assert of(Recording, turn) == [Recording(30, "#")]
    assert str(turn.events[-1]) == "(recording a message; press # to finish)"
    assert turn.waiting is not None


def test_the_finishing_key_posts_a_plausible_recording_to_the_action():
    app, interpreter, turn = walk(RECORD_PAGES)
    turn = interpreter.press(turn.waiting, "#")
    method, url, params = app.requests[-1]
    assert (method, urlsplit(url).path) == ("POST", "/saved")
    assert re.fullmatch(r"RE[0-9a-f]{32}", params["RecordingSid"])
    assert params["RecordingUrl"].endswith(f"/Recordings/{params['RecordingSid']}")
    assert params["RecordingUrl"].startswith("https://api.twilio.com/2010-04-01/Accounts/")
    assert 0 < int(params["RecordingDuration"]) <= 30
    assert params["Digits"] == "#"
    assert turn.ended


def test_other_keys_are_part_of_the_message_and_do_not_finish_it():
    app, interpreter, turn = walk(RECORD_PAGES)
    requests = len(app.requests)
    turn = interpreter.press(turn.waiting, "5")
    # Still recording: nothing posted, the Record still waits for its finishing key.
    assert len(app.requests) == requests
    assert not turn.ended
    assert turn.waiting is not None
    turn = interpreter.press(turn.waiting, "#")
    assert urlsplit(app.requests[-1][1]).path == "/saved"


# Speech

LISTENING = (
    '<Gather input="dtmf speech" language="ja-JP" speechTimeout="auto" hints="ダゴバ, 惑星"'
    ' numDigits="1" action="/ivr/menu"><Say>どうぞ。</Say></Gather><Hangup/>'
)


def test_a_gather_that_listens_says_so_with_its_language_and_hints():
    _, _, turn = walk({"/ivr/welcome": LISTENING})
    gathering = turn.events[-1]
    assert gathering == Gathering(1, 5, "#", speech_language="ja-JP", hints=2, keys=True)
    assert str(gathering) == "Waits for 1 key or words in ja-JP, 2 hints (5 s, ended by #)"


def test_words_said_are_sent_as_speech_result_and_confidence():
    app, interpreter, turn = walk({"/ivr/welcome": LISTENING, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.say(turn.waiting, "ダゴバ", confidence=0.42)
    method, url, params = app.last
    assert (method, urlsplit(url).path) == ("POST", "/ivr/menu")
    assert (params["SpeechResult"], params["Confidence"]) == ("ダゴバ", "0.42")
    assert "Digits" not in params
    assert of(Spoke, turn) == [Spoke("ダゴバ", 0.42)]


def test_words_said_without_a_confidence_are_sent_as_fairly_sure():
    app, interpreter, turn = walk({"/ivr/welcome": LISTENING, "/ivr/menu": "<Hangup/>"})
    interpreter.say(turn.waiting, "Dagobah")
    assert app.last[2]["Confidence"] == f"{DEFAULT_CONFIDENCE:.2f}"


def test_words_said_to_a_gather_for_keys_only_go_unheard_and_it_times_out():
    app, interpreter, turn = walk({"/ivr/welcome": MENU, "/ivr/menu": "<Hangup/>"})
    turn = interpreter.say(turn.waiting, "Dagobah")
    assert of(NotListening, turn) == [NotListening("Dagobah")]
    assert of(TimedOut, turn) == [TimedOut(7)]
    assert len(app.requests) == 1  # no action on an empty result: the document goes on
    assert of(Said, turn)[-1] == Said("We did not hear you.")


def test_keys_pressed_at_a_gather_for_speech_only_go_unheard():
    page = '<Gather input="speech" action="/ivr/menu"><Say>Say it.</Say></Gather>'
    app, interpreter, turn = walk({"/ivr/welcome": page})
    turn = interpreter.press(turn.waiting, "3")
    assert of(Unheard, turn) == [Unheard("3")]
    assert turn.waiting is not None
    assert len(app.requests) == 1


def test_a_silent_record_goes_on_with_the_next_verb_as_twilio_does():
    app, interpreter, turn = walk(RECORD_PAGES)
    interpreter.stay_silent(turn.waiting)
    assert urlsplit(app.requests[-1][1]).path == "/menu"


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ('input="voice"', "is not dtmf, speech or both"),
        ('input="speech" speechTimeout="soon"', "is not auto or seconds"),
        ('input="speech" hints="' + ", ".join(["x"] * 501) + '"', "at most 500 hints"),
        ('input="speech" hints="' + "x" * 101 + '"', "at most 500 hints"),
    ],
)
def test_a_gather_twilio_would_refuse_for_speech_ends_the_call(attributes, message):
    _, _, turn = walk({"/ivr/welcome": f"<Gather {attributes}/>"})
    assert turn.ended
    assert message in turn.error


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Dagobah", ("Dagobah", DEFAULT_CONFIDENCE)),
        ("  dagoba   please @0.4 ", ("dagoba please", 0.4)),
        ("ダゴバ@1", ("ダゴバ", 1.0)),
        ("@home", ("@home", DEFAULT_CONFIDENCE)),
    ],
)
def test_typed_words_may_carry_a_confidence_after_an_at_sign(typed, expected):
    assert said(typed) == expected


@pytest.mark.parametrize("typed", ["Dagobah @1.5", "Dagobah @-0.1", "Dagobah @nan", "x @high"])
def test_a_confidence_outside_0_to_1_is_refused(typed):
    with pytest.raises(ValueError, match="from 0 to 1"):
        said(typed)


def test_saying_nothing_is_not_words():
    _, interpreter, turn = walk({"/ivr/welcome": LISTENING})
    with pytest.raises(ValueError, match="Say some words"):
        interpreter.say(turn.waiting, "  ")
