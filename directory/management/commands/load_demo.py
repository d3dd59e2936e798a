"""load_demo: the demo directory, loaded into an empty directory only (make run)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from directory.models import Directions, Language, Menu, Planet, Prompt


class Command(BaseCommand):
    help = "Load the demo directory (fixtures/demo.json), but only into an empty directory."

    def handle(self, *args, **options):
        # Never overwrite what staff have edited: any row at all means the directory is in use.
        if any(model.objects.exists() for model in (Language, Planet, Directions, Prompt, Menu)):
            self.stdout.write("The directory already has data; the demo was not loaded.")
            return
        call_command("loaddata", "demo", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Loaded the demo directory."))
