"""Plain factory functions for test data."""

from django.contrib.auth.models import Permission, User

from directory.models import Directions, Planet, Prompt


def make_planet(**kwargs) -> Planet:
    kwargs.setdefault("name", f"Planet {Planet.objects.count() + 1}")
    kwargs.setdefault("spoken_name", f"the planet {kwargs['name']}")
    kwargs.setdefault("key", "5")
    kwargs.setdefault("phone_number", "+17262043675")
    kwargs.setdefault("position", 10)
    planet = Planet(**kwargs)
    planet.full_clean()
    planet.save()
    return planet


def make_directions(**kwargs) -> Directions:
    kwargs.setdefault("name", f"Version {Directions.objects.count() + 1}")
    kwargs.setdefault("text", "Turn left at the moon.")
    return Directions.objects.create(**kwargs)


def make_prompt(key: str, text: str, **kwargs) -> Prompt:
    prompt, _ = Prompt.objects.update_or_create(key=key, defaults={"text": text, **kwargs})
    return prompt


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


def step_entry(call_sid: str, sequence: int, at, kind: str, **fields) -> dict:
    """A call-log entry for one step, as a webhook hands it to calllog.services."""
    fields.setdefault("digits", "")
    fields.setdefault("planet_id", None)
    fields.setdefault("dial_status", "")
    fields.setdefault("dial_duration", None)
    fields.setdefault("idempotency_token", "")
    entry = {"record": "step", "at": at.isoformat(), "call_sid": call_sid}
    return entry | {"sequence": sequence, "kind": kind, **fields}
