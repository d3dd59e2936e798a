"""twilio_connect: point our Twilio numbers' voice webhooks at this server, or check them."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from debugger.selectors import recent_get
from directory.fields import to_e164
from twilio_api.client import TwilioApiError
from twilio_api.numbers import Number, Voice, number_connect, number_get, numbers_list


def voice_for(base_url: str) -> Voice:
    """The voice settings of a number this app answers, served at base_url."""
    return Voice(
        voice_url=base_url + reverse("ivr:welcome"),
        voice_method="POST",
        voice_fallback_url=base_url + reverse("ivr:fallback"),
        voice_fallback_method="POST",
        status_callback=base_url + reverse("ivr:status"),
        status_callback_method="POST",
    )


def points_at(voice: Voice, base_url: str) -> bool:
    """Whether any of a number's URLs is on this app."""
    urls = (voice.voice_url, voice.voice_fallback_url, voice.status_callback)
    return any(url.startswith(base_url + "/") for url in urls)


class Command(BaseCommand):
    help = (
        "Point a Twilio number's voice URL, fallback URL and status callback at this app, "
        "through Twilio's REST API, and print the Debugger webhook to set in the console; or, "
        "with --check, list every number of the account, say whether this app's numbers can "
        "send texts and whether Twilio's Debugger reports arrive, and exit non-zero when a "
        "number has drifted."
    )
    # Start-up warnings meant for the web server would bury the report.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "phone_number",
            nargs="?",
            help="The number to connect, e.g. +19295566487; with --check, the only one to check.",
        )
        parser.add_argument(
            "--base-url",
            help="Where Twilio reaches this app, e.g. https://ivr.example.com "
            "(default: PUBLIC_BASE_URL).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: list the account's numbers with whether they point at this "
            "app, and exit non-zero on drift.",
        )

    def handle(self, *args, phone_number, base_url, check, **options):
        base_url = _base_url(base_url or settings.PUBLIC_BASE_URL)
        if phone_number:
            try:
                phone_number = to_e164(phone_number)
            except ValidationError as error:
                raise CommandError(error.messages[0]) from error
        elif not check:
            raise CommandError("Name the number to connect, e.g. twilio_connect +19295566487.")
        try:
            if check:
                self.check(base_url, phone_number)
            else:
                self.connect(base_url, phone_number)
        except TwilioApiError as error:
            raise CommandError(str(error)) from error

    def connect(self, base_url: str, phone_number: str):
        number, changes = number_connect(phone_number, voice_for(base_url))
        if not changes:
            self.stdout.write(f"{_named(number)} already points at {base_url}: nothing changed.")
        else:
            self.stdout.write(f"{_named(number)}:")
            for name, old, new in changes:
                self.stdout.write(f"  {name}: {old or '(none)'} -> {new or '(none)'}")
            self.stdout.write(self.style.SUCCESS(f"Connected {number.phone_number} to {base_url}."))
        self.stdout.write(
            f"Debugger: in the Twilio console, set Monitor > Debugger > Webhook to "
            f"{debugger_url(base_url)} for Twilio's error reports; its API cannot set it."
        )

    def check(self, base_url: str, phone_number: str | None):
        wanted = voice_for(base_url)
        numbers = [number_get(phone_number)] if phone_number else numbers_list()
        connected, drifted = [], []
        for number in numbers:
            changes = number.voice.changes_to(wanted)
            if not changes:
                connected.append(number)
                self.stdout.write(f"{_named(number)}: {self.style.SUCCESS('connected')}")
            elif phone_number or points_at(number.voice, base_url):
                drifted.append(number)
                self.stdout.write(f"{_named(number)}: {self.style.ERROR('drifted')}")
                for name, now, want in changes:
                    self.stdout.write(f"  {name}: {now or '(none)'}, not {want or '(none)'}")
            else:
                self.stdout.write(
                    f"{_named(number)}: not this app ({number.voice.voice_url or 'no voice URL'})"
                )
                continue
            if not settings.TWILIO_MESSAGING_SERVICE_SID:
                self.texts(number)
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            self.stdout.write(
                f"Texts: sent through the messaging service {settings.TWILIO_MESSAGING_SERVICE_SID}"
                " (TWILIO_MESSAGING_SERVICE_SID), from its numbers."
            )
        self.debugger(base_url)
        if drifted:
            names = " ".join(number.phone_number for number in drifted)
            raise CommandError(
                f"{len(drifted)} of the account's numbers drifted from {base_url}: {names}. "
                f"Run twilio_connect NUMBER --base-url {base_url} for each."
            )
        if not connected:
            raise CommandError(f"No number of the account points at {base_url}.")
        self.stdout.write(f"{len(connected)} number(s) point at {base_url}.")

    def texts(self, number: Number):
        """Whether texts callers ask for can go from this number; a warning, never a failure:
        a tree without a "send a text" option needs none."""
        if number.sms:
            self.stdout.write(f"Texts: {number.phone_number} can send SMS.")
            return
        self.stdout.write(
            self.style.WARNING(
                f"Texts: {number.phone_number} cannot send SMS: the 'send a text' option will "
                "fail for its callers; set TWILIO_MESSAGING_SERVICE_SID to a messaging service, "
                "or use an SMS-capable number."
            )
        )

    def debugger(self, base_url: str):
        """Whether Twilio's Debugger reports reach this app, and the last day's errors; a
        warning, never a failure: the webhook is set in the console, where --check cannot see."""
        try:
            recent = recent_get()
        except DatabaseError as error:
            self.stdout.write(self.style.WARNING(f"Debugger: the reports cannot be read: {error}"))
            return
        if recent.last_report is None:
            self.stdout.write(
                self.style.WARNING(
                    "Debugger: no report from Twilio's Debugger is kept here. Check that the "
                    "Twilio console's Monitor > Debugger > Webhook is "
                    f"{debugger_url(base_url)}: without it Twilio's errors stay in its console."
                )
            )
            return
        last = timezone.localtime(recent.last_report).strftime("%Y-%m-%d %H:%M %Z")
        line = (
            f"Debugger: Twilio reported {recent.errors} error(s) in the last 24 hours "
            f"(latest report: {last})."
        )
        self.stdout.write(self.style.WARNING(line) if recent.errors else line)


def debugger_url(base_url: str) -> str:
    """Where Twilio's Debugger posts its reports: set by hand in the console."""
    return base_url + reverse("ivr:debugger")


def _base_url(value: str) -> str:
    if not value:
        raise CommandError(
            "Say where Twilio reaches this app: --base-url https://ivr.example.com, or set "
            "PUBLIC_BASE_URL."
        )
    parts = urlsplit(value.rstrip("/"))
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise CommandError(
            f"The base URL {value!r} should be https://, a host and nothing else, e.g. "
            "https://ivr.example.com: Twilio sends callers' numbers to it."
        )
    return value.rstrip("/")


def _named(number: Number) -> str:
    if number.friendly_name and number.friendly_name != number.phone_number:
        return f"{number.phone_number} ({number.friendly_name})"
    return number.phone_number
