"""WSGI entry point: Django's handler, webhooks without its request signals (ivr/handler.py).

Refuses to start when a start-up check reports an error, then starts the call log's and
voicemail's writers (which also write what a killed or stopped worker left in its spool), loads
the Japanese readings, and freezes what start-up made out of the garbage collector's way."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "etphone.settings")
django.setup(set_prefix=False)

from ivr.handler import WebhookHandler  # noqa: E402  (needs the app registry loaded above)

application = WebhookHandler()


def _refuse_to_start_on_errors() -> None:
    # A production server (gunicorn) does not run Django's system checks; run ours here, so a
    # missing TWILIO_AUTH_TOKEN stops the server instead of answering every caller with 403.
    from django.core import checks
    from django.core.management.base import SystemCheckError

    errors = [m for m in checks.run_checks(tags=["etphone"]) if m.is_serious()]
    if errors:
        raise SystemCheckError("\n".join(f"{m.id}: {m.msg} HINT: {m.hint}" for m in errors))


_refuse_to_start_on_errors()

from calllog.services import spool_start  # noqa: E402  (needs the app registry loaded above)
from ivr import speech  # noqa: E402
from texts import services as texts  # noqa: E402
from voicemail import services as voicemail  # noqa: E402

spool_start()
voicemail.spool_start()
texts.spool_start()
# Made later (by the first Japanese caller), its 300,000 objects made every full collection a
# pause of 30 to 45 ms (docs/performance.md).
speech.prepare()

# What start-up made (Django, the apps, their modules) lives as long as the worker: freezing it
# keeps the collector's full collections from walking it all, each a pause of every call the
# worker is answering (docs/performance.md).
gc.freeze()
