"""The benchmark's floors: what the same server does with (almost) no application."""

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import re_path

TWIML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/ivr/menu?step=1" '
    b'actionOnEmptyResult="true" method="POST" numDigits="1" timeout="5"><Say language="en-GB" '
    b'loop="3" voice="alice">Thanks for calling the E T Phone Home Service.</Say></Gather>'
    b"</Response>"
)


def raw_wsgi(environ, start_response):
    """A raw WSGI callable: the server's own ceiling."""
    start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(TWIML)))])
    return [TWIML]


def bare_view(request):
    return HttpResponse(TWIML, content_type="text/xml")


# A minimal Django: one view for every URL, no middleware, no database.
settings.configure(
    DEBUG=False,
    SECRET_KEY="benchmark-floor-not-secret",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()
urlpatterns = [re_path(r"", bare_view)]
bare_django = get_wsgi_application()
