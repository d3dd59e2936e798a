"""Every key of the keypad chooses a menu's option as a caller presses it, # and * too: the
simulator plays Twilio's part, finish key included."""

import pytest

from directory.models import PHONE_KEYS, Action, Announcement, Language
from simulator.events import Ended, Said
from simulator.interpreter import HUNG_UP, Interpreter
from simulator.transports import in_process
from tests.factories import main_menu, make_option

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", PHONE_KEYS)
def test_pressing_an_options_key_on_the_keypad_chooses_it(demo, key):
    main = main_menu()
    main.options.filter(key=key).delete()
    goodbye = make_option(menu=main, key=key, action=Action.HANG_UP)
    Announcement.objects.create(
        option=goodbye, language=Language.objects.get(code="en-GB"), text=f"You pressed {key}."
    )
    transport = in_process()
    interpreter = Interpreter(transport)
    turn = interpreter.press(interpreter.start(transport.entry_url).waiting, key)
    assert turn.error is None
    assert turn.events[-2:] == (Said(f"You pressed {key}.", "alice", "en-GB"), Ended(HUNG_UP))
