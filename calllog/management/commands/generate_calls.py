"""generate_calls: plausible calls in bulk, for the demo's dashboard and the benchmark."""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calllog.maintenance import statistics_refresh
from calllog.models import Call, Step
from calllog.writer import calls_insert, steps_summary
from directory.models import Menu, Planet

BATCH = 5_000


class Command(BaseCommand):
    help = (
        "Fill the call log with plausible calls over the last days (demo data, or a million "
        "rows for the benchmark). Bulk inserts; quick even for large counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=300, help="How many calls (300).")
        parser.add_argument("--days", type=int, default=30, help="Spread over days (30).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the log has calls already."
        )

    def handle(self, *args, count, days, seed, if_empty, **options):
        if count < 0 or days < 1:
            raise CommandError("--count must be 0 or more and --days 1 or more.")
        if if_empty and Call.objects.exists():
            self.stdout.write("The call log already has calls; none were generated.")
            return
        planets = list(Planet.objects.filter(is_active=True).values_list("pk", "key"))
        entry = Menu.objects.filter(is_default=True).values_list("slug", flat=True).first()
        rng = random.Random(seed)
        now = timezone.now()
        prefix = f"CAdemo{seed:04d}{int(now.timestamp()):x}"
        # Oldest first: every index then grows at its end, several times faster than inserting
        # a million rows at random places.
        starts = sorted(rng.randrange(days * 86_400) for _ in range(count))
        made = 0
        while made < count:
            calls, steps = [], []
            for n in range(made, min(made + BATCH, count)):
                started = now - timedelta(seconds=starts[-1 - n])
                call, call_steps = _plausible_call(
                    rng, f"{prefix}{n:010d}", started, planets, menu=entry or "main"
                )
                calls.append(call)
                steps += call_steps
            calls_insert(calls=calls, steps=steps)
            made += len(calls)
        statistics_refresh()
        self.stdout.write(f"Generated {made} call(s) over the last {days} days.")


def _plausible_call(rng, sid, started, planets, *, menu):
    """A call along one of the demo tree's usual paths (from its first menu, short name
    `menu`), with made-up but well-formed numbers."""
    caller = f"+1{rng.randrange(201, 990)}{rng.randrange(200, 999)}{rng.randrange(10**4):04d}"
    made = _Steps(rng, sid, started, menu)
    _walk(rng, made, planets, menu)
    ended = made.at + timedelta(seconds=rng.randrange(2, 30))
    call = Call(
        call_sid=sid,
        from_number=caller,
        to_number="+18005550100",
        started_at=started,
        ended_at=ended,
        status="completed",
        duration=int((ended - started).total_seconds()),
        first_menu=menu,
        **steps_summary(made.steps, first_menu=menu),
    )
    return call, made.steps


class _Steps:
    """A call's steps as they are made, a few seconds apart."""

    def __init__(self, rng, sid, started, menu):
        self.rng, self.sid, self.at, self.menu = rng, sid, started, menu
        self.steps: list[Step] = []

    def step(self, kind, **fields):
        self.at += timedelta(seconds=self.rng.randrange(4, 15))
        fields.setdefault("menu", self.menu)
        self.steps.append(
            Step(
                call_id=self.sid,
                sequence=len(self.steps) + 1,
                kind=kind,
                created_at=self.at,
                **fields,
            )
        )

    def answer(self, digits, outcome, *, next_menu=""):
        option = digits if outcome == Step.Outcome.CHOSE else ""
        self.step(
            Step.Kind.MENU_KEY,
            digits=digits,
            menu=self.menu,
            outcome=outcome,
            option=option,
            next_menu=next_menu,
        )


def _walk(rng, made: _Steps, planets, menu):
    """The directions, the planets (dialing until one answers or the caller gives up), or a
    miss and a hang-up at the menu."""
    path = rng.random()
    if path < 0.3:
        made.answer("1", Step.Outcome.CHOSE)
    elif path < 0.85 and planets:
        made.answer("2", Step.Outcome.CHOSE)
        # After a dial that was not answered the planet directory comes back: some try another.
        while True:
            pk, key = rng.choice(planets)
            made.step(Step.Kind.PLANET_KEY, digits=key, planet_id=pk)
            answered = rng.random() < 0.7
            duration = rng.randrange(20, 600) if answered else None
            status = "completed" if answered else rng.choice(["busy", "no-answer", "failed"])
            made.step(
                Step.Kind.DIAL_OUTCOME, planet_id=pk, dial_status=status, dial_duration=duration
            )
            if answered or rng.random() < 0.8:
                break
    else:
        # A wrong key or silence, the menu again, and the caller hangs up there.
        if rng.random() < 0.5:
            made.answer("", Step.Outcome.NO_INPUT, next_menu=menu)
        else:
            made.answer("9", Step.Outcome.WRONG_KEY, next_menu=menu)
        made.step(Step.Kind.MAIN_MENU, menu=menu, next_menu=menu)
