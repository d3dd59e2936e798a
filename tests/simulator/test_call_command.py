"""`manage.py call` walks a call in the terminal: unattended with --press, or key by key."""

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from directory.models import Action
from tests.factories import main_menu, make_menu, make_option

pytestmark = pytest.mark.sqlite_run_only(
    reason="manage.py call's terminal walk (the webhooks run on PostgreSQL in tests/ivr)"
)

GREETING = "Thanks for calling the E T Phone Home Service."
NO_INPUT = "Sorry, we did not hear a key press."
GOODBYE = "We did not get a choice from you. Goodbye, and safe travels."
DAGOBAH_LINE = "To call the planet DuhGo bah, press 3."


def run(*args, stdin=None):
    out, err = StringIO(), StringIO()
    options = {"stdin": stdin} if stdin is not None else {}
    call_command("call", *args, stdout=out, stderr=err, no_color=True, **options)
    return out.getvalue(), err.getvalue()


def exit_status(capsys, *args) -> int:
    """The process exit status `manage.py call ARGS` ends with."""
    try:
        execute_from_command_line(["manage.py", "call", "--no-color", *args])
    except SystemExit as exit:
        return exit.code
    finally:
        capsys.readouterr()
    return 0


@pytest.mark.django_db
class TestUnattended:
    def test_language_starts_the_call_in_japanese(self, demo):
        out, _ = run("--language", "ja-JP", "--press", "2")
        lines = out.splitlines()
        assert lines[0] == "Calling http://localhost/ivr/welcome?lang=ja-JP (signed)"
        assert any("Polly.Mizuki, ja-JP" in line and "イーティー" in line for line in lines)
        assert any("惑星ダゴバに電話をかけるには、3を押してください。" in line for line in lines)

    def test_an_unknown_language_is_answered_in_the_default(self, demo):
        out, _ = run("--language", "xx-XX", "--press", "1")
        assert "To get to your extraction point" in out

    def test_say_speaks_at_the_next_menu_in_order_with_press(self, demo):
        out, _ = run("--press", "2", "--say", "dagoba please")
        lines = out.splitlines()
        assert lines.index("> You press 2") < lines.index(
            "> You say “dagoba please” (confidence 0.90)"
        )
        assert "  Dials +17262043675: completed after 42 s" in lines

    def test_each_menu_is_named_where_the_caller_answers(self, demo):
        help_desk = make_menu(name="Help desk", slug="help-desk")
        make_option(menu=main_menu(), key="3", action=Action.MENU, target_menu=help_desk)
        make_option(menu=help_desk, key="1", action=Action.DIRECTORY)
        out, _ = run("--press", "3", "--press", "1", "--press", "3")
        named = [line.strip() for line in out.splitlines() if line.strip().startswith("[")]
        assert named == ["[Main menu]", "[Help desk]", "[Planet directory]"]

    def test_say_at_the_main_menu_dials_a_planet_by_name(self, demo):
        out, _ = run("--say", "Dagobah")
        assert "  Dials +17262043675: completed after 42 s" in out.splitlines()

    def test_say_in_japanese_at_a_japanese_call(self, demo):
        out, _ = run("--language", "ja-JP", "--press", "2", "--say", "ダゴバ")
        assert "> You say “ダゴバ” (confidence 0.90)" in out
        assert "  Dials +17262043675: completed after 42 s" in out.splitlines()

    def test_say_with_a_low_confidence_is_confirmed_first(self, demo):
        out, _ = run("--press", "2", "--say", "Dagobah @0.4", "--say", "no", "--press", "*")
        assert "Did you say the planet DuhGo bah? Say yes or press 1; say no or press 2." in out
        assert "Dials" not in out
        assert "Returning to the main menu." in out

    def test_the_menus_listening_is_shown(self, demo):
        out, _ = run("--press", "2", "3")
        assert any(
            line.startswith("  Waits for 1 key or words in en-GB, ") for line in out.splitlines()
        )

    def test_a_bad_confidence_is_refused_before_calling(self, demo):
        with pytest.raises(CommandError, match="--say 'Dagobah @x'"):
            run("--say", "Dagobah @x")

    def test_press_2_then_3_with_busy_prints_the_transcript(self, demo):
        out, _ = run("--press", "2", "3", "--dial-outcome", "busy")
        lines = out.splitlines()
        assert lines[0] == "Calling http://localhost/ivr/welcome (signed)"
        assert "> You press 2" in lines
        assert "  Dials +17262043675: busy" in lines
        assert "  Says (alice, en-GB): We could not reach the planet DuhGo bah." in lines
        assert lines.index("> You press 2") < lines.index("> You press 3")

    def test_a_message_can_be_left_after_busy(self, demo):
        out, _ = run("--press", "2", "3", "1", "#", "--dial-outcome", "busy")
        lines = out.splitlines()
        assert "  (recording a message; press # to finish)" in lines
        assert lines[-2].endswith(
            "Thank you, your message has been recorded. Goodbye, and safe travels."
        )
        assert lines[-1] == "  Call ends: the app hung up"

    def test_the_default_dial_outcome_is_an_answered_call(self, demo):
        out, _ = run("--press", "2", "3")
        assert "  Dials +17262043675: completed after 42 s" in out.splitlines()
        assert out.splitlines()[-1] == "  Call ends: the app hung up"

    def test_when_the_presses_run_out_the_caller_stays_silent_until_goodbye(self, demo):
        out, _ = run("--press")
        assert out.count("> You press nothing for 5 s") == 3
        assert GOODBYE in out

    def test_an_empty_press_is_no_input(self, demo):
        out, _ = run("--press", "", "2")
        lines = out.splitlines()
        assert lines.index(f"  Says (alice, en-GB): {NO_INPUT}") < lines.index("> You press 2")
        assert DAGOBAH_LINE in out

    def test_presses_left_when_the_call_ends_are_reported(self, demo):
        # 1: the directions; 0: no text of them, thank you and goodbye.
        _, err = run("--press", "1", "0", "2", "3")
        assert err.strip() == "The call ended before these inputs: 2 3"

    def test_the_text_a_caller_would_receive_is_shown(self, demo):
        out, _ = run("--press", "1", "1")
        (line,) = [line for line in out.splitlines() if "[Text message]" in line]
        assert line.strip().startswith(
            "[Text message] E T Phone Home - your directions: To get to your extraction point"
        )
        assert "We have sent these directions to your phone." in out

    def test_keys_that_are_not_on_a_phone_are_refused(self, demo):
        with pytest.raises(CommandError, match="keys are 0-9"):
            run("--press", "2a")

    def test_only_twilios_dial_outcomes_can_be_chosen(self, demo):
        with pytest.raises(CommandError, match="invalid choice"):
            run("--press", "2", "3", "--dial-outcome", "maybe")

    def test_verbosity_2_shows_each_webhook_request(self, demo):
        out, _ = run("--press", "1", "--verbosity", "2")
        assert "  -> POST http://localhost/ivr/welcome" in out.splitlines()
        assert "-> POST http://localhost/ivr/menu" in out

    def test_requests_are_hidden_at_normal_verbosity(self, demo):
        out, _ = run("--press", "1")
        assert "->" not in out

    def test_a_normal_end_exits_0(self, demo, capsys):
        assert exit_status(capsys, "--press", "2", "3", "--dial-outcome", "busy") == 0

    def test_an_app_that_answers_badly_exits_non_zero_and_says_why(self, demo, settings, capsys):
        settings.TWILIO_AUTH_TOKEN = ""
        with pytest.raises(CommandError, match="The app answered badly: .* HTTP 403"):
            run("--press", "2")
        assert exit_status(capsys, "--press", "2") != 0

    def test_without_a_token_and_without_validation_the_call_goes_unsigned(self, demo, settings):
        settings.TWILIO_AUTH_TOKEN = ""
        settings.TWILIO_VALIDATE_SIGNATURES = False
        out, _ = run("--press", "1")
        assert out.splitlines()[0].endswith("(unsigned: no TWILIO_AUTH_TOKEN)")
        assert "To get to your extraction point" in out


