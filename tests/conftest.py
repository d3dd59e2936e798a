import xml.etree.ElementTree as ET
from http import HTTPStatus

import pytest
from django.core.management import call_command


def parse_twiml(response) -> ET.Element:
    """The <Response> root of a TwiML answer; fails unless it is a 200 text/xml TwiML document."""
    assert response.status_code == HTTPStatus.OK, response.content[:500]
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


def spoken(element: ET.Element) -> list[str]:
    """Every <Say> text under element, in document order."""
    return [say.text for say in element.iter("Say")]


@pytest.fixture
def demo(db):
    """The demo directory from fixtures/demo.json."""
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def client(client):
    # Twilio calls from the internet to an allowed host; the test client's default is not one.
    client.defaults["HTTP_HOST"] = "localhost"
    return client
