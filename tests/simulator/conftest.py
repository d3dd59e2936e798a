"""Staff for the simulator's pages; the browser itself comes from tests/browser.py."""

import pytest
from django.test import Client

from tests.factories import make_staff


@pytest.fixture
def staff(db):
    return make_staff(username="mission-control")


@pytest.fixture
def staff_client(staff):
    """A browser-like client (not the Twilio one) signed in as a staff member."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    return client