@pytest.mark.django_db
class TestInteractive:
    def test_each_line_typed_is_the_keys_pressed_at_one_menu(self, demo):
        out, _ = run(stdin=StringIO("2\n3\n"))
        assert out.count("Keys (0-9 * #) or words") == 2
        assert "  Dials +17262043675: completed after 42 s" in out
        assert "  Call ends: the app hung up" in out

    def test_enter_alone_presses_nothing(self, demo):
        out, _ = run(stdin=StringIO("\n2\n"))
        assert NO_INPUT in out
        assert DAGOBAH_LINE in out

    def test_the_end_of_input_hangs_up(self, demo):
        out, _ = run(stdin=StringIO("2\n"))
        assert out.rstrip().endswith("You hang up.")
        assert "Dials" not in out

    def test_a_line_of_words_is_said_at_the_menu(self, demo):
        out, _ = run(stdin=StringIO("planets\ndagoba please\n"))
        assert "> You say “planets” (confidence 0.90)" in out
        assert "> You say “dagoba please” (confidence 0.90)" in out
        assert "  Dials +17262043675: completed after 42 s" in out

    def test_words_typed_with_a_confidence_are_said_with_it(self, demo):
        out, _ = run(stdin=StringIO("2\nDagobah @0.3\nyes\n"))
        assert "> You say “Dagobah” (confidence 0.30)" in out
        assert "Did you say the planet DuhGo bah?" in out
        assert "  Dials +17262043675: completed after 42 s" in out

    def test_a_confidence_out_of_range_is_asked_again(self, demo):
        out, err = run(stdin=StringIO("Dagobah @7\n2\n3\n"))
        assert "The confidence after @ is a number from 0 to 1" in err
        assert out.count("Keys (0-9 * #) or words") == 3
        assert "Dials +17262043675" in out


@pytest.mark.django_db(transaction=True)
def test_url_drives_a_running_server(live_server, demo):
    out, _ = run("--url", live_server.url, "--press", "1")
    assert out.splitlines()[0] == f"Calling {live_server.url}/ivr/welcome (signed)"
    assert "To get to your extraction point" in out
    assert out.splitlines()[-1] == "  Call ends: the app hung up"


@pytest.mark.django_db(transaction=True)
def test_url_that_is_not_a_phone_tree_fails(live_server):
    with pytest.raises(CommandError, match="/nowhere answered HTTP 404, not TwiML"):
        run("--url", live_server.url + "/nowhere")
