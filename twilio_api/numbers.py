"""The account's phone numbers (IncomingPhoneNumbers) and what Twilio does when one is called."""

from dataclasses import asdict, dataclass, fields

from .client import NotFound, TwilioApiError, client


@dataclass(frozen=True)
class Voice:
    """A number's voice settings, as Twilio names them; "" where none is set."""

    voice_url: str = ""
    voice_method: str = ""
    voice_fallback_url: str = ""
    voice_fallback_method: str = ""
    status_callback: str = ""
    status_callback_method: str = ""
    # Either one set makes Twilio ignore every URL above.
    voice_application_sid: str = ""
    trunk_sid: str = ""

    def changes_to(self, wanted: "Voice") -> list[tuple[str, str, str]]:
        """(setting, now, wanted) for each setting that differs; methods in any case."""
        changes = []
        for name, now in asdict(self).items():
            new = getattr(wanted, name)
            if now != new and not (name.endswith("_method") and now.upper() == new.upper()):
                changes.append((name, now, new))
        return changes


@dataclass(frozen=True)
class Number:
    sid: str
    phone_number: str
    friendly_name: str
    voice: Voice
    # Whether Twilio lets the number send texts (its capabilities' "sms").
    sms: bool


def numbers_list() -> list[Number]:
    """Every phone number of the account, in Twilio's order."""
    return [_number(record) for record in client().incoming_phone_numbers.stream()]


def number_get(phone_number: str) -> Number:
    """The account's number phone_number (E.164); NotFound when the account has none such."""
    found = client().incoming_phone_numbers.list(phone_number=phone_number, limit=1)
    if not found:
        raise NotFound(f"The Twilio account has no phone number {phone_number}.")
    return _number(found[0])


def number_update(number: Number, changes: dict[str, str]) -> Number:
    """Change these voice settings of a number in one request: all of them, or none."""
    record = client().incoming_phone_numbers(number.sid).update(**changes)
    return _number(record)


def _number(record) -> Number:
    voice = Voice(**{field.name: getattr(record, field.name) or "" for field in fields(Voice)})
    # Twilio's documentation spells the capabilities "SMS", its answers "sms".
    capabilities = {name.lower(): can for name, can in (record.capabilities or {}).items()}
    return Number(
        sid=record.sid,
        phone_number=record.phone_number,
        friendly_name=record.friendly_name or "",
        voice=voice,
        sms=capabilities.get("sms") is True,
    )


def number_connect(phone_number: str, wanted: Voice) -> tuple[Number, list[tuple[str, str, str]]]:
    """Give a number these voice settings in one update; returns it and what changed.

    Refuses (TwilioApiError) a number on a SIP trunk: Twilio would ignore its URLs, and taking it
    off the trunk is for a person to decide. A voice application on it is removed.
    """
    number = number_get(phone_number)
    changes = number.voice.changes_to(wanted)
    if not changes:
        return number, []
    if number.voice.trunk_sid:
        raise TwilioApiError(
            f"{phone_number} is on the SIP trunk {number.voice.trunk_sid}, so Twilio ignores "
            "its voice URLs. Take it off the trunk in the Twilio console first; nothing changed."
        )
    update = {name: value for name, value in asdict(wanted).items() if name != "trunk_sid"}
    if not number.voice.voice_application_sid:
        del update["voice_application_sid"]
    updated = number_update(number, update)
    if left := updated.voice.changes_to(wanted):
        raise TwilioApiError(
            f"Twilio kept other settings than those sent for {phone_number}: "
            + "; ".join(f"{name} is {now!r}" for name, now, _ in left)
        )
    return updated, changes
