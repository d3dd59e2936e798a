"""What in a report is a caller's is found wherever Twilio put it: a parameter, a URL's query,
a message's text."""

from debugger.privacy import redacted, without_private

REPORT = {
    "Payload": {
        "more_info": {
            "msg": "No answer from https://ivr.example.com/ivr/menu?From=%2B19295550123&step=2",
            "Msg": "Call from +19295550123 to +18005550100",
        },
        "webhook": {
            "request": {
                "parameters": {"From": "+19295550123", "SpeechResult": "take me home"},
                "url": "https://ivr.example.com/ivr/menu?SpeechResult=home&Digits=2",
            }
        },
        "error_code": 11200,
    }
}


def test_without_the_permissions_numbers_are_masked_and_words_hidden_everywhere():
    shown = redacted(REPORT, numbers=False, words=False)["Payload"]

    assert shown["webhook"]["request"]["parameters"] == {"From": "•••0123", "SpeechResult": "•••"}
    assert shown["more_info"] == {
        "msg": "No answer from https://ivr.example.com/ivr/menu?From=•••0123&step=2",
        "Msg": "Call from •••0123 to •••0100",
    }
    assert shown["webhook"]["request"]["url"].endswith("?SpeechResult=•••&Digits=2")
    assert shown["error_code"] == 11200


def test_with_both_permissions_the_report_is_shown_as_sent():
    assert redacted(REPORT, numbers=True, words=True) == REPORT


def test_numbers_and_words_are_separate_permissions():
    numbers_only = redacted(REPORT, numbers=True, words=False)["Payload"]["webhook"]["request"]
    assert numbers_only["parameters"] == {"From": "+19295550123", "SpeechResult": "•••"}


def test_the_url_kept_in_its_column_has_no_private_parameter():
    url = "https://ivr.example.com/ivr/menu?step=2&From=%2B19295550123&Caller=x&Digits=2"
    assert without_private(url) == "https://ivr.example.com/ivr/menu?step=2&Digits=2"
    assert without_private("https://ivr.example.com/ivr/menu") == "https://ivr.example.com/ivr/menu"
