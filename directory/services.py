"""Writes to the directory that are more than a plain save."""

from django.db import transaction

from .models import Directions


@transaction.atomic
def directions_put_in_use(*, directions: Directions) -> None:
    """Make this version the one callers hear; the version in use before is retired."""
    Directions.objects.filter(in_use=True).exclude(pk=directions.pk).update(in_use=False)
    Directions.objects.filter(pk=directions.pk).update(in_use=True)
    directions.in_use = True


def directions_take_out_of_use() -> None:
    """No version in use: callers who press 1 hear the 'directions unavailable' prompt."""
    Directions.objects.filter(in_use=True).update(in_use=False)
