import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulator.interpreter import (
    DIAL_OUTCOMES,
    PHONE_KEYS,
    Dialed,
    Ended,
    Failed,
    Interpreter,
    Pressed,
    Requested,
    TimedOut,
    Unheard,
)
from simulator.transports import OverHttp, entry_url, in_process, with_language

PROMPT = "Keys (0-9 * #) and Enter; Enter alone presses nothing; Ctrl-D hangs up: "


class Command(BaseCommand):
    help = (
        "Walk a call through the phone tree as Twilio would: interactively, or unattended with "
        "--press. Exits non-zero when the app answers badly."
    )
    # Tests hand in their own keyboard, as they do to createsuperuser.
    stealth_options = ("stdin",)
    # Start-up warnings would bury the transcript; a refused request explains itself.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--press",
            nargs="*",
            metavar="PHONE_KEYS",
            help="Walk unattended, pressing these keys at each menu in turn (e.g. --press 2 3); "
            "'' presses nothing. Once they run out the caller stays silent.",
        )
        parser.add_argument(
            "--dial-outcome",
            choices=DIAL_OUTCOMES,
            default="completed",
            help="What a dialed number does (default: completed, it answers).",
        )
        parser.add_argument(
            "--url",
            help="Call a running server instead of this process, e.g. http://127.0.0.1:8000; "
            "requests are signed with TWILIO_AUTH_TOKEN.",
        )
        parser.add_argument(
            "--language",
            default="",
            metavar="CODE",
            help="Start the call in this language, e.g. ja-JP (default: the line's default, as "
            "for a number not tied to a language). An unknown code is answered in the default.",
        )

    def handle(self, *args, press, dial_outcome, url, language, **options):
        self.verbosity = options["verbosity"]
        for keys in press or []:
            if any(key not in PHONE_KEYS for key in keys):
                raise CommandError(f"--press {keys!r}: the keys are 0-9, * and #.")
        if url:
            transport, entry = OverHttp(token=settings.TWILIO_AUTH_TOKEN), entry_url(url)
        else:
            transport = in_process()
            entry = transport.entry_url
        entry = with_language(entry, language)
        signed = "signed" if settings.TWILIO_AUTH_TOKEN else "unsigned: no TWILIO_AUTH_TOKEN"
        self.stdout.write(f"Calling {entry} ({signed})")

        interpreter = Interpreter(transport, dial_outcome=dial_outcome)
        turn = interpreter.start(entry)
        self._show(turn)
        presses = None if press is None else list(press)
        while turn.waiting is not None:
            if presses is None:
                keys = self._ask(options.get("stdin", sys.stdin))
                if keys is None:
                    self.stdout.write(self.style.MIGRATE_HEADING("You hang up."))
                    return
            else:
                keys = presses.pop(0) if presses else ""
            turn = interpreter.answer(turn.waiting, keys)
            self._show(turn)
        if turn.error:
            raise CommandError(f"The app answered badly: {turn.error}")
        if presses:
            self.stderr.write(f"The call ended before these presses: {' '.join(presses)}")

    def _ask(self, stdin) -> str | None:
        """The keys typed on one line; None when the input ends (the caller hangs up)."""
        while True:
            self.stdout.write(PROMPT, ending="")
            self.stdout.flush()
            line = stdin.readline()
            if not line:
                self.stdout.write("")
                return None
            keys = "".join(line.split())
            if all(key in PHONE_KEYS for key in keys):
                return keys
            self.stderr.write("Those are not phone keys: use 0-9, * and #.")

    def _show(self, turn):
        for event in turn.events:
            if isinstance(event, Failed):
                continue  # the CommandError says it, on stderr
            if isinstance(event, Requested):
                if self.verbosity >= 2:
                    self.stdout.write(self.style.HTTP_INFO(f"  {event}"))
            elif isinstance(event, Pressed | TimedOut | Unheard):
                self.stdout.write(self.style.MIGRATE_LABEL(f"> {event}"))
            elif isinstance(event, Dialed):
                self.stdout.write(self.style.WARNING(f"  {event}"))
            elif isinstance(event, Ended):
                self.stdout.write(self.style.MIGRATE_HEADING(f"  {event}"))
            else:
                self.stdout.write(f"  {event}")
