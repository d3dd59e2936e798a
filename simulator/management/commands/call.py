"""call: a call walked in the terminal against a running server (make call)."""

import argparse
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulator.events import (
    Dialed,
    Ended,
    Failed,
    Gathering,
    NotListening,
    Pressed,
    Requested,
    Spoke,
    TimedOut,
    Unheard,
)
from simulator.interpreter import DIAL_OUTCOMES, PHONE_KEYS, Interpreter, said
from simulator.menus import menu_name, text_sent
from simulator.transports import OverHttp, entry_url, in_process, with_language

PROMPT = (
    "Keys (0-9 * #) or words (Dagobah; dagoba please @0.4 for a confidence) and Enter; "
    "Enter alone is silence; Ctrl-D hangs up: "
)


class _Inputs(argparse.Action):
    """--press and --say add to one list, in the order given: ("press", keys) or ("say", words)."""

    def __call__(self, parser, namespace, values, option_string=None):
        inputs = list(getattr(namespace, self.dest, None) or [])
        if option_string == "--say":
            inputs.append(("say", values))
        else:
            inputs += [("press", keys) for keys in values]
        setattr(namespace, self.dest, inputs)


class Command(BaseCommand):
    help = (
        "Walk a call through the phone tree as Twilio would: interactively, or unattended with "
        "--press and --say. Exits non-zero when the app answers badly."
    )
    # Tests hand in their own keyboard, as they do to createsuperuser.
    stealth_options = ("stdin",)
    # Start-up warnings would bury the transcript; a refused request explains itself.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--press",
            nargs="*",
            dest="inputs",
            action=_Inputs,
            metavar="PHONE_KEYS",
            help="Walk unattended, pressing these keys at each menu in turn (e.g. --press 2 3); "
            "'' presses nothing. Once the inputs run out the caller stays silent.",
        )
        parser.add_argument(
            "--say",
            dest="inputs",
            action=_Inputs,
            metavar="WORDS",
            help="Walk unattended, saying these words at the next menu, in order with --press "
            "(e.g. --press 2 --say 'dagoba please'); 'Dagobah @0.4' says them with Twilio's "
            "confidence 0.4 (default 0.9).",
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

    def handle(self, *args, inputs, dial_outcome, url, language, **options):
        self.verbosity = options["verbosity"]
        for kind, value in inputs or []:
            if kind == "press" and any(key not in PHONE_KEYS for key in value):
                raise CommandError(f"--press {value!r}: the keys are 0-9, * and #.")
            if kind == "say":
                try:
                    said(value)
                except ValueError as error:
                    raise CommandError(f"--say {value!r}: {error}") from error
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
        unattended = None if inputs is None else list(inputs)
        while turn.waiting is not None:
            if unattended is None:
                typed = self._ask(options.get("stdin", sys.stdin))
                if typed is None:
                    self.stdout.write(self.style.MIGRATE_HEADING("You hang up."))
                    return
                kind, value = typed
            else:
                kind, value = unattended.pop(0) if unattended else ("press", "")
            if kind == "say":
                words, confidence = said(value)
                turn = interpreter.say(turn.waiting, words, confidence=confidence)
            else:
                turn = interpreter.answer(turn.waiting, value)
            self._show(turn)
        if turn.error:
            raise CommandError(f"The app answered badly: {turn.error}")
        if unattended:
            left = " ".join(repr(value) if kind == "say" else value for kind, value in unattended)
            self.stderr.write(f"The call ended before these inputs: {left}")

    def _ask(self, stdin) -> tuple[str, str] | None:
        """What was typed on one line: ("press", keys) or ("say", words); None when the input
        ends (the caller hangs up)."""
        while True:
            self.stdout.write(PROMPT, ending="")
            self.stdout.flush()
            line = stdin.readline()
            if not line:
                self.stdout.write("")
                return None
            keys = "".join(line.split())
            if all(key in PHONE_KEYS for key in keys):
                return "press", keys
            try:
                said(line)
            except ValueError as error:
                self.stderr.write(str(error))
                continue
            return "say", line.strip()

    def _show(self, turn):
        for event in turn.events:
            if isinstance(event, Failed):
                continue  # the CommandError says it, on stderr
            if isinstance(event, Requested):
                if self.verbosity >= 2:
                    self.stdout.write(self.style.HTTP_INFO(f"  {event}"))
                called = event.params.get("To", "")
                if text := text_sent(event.url, event.params, called=called):
                    self.stdout.write(self.style.SUCCESS(f"  [Text message] {text}"))
            elif isinstance(event, Pressed | Spoke | TimedOut | Unheard | NotListening):
                self.stdout.write(self.style.MIGRATE_LABEL(f"> {event}"))
            elif isinstance(event, Dialed):
                self.stdout.write(self.style.WARNING(f"  {event}"))
            elif isinstance(event, Ended):
                self.stdout.write(self.style.MIGRATE_HEADING(f"  {event}"))
            elif isinstance(event, Gathering):
                called = turn.waiting.call.get("To", "") if turn.waiting else ""
                if name := menu_name(event.action, called=called):
                    self.stdout.write(self.style.SQL_KEYWORD(f"  [{name}]"))
                self.stdout.write(f"  {event}")
            else:
                self.stdout.write(f"  {event}")
