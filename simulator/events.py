"""What a simulated call is made of: the app's answers, the events of a turn, and where a call
waits for the caller."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answer:
    """What a webhook answered; note is the transport's explanation of a failure, if any."""

    status: int
    body: bytes
    note: str = ""


class Unreachable(Exception):
    """A transport could not get an answer at all (connection refused, a URL it cannot reach)."""


# (method, absolute URL, parameters) -> Answer; signing and HTTP are the transport's business.
Transport = Callable[[str, str, dict[str, str]], Answer]


class Event:
    """Something that happens in a call; str() of it is its line in a transcript."""


@dataclass(frozen=True)
class Requested(Event):
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self):
        sent = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"-> {self.method} {self.url}" + (f" ({sent})" if sent else "")


@dataclass(frozen=True)
class Said(Event):
    text: str
    voice: str = ""
    language: str = ""
    loop: int = 1

    def __str__(self):
        how = ", ".join(filter(None, [self.voice, self.language, _times(self.loop)]))
        return f"Says{f' ({how})' if how else ''}: {self.text}"


@dataclass(frozen=True)
class Played(Event):
    url: str
    loop: int = 1

    def __str__(self):
        return f"Plays {self.url}" + (f" ({_times(self.loop)})" if _times(self.loop) else "")


@dataclass(frozen=True)
class Paused(Event):
    seconds: int

    def __str__(self):
        return f"Pauses {self.seconds} s"


@dataclass(frozen=True)
class Gathering(Event):
    num_digits: int | None
    timeout: int
    finish_on_key: str
    # The language words are heard in; empty when the Gather does not listen for speech.
    speech_language: str = ""
    hints: int = 0
    keys: bool = True
    # The absolute URL the answer goes to (where the app names the step the caller is at).
    action: str = field(default="", compare=False)

    def __str__(self):
        wanted = (
            f"{self.num_digits} key{'s' if self.num_digits != 1 else ''}"
            if self.num_digits
            else "keys"
        )
        if self.speech_language:
            said = f"words in {self.speech_language}"
            hints = f", {self.hints} hint{'s' if self.hints != 1 else ''}" if self.hints else ""
            wanted = f"{wanted} or {said}{hints}" if self.keys else f"{said}{hints}"
        finish = f", ended by {self.finish_on_key}" if self.finish_on_key and self.keys else ""
        return f"Waits for {wanted} ({self.timeout} s{finish})"


@dataclass(frozen=True)
class Recording(Event):
    max_length: int
    finish_on_key: str

    def __str__(self):
        if not self.finish_on_key:
            return "(recording a message)"
        return f"(recording a message; press {' or '.join(self.finish_on_key)} to finish)"


@dataclass(frozen=True)
class Pressed(Event):
    keys: str

    def __str__(self):
        return f"You press {self.keys}"


@dataclass(frozen=True)
class Spoke(Event):
    words: str
    confidence: float

    def __str__(self):
        return f"You say “{self.words}” (confidence {self.confidence:.2f})"


@dataclass(frozen=True)
class NotListening(Event):
    words: str

    def __str__(self):
        return f"“{self.words}” went unheard: this menu listens for keys only"


@dataclass(frozen=True)
class TimedOut(Event):
    seconds: int

    def __str__(self):
        return f"You press nothing for {self.seconds} s"


@dataclass(frozen=True)
class Unheard(Event):
    keys: str

    def __str__(self):
        return f"Keys {self.keys} came after the input was complete and went unheard"


@dataclass(frozen=True)
class Dialed(Event):
    target: str
    outcome: str
    seconds: int

    def __str__(self):
        return f"Dials {self.target}: {self.outcome}" + (
            f" after {self.seconds} s" if self.seconds else ""
        )


@dataclass(frozen=True)
class Ended(Event):
    reason: str

    def __str__(self):
        return f"Call ends: {self.reason}"


@dataclass(frozen=True)
class Failed(Event):
    message: str

    def __str__(self):
        return f"Error: {self.message}"


def _times(loop: int) -> str:
    if loop == 1:
        return ""
    return "until the call ends" if loop == 0 else f"{loop} times"


@dataclass(frozen=True)
class Waiting:
    """A call paused at a <Gather> or a <Record>: plain data, enough to go on later (even in
    another process)."""

    call: dict[str, str]
    url: str
    document: str
    index: int
    requests: int
    digits: str = ""


@dataclass(frozen=True)
class Turn:
    """What the caller heard since the last key press, and the Gather that waits, if any."""

    events: tuple[Event, ...]
    waiting: Waiting | None
    error: str | None = None

    @property
    def ended(self) -> bool:
        return self.waiting is None
