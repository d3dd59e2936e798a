"""recount_calls: the dashboard's day's counts counted again from the calls."""

from django.core.management.base import BaseCommand

from calllog.counts import day_counts_recount
from calllog.maintenance import maintenance_patience


class Command(BaseCommand):
    help = (
        "Count the dashboard's figures again from the calls themselves (the day's counts the "
        "call log's writes keep): after upgrading to the release that keeps them while servers "
        "of the release before still wrote calls, or after changing DJANGO_TIME_ZONE. The "
        "call log's writes wait meanwhile, in their spools."
    )

    def handle(self, *args, **options):
        with maintenance_patience():
            made = day_counts_recount()
        self.stdout.write(f"Counted the calls again: {made} day's count(s).")
