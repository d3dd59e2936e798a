"""End to end in headless Chromium: staff sign in and call the phone tree from the browser."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import PASSWORD, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

GREETING = "Thanks for calling the E T Phone Home Service."
GOODBYE = "We did not get a choice from you. Goodbye, and safe travels."


@pytest.fixture
def phone(page, live_server, demo, staff):
    """The simulator page, reached through the admin's sign-in as a staff member would (the
    simulator itself refuses a visitor, without naming the admin's path)."""
    page.goto(live_server.url + reverse("simulator:phone"))
    expect(page.locator("body")).to_have_text("Sign in as staff to use the simulator.")
    page.goto(f"{live_server.url}{reverse('admin:login')}?next={reverse('simulator:phone')}")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + reverse("simulator:phone"))
    return page


def key(page, name):
    return page.get_by_role("group", name="Keypad").get_by_role("button", name=name, exact=True)


def transcript(page):
    return page.get_by_role("log")


def test_pressing_2_then_3_dials_dagobah(phone):
    phone.get_by_label("Busy").check()
    phone.get_by_role("button", name="Call").click()
    expect(transcript(phone)).to_contain_text(GREETING)
    expect(transcript(phone)).to_contain_text("At the menu “Main menu”")

    key(phone, "2").click()
    expect(transcript(phone)).to_contain_text("To call the planet DuhGo bah, press 3.")
    expect(transcript(phone)).to_contain_text("At the menu “Planet directory”")
    key(phone, "3").click()

    dialed = transcript(phone).locator(".dialed")
    expect(dialed).to_contain_text("+17262043675")
    expect(dialed).to_contain_text("Busy")
    # Busy: the app says so and offers a message, and the keypad is live again.
    expect(transcript(phone)).to_contain_text("We could not reach the planet DuhGo bah.")
    expect(transcript(phone)).to_contain_text("To leave a message for the planet DuhGo bah")
    expect(key(phone, "2")).to_be_enabled()
    pressed = transcript(phone).locator(".pressed")
    expect(pressed).to_have_text(["You pressed2", "You pressed3"])

    screenshot(phone, "simulator", docs=True, full_page=True)


def test_the_directions_by_text_show_the_text_the_caller_would_receive(phone):
    phone.get_by_role("button", name="Call").click()
    expect(transcript(phone)).to_contain_text("At the menu “Main menu”")
    key(phone, "1").click()
    expect(transcript(phone)).to_contain_text("At the menu “Directions by text message”")
    key(phone, "1").click()
    text = transcript(phone).locator(".text-message")
    expect(text).to_contain_text("Text message to the caller (the simulator sends none):")
    expect(text).to_contain_text("E T Phone Home - your directions: To get to your extraction")
    expect(transcript(phone)).to_contain_text("We have sent these directions to your phone.")


def test_a_message_is_recorded_after_busy_until_the_caller_presses_pound(phone):
    phone.get_by_label("Busy").check()
    phone.get_by_role("button", name="Call").click()
    for name in ("2", "3", "1"):
        key(phone, name).click()
        expect(transcript(phone).locator(".pressed").last).to_contain_text(name)
    expect(transcript(phone)).to_contain_text("(recording a message; press # to finish)")
    key(phone, "pound").click()
    expect(transcript(phone)).to_contain_text("Thank you, your message has been recorded.")
    expect(transcript(phone)).to_contain_text("Call ended · the app hung up")


def test_saying_a_planets_name_in_the_say_box_dials_it(phone):
    phone.get_by_role("button", name="Call").click()
    expect(transcript(phone)).to_contain_text("or words in en-GB")
    key(phone, "2").click()
    expect(transcript(phone)).to_contain_text("To call the planet DuhGo bah, press 3.")

    phone.get_by_label("Words to say").fill("dagoba please")
    phone.get_by_role("button", name="Say", exact=True).click()

    expect(transcript(phone).locator(".pressed").last).to_contain_text("dagoba please")
    expect(transcript(phone).locator(".dialed")).to_contain_text("+17262043675")


def test_words_said_with_a_low_confidence_are_confirmed_in_the_browser(phone):
    phone.get_by_role("button", name="Call").click()
    expect(transcript(phone)).to_contain_text(GREETING)
    phone.get_by_label("Words to say").fill("Dagobah")
    phone.get_by_label("Confidence").fill("0.3")
    phone.get_by_label("Words to say").press("Enter")
    expect(transcript(phone)).to_contain_text("Did you say the planet DuhGo bah?")
    phone.get_by_label("Words to say").fill("yes")
    phone.get_by_label("Words to say").press("Enter")
    expect(transcript(phone).locator(".dialed")).to_contain_text("+17262043675")


