"""purge_calls: delete old calls, and what the other rooms keep about them."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calllog.maintenance import calls_purge, maintenance_patience, others_purge, statistics_refresh


class Command(BaseCommand):
    help = (
        "Delete calls, and their steps, older than the retention period, in short batches that "
        "never hold the database's write lock for long; and what the other rooms keep about "
        "calls as old (voicemails with their recordings at Twilio, texts)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.CALL_LOG_RETENTION_DAYS,
            metavar="DAYS",
            help="Delete calls that started more than DAYS days ago "
            "(default: CALL_LOG_RETENTION_DAYS, %(default)s).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            metavar="CALLS",
            help="Calls deleted per transaction (default: %(default)s).",
        )

    def handle(self, *args, older_than, batch_size, **options):
        if older_than < 0:
            raise CommandError("--older-than takes a number of days, 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size takes a number of calls, 1 or more.")
        before = timezone.now() - timedelta(days=older_than)
        with maintenance_patience():
            calls, steps, batches = calls_purge(before=before, batch_size=batch_size)
            statistics_refresh()
            self.stdout.write(
                f"Deleted {calls} call(s) and {steps} step(s) older than {older_than} days "
                f"in {batches} batch(es)."
            )
            said, kept = others_purge(before=before)
        for line in said:
            self.stdout.write(line)
        if kept:
            # Nothing is deleted halfway silently: what was kept stays, and this says why.
            raise CommandError("\n".join(kept))
