"""What a caller said, matched to a menu choice or a planet: fuzzy, filler-free, on readings."""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest

import pykakasi
from rapidfuzz import fuzz, process

from directory.nodes import LanguageOption, MenuNode
from directory.script import Script, Wording

# Twilio sends at most a few sentences; anything longer is noise we need not read in full.
HEARD_LIMIT = 300

# Sounds and courtesies that never name anything, then words around a name ("I want to call
# the planet ..."), which do when said alone ("planets").
ENGLISH_NOISE = frozenset(
    {"please", "um", "uh", "er", "erm", "hmm", "oh", "ok", "okay", "hello", "hi"}
)
ENGLISH_FILLER = frozenset(
    {
        "a", "an", "the", "planet", "planets", "i", "id", "i'd", "im", "i'm", "want", "wanna",
        "would", "like", "to", "call", "calling", "connect", "connected", "me", "with", "through",
        "put", "go", "take", "can", "could", "you", "get", "reach", "talk", "speak", "yes",
    }
)  # fmt: skip
ENGLISH_NUMBERS = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "number": "",
    "extension": "",
    "press": "",
    "key": "",
}
# Readings (hiragana) of what Japanese callers say around a name, trimmed from either end.
JAPANESE_FILLER_PREFIXES = ("えーと", "えっと", "あのー", "あの", "わくせいの", "わくせい")
JAPANESE_POLITE_SUFFIXES = (
    "につないでください",
    "へつないでください",
    "にでんわしたいです",
    "におねがいします",
    "をおねがいします",
    "でおねがいします",
    "にでんわしたい",
    "おねがいします",
    "につないで",
    "にでんわ",
    "ください",
    "わくせい",
    "です",
)
# Particles are trimmed from names only: in "いちに" (one two) the last kana is a digit.
JAPANESE_PARTICLES = ("へ", "に", "を", "で")
JAPANESE_NUMBER_SUFFIXES = ("ばんごう", "ばん")
JAPANESE_NUMBERS = (
    ("きゅう", "9"),
    ("しち", "7"),
    ("なな", "7"),
    ("よん", "4"),
    ("ろく", "6"),
    ("はち", "8"),
    ("いち", "1"),
    ("ぜろ", "0"),
    ("れい", "0"),
    ("まる", "0"),
    ("さん", "3"),
    ("に", "2"),
    ("ご", "5"),
    ("し", "4"),
    ("く", "9"),
)
PUNCTUATION = re.compile(r"[^\w\s']+")


@dataclass(frozen=True)
class Candidate:
    """Something a caller can ask for: its target, the phrases it is known by, its key."""

    target: str
    phrases: tuple[str, ...]
    key: str = ""


@dataclass(frozen=True)
class Heard:
    """What a caller's words matched: the best target (None for nothing) and how well."""

    target: str | None
    score: float
    runner_up: float = 0.0
    by_key: bool = False


# Kept for ever: pykakasi's dictionary changes only with the library (a restart).
@lru_cache(maxsize=1)
def _kakasi() -> pykakasi.kakasi:
    return pykakasi.kakasi()


def prepare() -> None:
    """Load the Japanese readings now (a server's start-up), not for the first Japanese caller:
    pykakasi reads its whole dictionary when made (a third of a second, 300,000 objects)."""
    _kakasi()


def is_japanese(language: str) -> bool:
    return language.split("-")[0].lower() == "ja"


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:HEARD_LIMIT]).casefold()
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    return " ".join(PUNCTUATION.sub(" ", text).split())


def reading(text: str) -> str:
    """The hiragana reading, so katakana, hiragana and kanji spellings of a name compare equal."""
    return "".join(part["hira"] for part in _kakasi().convert(_clean(text))).replace(" ", "")


def _trim_japanese(text: str, suffixes=JAPANESE_POLITE_SUFFIXES + JAPANESE_PARTICLES) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in JAPANESE_FILLER_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix) :], True
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text


