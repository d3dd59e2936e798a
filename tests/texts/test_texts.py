"""Sending a caller a text: the demo's directions by text, through the real twilio client to a
fake Twilio over real HTTP; refusals, retries, one text per call, and Twilio's status callback."""

import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from calllog.models import Call
from tests.conftest import counted, parse_twiml, spoken
from tests.factories import log_entry, make_staff
from tests.fake_twilio import Scripted
from texts import services
from texts.models import SentText

pytestmark = pytest.mark.django_db

OURS = "+18005550100"
CALLER = {"CallSid": "CA-text", "From": "+19295550123", "To": OURS}
TEXT_MENU = "?menu=directions-by-text&step=2"
DIRECTIONS = "To get to your extraction point, get on your bike"


@pytest.fixture
def twilio(fake_twilio, demo):
    fake_twilio.add_number(OURS)
    return fake_twilio


def ask_for_the_text(client, caller=CALLER, query=TEXT_MENU, **params):
    response = client.post(reverse("ivr:menu") + query, {**caller, "Digits": "1", **params})
    return parse_twiml(response)


def test_a_caller_who_asks_gets_the_directions_by_text_from_the_number_they_called(client, twilio):
    sent = counted("etphone_texts_total", outcome="sent")
    root = parse_twiml(client.post(reverse("ivr:menu") + "?step=1", {**CALLER, "Digits": "1"}))
    assert spoken(root.find("Gather")) == ["To get these directions by text message, press 1."]
    root = ask_for_the_text(client)
    assert spoken(root) == [
        "We have sent these directions to your phone.",
        "Thank you for calling the E T Phone Home Service - the adventurous alien's first "
        "choice in intergalactic travel.",
    ]
    assert root[-1].tag == "Hangup"
    (message,) = twilio.messages
    assert (message["to"], message["from"]) == (CALLER["From"], OURS)
    assert message["body"].startswith(f"E T Phone Home - your directions: {DIRECTIONS}")
    assert message["status_callback"] == "http://localhost" + reverse("ivr:text_status")
    text = SentText.objects.get()
    assert (text.call_id, text.menu, text.key, text.language) == (
        "CA-text",
        "directions-by-text",
        "1",
        "en-GB",
    )
    assert (text.status, text.message_sid) == (SentText.Status.QUEUED, message["sid"])
    assert counted("etphone_texts_total", outcome="sent") == sent + 1


def test_the_japanese_line_texts_in_japanese(client, twilio):
    ask_for_the_text(client, query="?lang=ja-JP&menu=directions-by-text&step=3")
    (message,) = twilio.messages
    assert message["body"].startswith("イーティー・フォン・ホーム 道順のご案内: 脱出地点へは")


def test_a_caller_who_asks_twice_in_one_call_gets_one_text(client, twilio):
    ask_for_the_text(client)
    ask_for_the_text(client, query="?menu=directions-by-text&step=4")
    ask_for_the_text(client, SpeechResult="text me", Digits="")
    assert len(twilio.messages) == 1
    assert SentText.objects.count() == 1


def test_a_number_that_cannot_take_texts_is_recorded_as_refused_and_the_call_goes_on(
    client, twilio
):
    twilio.refuse(to=CALLER["From"], code=21614, message="'To' number is not a valid mobile")
    refused = counted("etphone_texts_total", outcome="refused")
    root = ask_for_the_text(client)
    assert counted("etphone_texts_total", outcome="refused") == refused + 1
    assert root[-1].tag == "Hangup"
    text = SentText.objects.get()
    assert (text.status, text.error_code) == (SentText.Status.REFUSED, 21614)
    assert "not a valid mobile" in text.error
    assert twilio.messages == []


def test_a_withheld_number_hears_the_next_step_and_no_text_is_asked_for(client, twilio):
    root = ask_for_the_text(client, caller={**CALLER, "From": "anonymous"})
    assert "We have sent these directions to your phone." not in spoken(root)
    assert root[-1].tag == "Hangup"
    assert SentText.objects.count() == 0


def test_silence_after_the_directions_sends_nothing(client, twilio):
    root = ask_for_the_text(client, Digits="")
    assert spoken(root)[0].startswith("Thank you for calling")
    assert twilio.messages == []


