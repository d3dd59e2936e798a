"""Reads for voicemail: whether a planet takes messages."""

from directory.models import Planet


def planet_takes_voicemail(planet_pk: int) -> bool:
    """The planet exists and has voicemail switched on."""
    return Planet.objects.filter(pk=planet_pk, takes_voicemail=True).exists()