def _japanese_digits(text: str) -> str | None:
    digits = ""
    while text:
        if text[0].isdigit():
            digits, text = digits + text[0], text[1:]
            continue
        for word, digit in JAPANESE_NUMBERS:
            if text.startswith(word):
                digits, text = digits + digit, text[len(word) :]
                break
        else:
            return None
    return digits or None


def _english_digits(words: list[str]) -> str | None:
    digits = []
    for word in words:
        if word.isdigit():
            digits.append(word)
        elif word in ENGLISH_NUMBERS:
            digits.append(ENGLISH_NUMBERS[word])
        else:
            return None
    return "".join(digits) or None


def normalise(text: str, *, language: str) -> str:
    """A phrase reduced to what identifies it: no filler, Japanese as its reading."""
    if is_japanese(language):
        return _trim_japanese(reading(text))
    words = [w for w in _clean(text).split() if w not in ENGLISH_NOISE]
    # Filler alone ("planets", "yes") is what the caller meant.
    return " ".join([w for w in words if w not in ENGLISH_FILLER] or words)


def said_digits(text: str, *, language: str) -> str | None:
    """The key or extension said as numbers ("three", "four five", "さん", "3番"), if only that."""
    if is_japanese(language):
        suffixes = JAPANESE_POLITE_SUFFIXES + JAPANESE_NUMBER_SUFFIXES
        return _japanese_digits(_trim_japanese(reading(text), suffixes))
    words = [
        w for w in _clean(text).split() if w == "oh" or w not in ENGLISH_NOISE | ENGLISH_FILLER
    ]
    return _english_digits(words)


