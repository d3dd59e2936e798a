"""Plain factory functions for test data."""

import io
import wave

from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.utils import timezone

from directory.models import (
    BUILT_IN_GREETING,
    BUILT_IN_THANK_YOU,
    DIRECTIONS_PLACEHOLDER,
    Action,
    Announcement,
    Directions,
    Language,
    Menu,
    MenuPrompt,
    Option,
    Planet,
    PlanetName,
    Prompt,
    PromptText,
)


def default_language() -> Language:
    """The line's default language: the demo's English, made when there is none."""
    language = Language.objects.filter(is_default=True).first()
    if language is None:
        language = make_language(code="en-GB", name="English", voice="alice", is_default=True)
    return language


def make_language(*, welcome_key: str | None = None, **kwargs) -> Language:
    """A language, offered at the main menu by a key of its own (9, then 8...; "" for none)."""
    kwargs.setdefault("code", "ja-JP")
    kwargs.setdefault("name", kwargs["code"])
    kwargs.setdefault("position", 10 * (Language.objects.count() + 1))
    if welcome_key is None:
        welcome_key = str(9 - Language.objects.count())
    language = Language(**kwargs)
    language.full_clean()
    language.save()
    if welcome_key:
        make_option(
            menu=main_menu(),
            key=welcome_key,
            action=Action.LANGUAGE,
            target_language=language,
            position=100 + language.position,
        )
    return language


def main_menu() -> Menu:
    """Where calls start: made, when there is none, as the built-in tree (ET's main menu: its
    greeting, 1 says the directions and the thank-you, 2 the planet directory)."""
    menu = Menu.objects.filter(is_default=True).first()
    if menu is not None:
        return menu
    menu = Menu.objects.create(name="Main menu", slug="main", is_default=True)
    language = default_language()
    MenuPrompt.objects.create(menu=menu, language=language, text=BUILT_IN_GREETING)
    directions = make_option(menu=menu, key="1", action=Action.ANNOUNCE, read_out=False)
    for position, text in enumerate((DIRECTIONS_PLACEHOLDER, BUILT_IN_THANK_YOU)):
        Announcement.objects.create(
            option=directions, language=language, position=position, text=text
        )
    make_option(menu=menu, key="2", action=Action.DIRECTORY, read_out=False, position=20)
    return menu


def make_menu(**kwargs) -> Menu:
    kwargs.setdefault("name", f"Menu {Menu.objects.count() + 1}")
    kwargs.setdefault("slug", f"menu-{Menu.objects.count() + 1}")
    menu = Menu(**kwargs)
    menu.full_clean()
    menu.save()
    return menu


def make_option(**kwargs) -> Option:
    kwargs.setdefault("position", 10 * (Option.objects.filter(menu=kwargs["menu"]).count() + 1))
    option = Option(**kwargs)
    option.full_clean()
    option.save()
    return option


def make_menu_prompt(text: str, *, menu: Menu | None = None, **kwargs) -> MenuPrompt:
    """What a menu (the main one unless given) says in a language (the default one unless
    given), replacing what it said."""
    kwargs.setdefault("language", default_language())
    prompt, _ = MenuPrompt.objects.update_or_create(
        menu=menu or main_menu(), language=kwargs.pop("language"), defaults={"text": text, **kwargs}
    )
    return prompt


def make_planet(*, spoken_name: str = "", **kwargs) -> Planet:
    """A planet with a spoken name in the default language."""
    kwargs.setdefault("name", f"Planet {Planet.objects.count() + 1}")
    kwargs.setdefault("key", "5")
    kwargs.setdefault("phone_number", "+17262043675")
    kwargs.setdefault("position", 10)
    planet = Planet(**kwargs)
    planet.full_clean()
    planet.save()
    PlanetName.objects.create(
        planet=planet,
        language=default_language(),
        spoken_name=spoken_name or f"the planet {kwargs['name']}",
    )
    return planet


def make_directions(**kwargs) -> Directions:
    kwargs.setdefault("language", default_language())
    kwargs.setdefault("name", f"Version {Directions.objects.count() + 1}")
    kwargs.setdefault("text", "Turn left at the moon.")
    return Directions.objects.create(**kwargs)


def make_prompt(key: str, text: str, *, language: Language | None = None, **kwargs) -> PromptText:
    """A prompt's text in a language (the default one unless given), replacing any before."""
    prompt, _ = Prompt.objects.get_or_create(key=key)
    prompt_text, _ = PromptText.objects.update_or_create(
        prompt=prompt,
        language=language or default_language(),
        defaults={"text": text, **kwargs},
    )
    return prompt_text


def make_staff(*, permissions: tuple[str, ...] = (), **kwargs) -> User:
    """A staff user (not a superuser) with the given 'app_label.codename' permissions."""
    kwargs.setdefault("username", "staff")
    kwargs.setdefault("is_staff", True)
    user = User.objects.create_user(password="not-a-real-password", **kwargs)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def log_entry(entry_type: str, call_sid: str | None = None, at=None, **fields) -> dict:
    """An entry as a webhook hands it to a spool (calllog.entries.keep): its type
    ("call_start", "step", "status"...), its request's time (now, unless given: a datetime or
    ISO text), its call (a text's status has none), and its fields."""
    at = timezone.now() if at is None else at
    at = at if isinstance(at, str) else at.isoformat()
    call = {} if call_sid is None else {"call_sid": call_sid}
    return {"type": entry_type, "at": at, **call, **fields}


def step_entry(call_sid: str, sequence: int, at, kind: str, **fields) -> dict:
    """A call-log entry for one step, as a webhook hands it to the spool."""
    fields.setdefault("digits", "")
    fields.setdefault("planet_id", None)
    fields.setdefault("dial_status", "")
    fields.setdefault("dial_duration", None)
    fields.setdefault("idempotency_token", "")
    return log_entry("step", call_sid, at, sequence=sequence, kind=kind, **fields)


def wav(seconds: float = 1.0, *, rate: int = 8000) -> bytes:
    """A real WAV file of silence (16-bit mono), as a phone line would carry."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\0\0" * int(rate * seconds))
    return buffer.getvalue()


def mp3(seconds: float = 1.0) -> bytes:
    """A real MP3 file: frames of silence, MPEG-1 Layer III, 128 kbit/s, 44.1 kHz (each
    frame 417 bytes and 1152 samples)."""
    frame = bytes.fromhex("FFFB9064") + bytes(413)
    return frame * round(seconds * 44100 / 1152)


def make_recording(row, *, seconds: float = 1.0):
    """Give a prompt's text or a directions version a recording, stored as an upload is."""
    row.recording = ContentFile(wav(seconds), name="recording.wav")
    row.save()
    return row