def test_the_caller_never_waits_for_twilio_and_the_text_goes_once_it_is_back(
    client, twilio, settings, tmp_path
):
    settings.CALL_LOG_SPOOL_DIR = str(tmp_path)
    services._spool.cache_clear()
    try:
        spool = services._spool()
        spool._background = False  # this test drains it itself
        twilio.script = [Scripted(status=HTTPStatus.SERVICE_UNAVAILABLE)]
        root = ask_for_the_text(client)
        assert spoken(root)[0] == "We have sent these directions to your phone."
        assert twilio.messages == []  # not sent while answering
        assert spool.drain() is False  # Twilio said 503: kept for later
        assert SentText.objects.get().status == SentText.Status.WAITING
        assert spool.drain() is True
        assert len(twilio.messages) == 1
        assert SentText.objects.get().status == SentText.Status.QUEUED
        assert spool.drain() is True  # nothing left: not sent again
        assert len(twilio.messages) == 1
    finally:
        services._spool.cache_clear()


def test_a_text_twilio_could_not_take_for_an_hour_is_given_up(client, twilio, settings):
    twilio.script = [Scripted(status=HTTPStatus.SERVICE_UNAVAILABLE)]
    ask_for_the_text(client)  # written at once here (no spool): Twilio's 503 is logged
    SentText.objects.update(requested_at=timezone.now() - services.GIVE_UP_AFTER - timedelta(1))
    failed = counted("etphone_texts_total", outcome="failed")
    services.entries_write(
        [
            log_entry(
                "text",
                "CA-text",
                menu="directions-by-text",
                key="1",
                to_number=CALLER["From"],
                from_number=OURS,
                language="en-GB",
                body="x",
                status_callback="",
            )
        ]
    )
    assert SentText.objects.get().status == SentText.Status.FAILED
    assert twilio.messages == []
    assert counted("etphone_texts_total", outcome="failed") == failed + 1