class Choices:
    """Candidates prepared once for one language, to match many utterances against."""

    def __init__(self, candidates: list[Candidate], *, language: str):
        self.language = language
        self.by_key = {c.key: c.target for c in candidates if c.key}
        self.phrases: list[str] = []
        self.targets: list[str] = []
        for candidate in candidates:
            for phrase in {normalise(p, language=language) for p in candidate.phrases}:
                if phrase:
                    self.phrases.append(phrase)
                    self.targets.append(candidate.target)

    def match(self, heard: str) -> Heard:
        """The candidate the words best match, with the best other candidate's score."""
        digits = said_digits(heard, language=self.language)
        if digits is not None:
            target = self.by_key.get(digits)
            return Heard(target, 100.0 if target else 0.0, by_key=True)
        words = normalise(heard, language=self.language)
        if not words or not self.phrases:
            return Heard(None, 0.0)
        best: dict[str, float] = {}
        for _phrase, score, index in process.extract(
            words, self.phrases, scorer=fuzz.WRatio, limit=12
        ):
            target = self.targets[index]
            best[target] = max(best.get(target, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        target, score = ranked[0]
        if score == 0:
            return Heard(None, 0.0)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return Heard(target, score, runner_up)


# Below this score what was heard matched nothing (noise scores under it, see the tests).
MATCH_FLOOR = 60.0
# Two candidates within this many points of each other are too close to pick without asking.
CLOSE_MARGIN = 10.0
# What confirms or denies, and what goes back, in each language (by its primary subtag).
YES = {
    "en": ("yes", "yeah", "yep", "correct", "that's right", "right"),
    "ja": ("はい", "ええ", "そうです", "うん"),
}
NO = {"en": ("no", "nope", "wrong", "no thanks"), "ja": ("いいえ", "いや", "違います", "ちがう")}
BACK = {"en": ("back", "go back", "main menu"), "ja": ("戻る", "戻って", "メインメニュー")}
MESSAGE = {
    "en": ("message", "leave a message", "voicemail"),
    "ja": ("メッセージ", "伝言", "留守番電話"),
}


@dataclass(frozen=True)
class Understood:
    """What a caller's words meant at one menu.

    target is a key the words stand for ("1", "*", a language's welcome key) or "planet:<pk>",
    or None when they matched nothing; sure is False when the caller should be asked first.
    """

    target: str | None
    score: float
    sure: bool

    @property
    def planet_pk(self) -> int | None:
        if self.target and self.target.startswith("planet:"):
            return int(self.target.removeprefix("planet:"))
        return None


def _words(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    return table.get(language.split("-")[0].lower(), table["en"])


class Vocabulary:
    """What a caller may say at each menu in one language, prepared once per Script."""

    def __init__(self, wording: Wording):
        language = wording.language.code
        self.wording = wording
        self.planet_candidates = [
            (f"planet:{planet.pk}", wording.planet_words(planet), planet.key)
            for planet in wording.script.directory_planets
        ]
        directory_choices = [("*", _words(BACK, language), ""), *self.planet_candidates]
        confirm = [("1", _words(YES, language), "1"), ("2", _words(NO, language), "2")]
        # The voicemail offer: key 1 or "message"; anything else goes back to the planet directory.
        message = [("1", _words(MESSAGE, language), "1")]
        self.language = language
        self.planets, self.planet_hints = self._prepare(directory_choices)
        self.confirm, self.confirm_hints = self._prepare(confirm)
        self.voicemail, self.voicemail_hints = self._prepare(message)
        self._menus: dict[str, tuple[Choices, tuple[str, ...]]] = {}

    def menu(self, menu: MenuNode) -> tuple[Choices, tuple[str, ...]]:
        """A menu's choices and hints: its options' words (a language's option: the language's
        name, unless it is the caller's), and the planets' at a menu leading to the
        directory (a name there puts the caller through)."""
        if (prepared := self._menus.get(menu.slug)) is None:
            wording = self.wording
            candidates = [
                (option.key, wording.option_words(option), option.key)
                for option in menu.options
                if option.target_language != wording.language.code
            ]
            if menu.has_directory:
                candidates += [
                    (target, words, "") for target, words, _key in self.planet_candidates
                ]
            prepared = self._menus[menu.slug] = self._prepare(candidates)
        return prepared

    def _prepare(self, candidates) -> tuple[Choices, tuple[str, ...]]:
        choices = Choices(
            [Candidate(target, tuple(words), key) for target, words, key in candidates],
            language=self.language,
        )
        # Each candidate's first word, then each one's second, and so on: when a large directory
        # has more words than Twilio takes, every planet keeps its first.
        ranked = zip_longest(*(words for _target, words, _key in candidates))
        hints = tuple(dict.fromkeys(word for rank in ranked for word in rank if word))
        return choices, hints


def understand(choices: Choices, heard: str, *, confidence: float, threshold: float) -> Understood:
    """What the words mean at a menu: sure when both Twilio's confidence and the match's score
    reach the threshold and no other candidate scores close. Words for a key (not a planet)
    count only as a close match (a short word like "back" scores 60 inside any longer phrase):
    a key is pressed at once, never confirmed."""
    match = choices.match(heard)
    if match.target is None or match.score < MATCH_FLOOR:
        return Understood(None, match.score, False)
    if not match.target.startswith("planet:") and match.score < 100 * threshold:
        return Understood(None, match.score, False)
    sure = (
        min(confidence, match.score / 100) >= threshold
        and match.score - match.runner_up >= CLOSE_MARGIN
    )
    return Understood(match.target, match.score, sure)


def vocabulary(wording: Wording) -> Vocabulary:
    """The vocabulary of the call's language, built once per Script (not per request)."""
    return _vocabulary(wording.script, wording.language)


# Kept per Script and language: any change staff make gives a new Script (directory/selectors.py)
# whose vocabularies are built anew. A replaced Script stays alive (with what it keeps) until
# its vocabularies are pushed out by 32 newer ones: a few Scripts, as a tree has a few languages.
@lru_cache(maxsize=32)
def _vocabulary(script: Script, language: LanguageOption) -> Vocabulary:
    return Vocabulary(script.wording(language))
