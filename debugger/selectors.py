"""What the Debugger's reports say about the line, for the dashboard and twilio_connect."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Level, Report

# The period the dashboard and twilio_connect --check count errors over.
RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class Recent:
    """How many errors Twilio reported lately, and when its last report (of any level) came."""

    errors: int
    last_report: datetime | None


def recent_get(*, now: datetime | None = None) -> Recent:
    since = (now or timezone.now()) - RECENT
    figures = Report.objects.aggregate(
        errors=Count("pk", filter=Q(level=Level.ERROR, occurred_at__gte=since)),
        last_report=Max("occurred_at"),
    )
    return Recent(**figures)
