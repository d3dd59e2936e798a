"""Property: twiml.document writes exactly what str(response) (Twilio's library, through
ElementTree) writes, for any tree of verbs, attributes and text."""

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from twilio.twiml import GenericNode
from twilio.twiml.voice_response import VoiceResponse

from directory.nodes import Sentence
from ivr import twiml

# Any unicode, lone surrogates included (ElementTree writes them as character references).
text = st.text(max_size=30)
names = st.sampled_from(["Say", "Play", "Gather", "Dial", "Number", "Hangup", "Redirect"])
attributes = st.dictionaries(
    st.sampled_from(["action", "method", "numDigits", "hints", "loop", "voice", "xml_lang"]),
    text | st.booleans() | st.integers(),
    max_size=4,
)


def nodes(depth: int):
    """A verb with attributes, a value, and children (verbs or bare strings)."""
    children = st.lists(nodes(depth - 1) | text, max_size=4) if depth else st.just([])
    return st.builds(_node, names, text | st.none(), attributes, children)


def _node(name, value, attrs, children):
    node = GenericNode(name, value, **attrs)
    for child in children:
        node.nest(child)
    return node


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(nodes(3) | text, max_size=5))
def test_document_is_what_the_twilio_library_writes(children):
    response = VoiceResponse()
    for child in children:
        response.nest(child)
    assert twiml.document(response) == str(response)


def test_a_builder_returns_the_document_of_its_response_and_keeps_it():
    arguments = {
        "sentences": [Sentence('Press 1 & "listen" <now>\n', "alice", "en-GB")],
        "menu_url": "/ivr/menu?attempts=1&step=2",
        "listening": twiml.Listening("en-GB", ("directions", "planets")),
    }
    built = twiml.menu(**arguments)
    assert built == str(twiml.menu.__wrapped__(**arguments))
    (gather,) = ET.fromstring(built)
    assert gather.get("action") == "/ivr/menu?attempts=1&step=2"
    assert [say.text for say in gather] == ['Press 1 & "listen" <now>\n']
    kept = twiml.menu.cache_info()
    assert twiml.menu(**arguments) == built
    # Kept once for every step: another step's URL goes into the same kept document.
    other = twiml.menu(**{**arguments, "menu_url": "/ivr/menu?step=3"})
    assert ET.fromstring(other)[0].get("action") == "/ivr/menu?step=3"
    assert twiml.menu.cache_info().misses == kept.misses
    assert twiml.menu.cache_info().hits == kept.hits + 2
    assert twiml.empty() == str(VoiceResponse())


# Our URLs, and any text in their place (quotes, line breaks, markup, non-ASCII, surrogates).
urls = st.from_regex(r"\A/ivr/[a-z]+(\?([a-z]+=[a-zA-Z0-9%-]*&?){0,4})?\Z") | text


@hypothesis_settings(max_examples=300, deadline=None)
@given(menu_url=urls, url=urls, action_url=urls, status_url=urls, transcribe_url=urls)
def test_a_kept_document_with_a_steps_urls_is_what_the_response_writes(
    menu_url, url, action_url, status_url, transcribe_url
):
    """Whatever URLs a step passes, the document is byte for byte its VoiceResponse's."""
    said = Sentence("Press 1 & wait", "alice", "en-GB")
    for builder, arguments in [
        (twiml.menu, {"sentences": [said], "menu_url": menu_url, "listening": LISTENING}),
        (twiml.say_and_redirect, {"sentence": said, "url": url}),
        (twiml.dial, {"number": "+17262043675", "action_url": action_url}),
        (
            twiml.voicemail_record,
            {
                "before": said,
                "action_url": action_url,
                "recording_status_url": status_url,
                "max_seconds": 60,
                "no_message_url": url,
                "transcribe_url": transcribe_url,
            },
        ),
    ]:
        for _ in range(2):  # built, then kept
            assert builder(**arguments) == str(builder.__wrapped__(**arguments)), builder


LISTENING = twiml.Listening("en-GB", ("directions",))
