"""Writes to the call log: each is a single statement, safe to repeat when Twilio retries."""

from datetime import timedelta

from django.utils import timezone

from .models import Call, Step


def call_start(*, call_sid: str, from_number: str, to_number: str) -> None:
    """The greeting: the call's row, unless a retry or the status callback made it already."""
    Call.objects.bulk_create(
        [Call(call_sid=call_sid, from_number=from_number, to_number=to_number)],
        ignore_conflicts=True,
    )


def step_record(
    *,
    call_sid: str,
    sequence: int,
    kind: str,
    digits: str = "",
    planet_id: int | None = None,
    dial_status: str = "",
    dial_duration: int | None = None,
    idempotency_token: str = "",
) -> None:
    """One step; a repeat of the same step (or idempotency token) is ignored by the database."""
    Step.objects.bulk_create(
        [
            Step(
                call_id=call_sid,
                sequence=sequence,
                kind=kind,
                digits=digits,
                planet_id=planet_id,
                dial_status=dial_status,
                dial_duration=dial_duration,
                idempotency_token=idempotency_token,
            )
        ],
        ignore_conflicts=True,
    )


def call_end(
    *, call_sid: str, from_number: str, to_number: str, status: str, duration: int | None
) -> None:
    """The status callback: merged into the call's row, created if the callback came first."""
    now = timezone.now()
    started = now - timedelta(seconds=duration or 0)
    Call.objects.bulk_create(
        [
            Call(
                call_sid=call_sid,
                from_number=from_number,
                to_number=to_number,
                started_at=started,
                ended_at=now,
                status=status,
                duration=duration,
            )
        ],
        update_conflicts=True,
        unique_fields=["call_sid"],
        update_fields=["ended_at", "status", "duration"],
    )
