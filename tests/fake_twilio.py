"""A small fake of Twilio's REST API on loopback, for the real twilio client over real HTTP.

It keeps one account's phone numbers (IncomingPhoneNumbers: list, fetch, update, with their
capabilities), call recordings (Recordings: the media as MP3, delete) and the texts sent
(Messages: create, refused as Twilio refuses them or as a test scripts), checks basic
auth as Twilio does (the account SID with its auth token, or an API key with its secret), and
answers what a test scripts: an error status, or an answer that comes too late.
"""

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

ACCOUNTS = re.compile(r"^/2010-04-01/Accounts/(?P<account>\w+)/IncomingPhoneNumbers")
LIST = re.compile(ACCOUNTS.pattern + r"\.json$")
ONE = re.compile(ACCOUNTS.pattern + r"/(?P<sid>PN\w+)\.json$")
# The update parameters this fake knows, as Twilio spells them, and the resource's names.
VOICE_PARAMETERS = {
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
    "VoiceApplicationSid": "voice_application_sid",
    "TrunkSid": "trunk_sid",
}
RECORDING = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>\w+)/Recordings/(?P<sid>RE\w+)\.(?P<format>json|mp3)$"
)
METHODS = {"voice_method", "voice_fallback_method", "status_callback_method"}
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<account>\w+)/Messages\.json$")
MESSAGE_PARAMETERS = {"To", "From", "MessagingServiceSid", "Body", "StatusCallback"}


def sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class Scripted:
    """What the fake does to the next request: answer this status, and/or only after a delay."""

    status: int | None = None
    delay: float = 0.0