def test_the_messaging_service_sends_when_one_is_set(client, twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = twilio.add_messaging_service()
    ask_for_the_text(client)
    (message,) = twilio.messages
    assert message["messaging_service_sid"] == settings.TWILIO_MESSAGING_SERVICE_SID
    assert SentText.objects.get().status == SentText.Status.QUEUED


def status(client, message_sid, message_status, **params):
    return client.post(
        reverse("ivr:text_status"),
        {"MessageSid": message_sid, "MessageStatus": message_status, **params},
    )


def test_twilios_status_callback_moves_a_text_forward_only(client, twilio):
    ask_for_the_text(client)
    sid = SentText.objects.get().message_sid
    delivered = counted("etphone_texts_total", outcome="delivered")
    assert status(client, sid, "delivered").status_code == HTTPStatus.OK
    assert SentText.objects.get().status == SentText.Status.DELIVERED
    status(client, sid, "sent")  # late, out of order
    status(client, sid, "delivered")  # Twilio retried
    assert SentText.objects.get().status == SentText.Status.DELIVERED
    assert counted("etphone_texts_total", outcome="delivered") == delivered + 1


def test_an_undelivered_text_keeps_twilios_error_code(client, twilio):
    ask_for_the_text(client)
    sid = SentText.objects.get().message_sid
    status(client, sid, "undelivered", ErrorCode="30006")
    text = SentText.objects.get()
    assert (text.status, text.error_code) == (SentText.Status.UNDELIVERED, 30006)


def test_an_unsigned_or_malformed_status_callback_changes_nothing(client, unsigned_client, twilio):
    ask_for_the_text(client)
    sid = SentText.objects.get().message_sid
    forged = unsigned_client.post(
        reverse("ivr:text_status"), {"MessageSid": sid, "MessageStatus": "failed"}
    )
    assert forged.status_code == HTTPStatus.FORBIDDEN
    assert status(client, "../../etc", "failed").status_code == HTTPStatus.OK
    assert status(client, sid, "exploded").status_code == HTTPStatus.OK
    assert SentText.objects.get().status == SentText.Status.QUEUED


def test_the_call_page_and_the_list_show_texts_with_the_number_masked_unless_allowed(
    client, twilio
):
    ask_for_the_text(client)
    text = SentText.objects.get()
    call = Call.objects.get(call_sid="CA-text")
    client.force_login(make_staff(permissions=("calllog.view_call", "texts.view_senttext")))
    page = client.get(reverse("admin:calllog_call_change", args=[call.pk])).content.decode()
    assert "E T Phone Home - your directions" in page
    assert "•••0123" in page
    assert CALLER["From"] not in page
    listed = client.get(reverse("admin:texts_senttext_changelist")).content.decode()
    assert "•••0123" in listed
    assert CALLER["From"] not in listed
    # The masked number cannot be read back a digit at a time.
    probe = client.get(reverse("admin:texts_senttext_changelist"), {"to_number__startswith": "+1"})
    assert probe.status_code == HTTPStatus.BAD_REQUEST
    client.force_login(
        make_staff(
            username="sees",
            permissions=(
                "calllog.view_call",
                "texts.view_senttext",
                "calllog.view_caller_number",
            ),
        )
    )
    listed = client.get(reverse("admin:texts_senttext_changelist")).content.decode()
    assert CALLER["From"] in listed
    assert (
        text.message_sid
        in client.get(reverse("admin:texts_senttext_change", args=[text.pk])).content.decode()
    )
    client.force_login(make_staff(username="no-texts", permissions=("calllog.view_call",)))
    page = client.get(reverse("admin:calllog_call_change", args=[call.pk])).content.decode()
    assert "E T Phone Home - your directions" not in page


def test_purge_calls_deletes_old_texts_with_their_callers_numbers(client, twilio):
    from django.core.management import call_command

    ask_for_the_text(client)
    ask_for_the_text(client, caller={**CALLER, "CallSid": "CA-new"})
    SentText.objects.filter(call_id="CA-text").update(
        requested_at=timezone.now() - timedelta(days=100)
    )
    out = io.StringIO()
    call_command("purge_calls", "--older-than", "90", stdout=out)
    assert "Deleted 1 text(s) sent to callers." in out.getvalue()
    assert list(SentText.objects.values_list("call_id", flat=True)) == ["CA-new"]


def test_a_text_another_process_has_taken_is_not_sent_again(client, twilio):
    twilio.script = [Scripted(status=HTTPStatus.SERVICE_UNAVAILABLE)]
    ask_for_the_text(client)  # Twilio's 503: waiting again, for the next try
    assert SentText.objects.get().status == SentText.Status.WAITING
    # Another process claims it (and is sending it) while this one tries again.
    SentText.objects.update(status=SentText.Status.SENDING)
    ask_for_the_text(client, query="?menu=directions-by-text&step=4")
    assert twilio.messages == []


def test_a_caller_whose_number_was_refused_is_not_told_of_a_text_again(client, twilio):
    twilio.refuse(to=CALLER["From"], code=21614, message="not a mobile number")
    ask_for_the_text(client)
    root = ask_for_the_text(client, caller={**CALLER, "CallSid": "CA-again"})
    assert "We have sent these directions to your phone." not in spoken(root)
    assert root[-1].tag == "Hangup"
    assert SentText.objects.count() == 1


# "record": where the type of an entry spooled before December 2026 is.
@pytest.mark.parametrize("stamp", ["type", "record"])
def test_a_status_before_its_text_is_stored_is_tried_again_and_a_stale_one_dropped(twilio, stamp):
    entry = log_entry("status", message_sid="SM" + "c3" * 16, status="delivered", error_code=None)
    entry[stamp] = entry.pop("type")
    with pytest.raises(services.TextNotKnownYet):
        services.entries_write([entry])
    stale = entry | {"at": (timezone.now() - services.STATUS_PATIENCE * 2).isoformat()}
    services.entries_write([stale])  # about no text of ours: dropped


def test_a_text_option_without_sentences_of_its_own_says_the_lines_words(client, twilio):
    from directory.models import Action, Language, Option, TextMessage

    option = Option.objects.create(
        menu=Option.objects.get(menu__slug="main", key="1").menu, key="3", action=Action.TEXT
    )
    TextMessage.objects.create(
        option=option, language=Language.objects.get(code="en-GB"), text="Opening times: 9-5."
    )
    root = parse_twiml(client.post(reverse("ivr:menu") + "?step=1", {**CALLER, "Digits": "3"}))
    assert spoken(root) == ["We have sent you a text message."]
    assert root[-1].tag == "Hangup"
    (message,) = twilio.messages
    assert message["body"] == "Opening times: 9-5."
    japanese = parse_twiml(
        client.post(
            reverse("ivr:menu") + "?lang=ja-JP&step=1",
            {**CALLER, "CallSid": "CA-ja", "Digits": "3"},
        )
    )
    assert spoken(japanese) == ["テキストメッセージをお送りしました。"]
