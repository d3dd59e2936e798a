from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from calllog.models import Call, Step
from calllog.services import statistics_refresh


class Command(BaseCommand):
    help = "Delete calls, and their steps, older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.CALL_LOG_RETENTION_DAYS,
            metavar="DAYS",
            help="Delete calls that started more than DAYS days ago "
            "(default: CALL_LOG_RETENTION_DAYS, %(default)s).",
        )

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            raise CommandError("--older-than takes a number of days, 0 or more.")
        cutoff = timezone.now() - timedelta(days=older_than)
        with transaction.atomic():
            old_calls = Call.objects.filter(started_at__lt=cutoff)
            steps, _ = Step.objects.filter(call__in=old_calls.values("call_sid")).delete()
            # Steps whose call row never got written are purged by their own age.
            orphans, _ = (
                Step.objects.filter(created_at__lt=cutoff)
                .exclude(call__in=Call.objects.values("call_sid"))
                .delete()
            )
            calls, _ = old_calls.delete()
        statistics_refresh()
        self.stdout.write(
            f"Deleted {calls} call(s) and {steps + orphans} step(s) older than {older_than} days."
        )
