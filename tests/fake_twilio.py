"""A small fake of Twilio's REST API on loopback, for the real twilio client over real HTTP.

It keeps one account's phone numbers (IncomingPhoneNumbers: list, fetch, update) and call
recordings (Recordings: the media as MP3, delete), checks basic
auth as Twilio does (the account SID with its auth token, or an API key with its secret), and
answers what a test scripts: an error status, or an answer that comes too late.
"""

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
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
    base_url: str = ""

    def add_number(self, phone_number: str, **voice: str) -> str:
        """A number of the account, with these voice settings (Twilio's names); its SID."""
        number_sid = sid("PN")
        self.numbers[number_sid] = {
            "sid": number_sid,
            "account_sid": self.account_sid,
            "phone_number": phone_number,
            "friendly_name": voice.pop("friendly_name", phone_number),
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

    def updates(self) -> list[tuple[str, dict[str, str]]]:
        """(path, form) of every update request received."""
        return [(path, form) for method, path, form in self.requests if method == "POST"]

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


def _error(status: int, message: str) -> dict:
    code = {401: 20003, 404: 20404}.get(status, 20001)
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": int(status),
    }


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