def test_an_answered_dial_ends_the_call_politely(phone):
    phone.get_by_role("button", name="Call").click()
    key(phone, "2").click()
    key(phone, "3").click()
    expect(transcript(phone).locator(".dialed")).to_contain_text("Answered")
    expect(transcript(phone)).to_contain_text("Thank you for calling the E T Phone Home Service.")
    expect(transcript(phone)).to_contain_text("Call ended · the app hung up")
    expect(key(phone, "1")).to_be_disabled()
    expect(phone.get_by_role("button", name="Call")).to_be_enabled()


def test_saying_nothing_three_times_hears_goodbye(phone):
    phone.get_by_role("button", name="Call").click()
    silence = phone.get_by_role("button", name="Say nothing")
    for _ in range(3):
        silence.click()
    expect(transcript(phone)).to_contain_text(GOODBYE)
    expect(transcript(phone)).to_contain_text("Call ended · the app hung up")
    expect(transcript(phone).locator(".timedout")).to_have_count(3)
    expect(silence).to_be_disabled()


def test_keys_can_be_typed_on_the_keyboard_and_the_caller_can_hang_up(phone):
    phone.get_by_role("button", name="Call").click()
    expect(key(phone, "1")).to_be_enabled()
    phone.keyboard.press("2")
    expect(transcript(phone)).to_contain_text("To call the planet DuhGo bah, press 3.")
    phone.get_by_role("button", name="Hang up").click()
    expect(transcript(phone)).to_contain_text("Call ended · you hung up")
    expect(phone.get_by_role("status")).to_have_text("You hung up")
    expect(key(phone, "3")).to_be_disabled()


def test_read_aloud_speaks_each_sentence_in_its_language_only_when_asked(phone):
    phone.evaluate(
        """() => {
            window.spoken = [];
            speechSynthesis.speak = (u) => window.spoken.push([u.text, u.lang]);
        }"""
    )
    phone.get_by_role("button", name="Call").click()
    expect(transcript(phone)).to_contain_text(GREETING)
    assert phone.evaluate("window.spoken") == []
    phone.get_by_role("button", name="Hang up").click()

    phone.get_by_text("Read aloud").click()
    phone.get_by_role("button", name="Call").click()
    # Both calls' greetings, each with the offer of Japanese, read three times.
    expect(transcript(phone).locator(".said")).to_have_count(12)
    (text, language), (offer, offer_language), *_ = phone.evaluate("window.spoken")
    assert text.startswith(GREETING)
    assert language == "en-GB"
    assert (offer, offer_language) == ("日本語をご希望の方は、9を押してください。", "ja-JP")


def test_a_call_can_start_in_japanese_and_is_read_aloud_in_japanese(phone):
    phone.evaluate(
        """() => {
            window.spoken = [];
            speechSynthesis.speak = (u) => window.spoken.push([u.text, u.lang]);
        }"""
    )
    phone.get_by_label("The caller starts in").select_option("ja-JP")
    phone.get_by_text("Read aloud").click()
    phone.get_by_role("button", name="Call").click()
    expect(transcript(phone)).to_contain_text("脱出地点への道順をお聞きになるには")
    key(phone, "2").click()
    expect(transcript(phone)).to_contain_text("惑星ダゴバに電話をかけるには、3を押してください。")
    languages = {language for _, language in phone.evaluate("window.spoken")}
    assert languages == {"ja-JP", "en-GB"}  # the offer of English is read in English


def test_webhook_requests_show_only_when_asked(phone):
    phone.get_by_role("button", name="Call").click()
    request = transcript(phone).locator(".requested")
    expect(request).to_have_text("POST /ivr/welcome")
    expect(request).to_be_hidden()
    phone.get_by_text("Show webhook requests").click()
    expect(request).to_be_visible()


def test_an_app_that_answers_badly_is_shown_as_an_error(phone, settings):
    settings.TWILIO_AUTH_TOKEN = ""  # the webhooks now refuse every request
    phone.get_by_role("button", name="Call").click()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("The app answered badly")
    expect(alert).to_contain_text("TWILIO_AUTH_TOKEN, which is not set")
    expect(phone.get_by_role("status")).to_have_text("Call failed")
    expect(phone.get_by_role("button", name="Call")).to_be_enabled()


def test_the_page_loads_nothing_from_anywhere_else(page, live_server, demo, staff):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.context.add_cookies(
        [{"name": "sessionid", "value": session_for(staff), "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("simulator:phone"))
    page.get_by_role("button", name="Call").click()
    expect(transcript(page)).to_contain_text(GREETING)
    assert any(url.endswith("/simulator.css") for url in requested)
    assert any(url.endswith("/simulator.js") for url in requested)
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def session_for(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
