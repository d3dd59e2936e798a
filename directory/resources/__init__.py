"""The directory as rows for import and export in the admin (django-import-export).

One row per planet (its own fields, its spoken name and its aliases in each language, its
weekly opening hours), per menu (what it says in each language) and per option (what it does,
its sentence, words and message in each language). The column names are fixed identifiers, the
same whatever language the admin speaks, so a file exported by one member of staff imports for
another.
"""

from .planets import PlanetResource
from .tree import MenuResource, OptionResource

__all__ = ["MenuResource", "OptionResource", "PlanetResource"]