@dataclass
class FakeTwilio:
    account_sid: str = field(default_factory=lambda: sid("AC"))
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    api_key: str = field(default_factory=lambda: sid("SK"))
    api_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    page_size: int = 50  # Twilio's default
    numbers: dict[str, dict] = field(default_factory=dict)
    # (method, path, form) of every request, in order.
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    script: list[Scripted] = field(default_factory=list)
    # Recording SID: its audio (MP3 bytes).
    recordings: dict[str, bytes] = field(default_factory=dict)
    # Every text Twilio took, in order: the Message resource answered, with the StatusCallback
    # it was sent with (which Twilio keeps but does not show).
    messages: list[dict] = field(default_factory=list)
    # To number: (Twilio error code, message) a text to it is refused with.
    refusals: dict[str, tuple[int, str]] = field(default_factory=dict)
    messaging_services: set[str] = field(default_factory=set)
    base_url: str = ""

    def add_number(self, phone_number: str, *, sms: bool = True, **voice: str) -> str:
        """A number of the account, with these voice settings (Twilio's names); its SID.

        sms=False: a voice-only number, which Twilio refuses to send texts from (21606).
        """
        number_sid = sid("PN")
        self.numbers[number_sid] = {
            "sid": number_sid,
            "account_sid": self.account_sid,
            "phone_number": phone_number,
            "friendly_name": voice.pop("friendly_name", phone_number),
            "capabilities": {"voice": True, "sms": sms, "mms": sms, "fax": False},
            **{name: None for name in VOICE_PARAMETERS.values()},
            "voice_method": "POST",
            "voice_fallback_method": "POST",
            "status_callback_method": "POST",
            **voice,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/{number_sid}"
            ".json",
        }
        return number_sid

    def add_recording(self, audio: bytes = b"ID3 fake mp3 audio") -> str:
        """A recording of the account, with this audio; its SID."""
        recording_sid = sid("RE")
        self.recordings[recording_sid] = audio
        return recording_sid

    def add_messaging_service(self) -> str:
        """A messaging service of the account (texts sent through it come from its numbers)."""
        service_sid = sid("MG")
        self.messaging_services.add(service_sid)
        return service_sid

    def refuse(self, *, to: str, code: int, message: str = "Refused as the test scripted") -> None:
        """Refuse every text to this number with Twilio's 400 and this error code."""
        self.refusals[to] = (code, message)

    def updates(self) -> list[tuple[str, dict[str, str]]]:
        """(path, form) of every update request received."""
        return [
            (path, form)
            for method, path, form in self.requests
            if method == "POST" and ONE.match(path)
        ]

    def start(self):
        self._released = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle(self)

            def do_DELETE(self):
                fake._handle(self)

            def log_message(self, *args):
                pass  # the tests read fake.requests instead

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address
        self.base_url = f"http://{host}:{port}"
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self):
        self._released.set()  # a delayed answer stops waiting
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler):
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        form = {
            k: v[0]
            for k, v in parse_qs(
                request.rfile.read(length).decode(), keep_blank_values=True
            ).items()
        }
        self.requests.append((request.command, parts.path, form))
        scripted = self.script.pop(0) if self.script else Scripted()
        if scripted.delay:
            self._released.wait(scripted.delay)
        if scripted.status:
            status, body = scripted.status, _error(scripted.status, "Scripted by the test")
        else:
            status, body = self._answer(request, parts, form)
        content_type = "application/json"
        if isinstance(body, bytes):
            payload, content_type = body, "audio/mpeg"
        else:
            payload = json.dumps(body).encode() if body is not None else b""
        try:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting

    def _answer(self, request, parts, form) -> tuple[int, dict]:
        if not self._authenticated(request.headers.get("Authorization", "")):
            return HTTPStatus.UNAUTHORIZED, _error(HTTPStatus.UNAUTHORIZED, "Authenticate")
        if match := RECORDING.match(parts.path):
            return self._recording(request.command, match)
        if match := MESSAGES.match(parts.path):
            return self._message(request.command, match, form)
        match = LIST.match(parts.path) or ONE.match(parts.path)
        if not match or match["account"] != self.account_sid:
            return HTTPStatus.NOT_FOUND, _error(HTTPStatus.NOT_FOUND, "Not found")
        if "sid" not in match.groupdict() and request.command == "GET":
            return HTTPStatus.OK, self._page(parts)
        number = self.numbers.get(match.groupdict().get("sid"))
        if number is None:
            return HTTPStatus.NOT_FOUND, _error(
                HTTPStatus.NOT_FOUND, f"The requested resource {parts.path} was not found"
            )
        if request.command == "GET":
            return HTTPStatus.OK, number
        if request.command != "POST" or set(form) - set(VOICE_PARAMETERS):
            return HTTPStatus.BAD_REQUEST, _error(HTTPStatus.BAD_REQUEST, "Unknown parameter")
        changes = {VOICE_PARAMETERS[name]: value for name, value in form.items()}
        if any(changes[name].upper() not in ("GET", "POST") for name in METHODS & set(changes)):
            return HTTPStatus.BAD_REQUEST, _error(HTTPStatus.BAD_REQUEST, "Method is invalid")
        number.update({name: value or None for name, value in changes.items()})
        return HTTPStatus.OK, number

    def _recording(self, command: str, match) -> tuple[int, dict | bytes | None]:
        if match["account"] != self.account_sid or match["sid"] not in self.recordings:
            return HTTPStatus.NOT_FOUND, _error(
                HTTPStatus.NOT_FOUND, f"The requested resource {match[0]} was not found"
            )
        if command == "GET" and match["format"] == "mp3":
            return HTTPStatus.OK, self.recordings[match["sid"]]
        if command == "DELETE" and match["format"] == "json":
            del self.recordings[match["sid"]]
            return HTTPStatus.NO_CONTENT, None
        return HTTPStatus.METHOD_NOT_ALLOWED, _error(HTTPStatus.METHOD_NOT_ALLOWED, "Not allowed")

    def _message(self, command: str, match, form: dict[str, str]) -> tuple[int, dict]:
        if match["account"] != self.account_sid:
            return HTTPStatus.NOT_FOUND, _error(HTTPStatus.NOT_FOUND, "Not found")
        if command != "POST":
            return HTTPStatus.METHOD_NOT_ALLOWED, _error(
                HTTPStatus.METHOD_NOT_ALLOWED, "Not allowed"
            )
        if set(form) - MESSAGE_PARAMETERS:
            return HTTPStatus.BAD_REQUEST, _error(HTTPStatus.BAD_REQUEST, "Unknown parameter")
        to, sender, service = form.get("To"), form.get("From"), form.get("MessagingServiceSid")
        # The checks Twilio makes, in its words and codes.
        if not to:
            return _refusal(21604, "A 'To' phone number is required.")
        if not form.get("Body"):
            return _refusal(21602, "Message body is required.")
        if service and service not in self.messaging_services:
            return _refusal(21701, f"The Messaging Service Sid {service} is invalid.")
        if not service:
            if not sender:
                return _refusal(21603, "A 'From' phone number is required.")
            if not any(
                number["phone_number"] == sender and number["capabilities"]["sms"]
                for number in self.numbers.values()
            ):
                return _refusal(
                    21606,
                    f"The From phone number {sender} is not a valid, SMS-capable inbound phone "
                    "number or short code for your account.",
                )
        if to in self.refusals:
            return _refusal(*self.refusals[to])
        message_sid = sid("SM")
        now = format_datetime(datetime.now(UTC), usegmt=True)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}"
        message = {
            "sid": message_sid,
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "to": to,
            # Through a messaging service, Twilio picks the sender after accepting the text.
            "from": None if service else sender,
            "messaging_service_sid": service or None,
            "body": form["Body"],
            "status": "accepted" if service else "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": "0",
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "uri": uri + ".json",
            "subresource_uris": {"media": uri + "/Media.json"},
        }
        self.messages.append({**message, "status_callback": form.get("StatusCallback")})
        return HTTPStatus.CREATED, message

    def _authenticated(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme != "Basic":
            return False
        username, _, password = base64.b64decode(encoded).decode().partition(":")
        return (username, password) in {
            (self.account_sid, self.auth_token),
            (self.api_key, self.api_secret),
        }

    def _page(self, parts) -> dict:
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        numbers = [
            number
            for number in self.numbers.values()
            if query.get("PhoneNumber") in (None, number["phone_number"])
        ]
        size = int(query.get("PageSize", self.page_size))
        page = int(query.get("Page", 0))
        shown = numbers[page * size : (page + 1) * size]
        more = (page + 1) * size < len(numbers)

        def uri(n):
            return f"{parts.path}?{urlencode({**query, 'Page': n, 'PageSize': size})}"

        return {
            "incoming_phone_numbers": shown,
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + len(shown) - 1,
            "uri": uri(page),
            "first_page_uri": uri(0),
            "next_page_uri": uri(page + 1) if more else None,
            "previous_page_uri": uri(page - 1) if page else None,
        }


def _error(status: int, message: str, code: int | None = None) -> dict:
    code = code or {401: 20003, 404: 20404, 429: 20429}.get(status, 20001)
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": int(status),
    }


def _refusal(code: int, message: str) -> tuple[int, dict]:
    """Twilio's answer to a text it will not send: 400 and the error's code."""
    return HTTPStatus.BAD_REQUEST, _error(HTTPStatus.BAD_REQUEST, message, code)


@pytest.fixture
def fake_twilio(settings):
    """A fake Twilio on loopback, and the settings that point the app's client at it."""
    fake = FakeTwilio()
    fake.start()
    settings.TWILIO_ACCOUNT_SID = fake.account_sid
    settings.TWILIO_AUTH_TOKEN = fake.auth_token
    settings.TWILIO_API_KEY = settings.TWILIO_API_SECRET = ""
    settings.TWILIO_API_BASE_URL = fake.base_url
    settings.TWILIO_API_TIMEOUT = 5.0
    yield fake
    fake.stop()
