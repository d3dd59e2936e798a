"""A directory of 500 planets: reachable by extension and by name, with a short planet directory and
webhooks whose database work does not grow with it."""

import itertools

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Planet, PlanetName
from ivr.twiml import HINTS_LIMIT
from tests.conftest import parse_twiml, spoken
from tests.factories import default_language, make_planet

pytestmark = pytest.mark.django_db

FIRST = ["Bra", "Cor", "Del", "Fen", "Gax", "Hol", "Jun", "Kes", "Lum", "Mor"]
FIRST += ["Nyx", "Pol", "Quar", "Ryl", "Sev", "Tor", "Ulm", "Vex", "Wyn", "Zan"]
SECOND = ["ador", "bix", "cundo", "drell", "emus", "fari", "goth", "hiri", "ilon", "joram"]
SECOND += ["kesh", "lune", "mara", "nost", "ovis", "pryn", "quell", "rigo", "sule", "tane"]
SECOND += ["umbo", "varn", "wick", "xoth", "yara"]
NAMES = [first + second for first, second in itertools.product(FIRST, SECOND)][:500]


def number(index: int) -> str:
    return f"+1415555{index:04d}"


def make_directory(size: int) -> list[Planet]:
    """size active planets with extensions 100, 101, ... in menu order, and a spoken name each."""
    planets = Planet.objects.bulk_create(
        Planet(name=name, key=str(100 + index), phone_number=number(index), position=index)
        for index, name in enumerate(NAMES[:size])
    )
    language = default_language()
    PlanetName.objects.bulk_create(
        PlanetName(planet=planet, language=language, spoken_name=f"the planet {planet.name}")
        for planet in planets
    )
    return planets


@pytest.fixture
def directory(db):
    return make_directory(500)


def planet_directory(client):
    return parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "2"}))


def dialed(root) -> str | None:
    dial = root.find("Dial")
    return dial.text if dial is not None else None


def test_every_planet_of_500_is_reached_by_its_extension(client, directory):
    planet_directory(client)  # the process reads the directory once
    url = reverse("ivr:planets")
    reached = [dialed(parse_twiml(client.post(url, {"Digits": p.key}))) for p in directory]
    assert reached == [planet.phone_number for planet in directory]


def test_every_planet_of_500_is_reached_by_its_name(client, directory):
    url = reverse("ivr:planets")
    reached = [
        dialed(parse_twiml(client.post(url, {"SpeechResult": p.name, "Confidence": "0.9"})))
        for p in directory
    ]
    assert reached == [planet.phone_number for planet in directory]


@pytest.mark.parametrize("spoken_as", ["the planet {name}", "I'd like {name} please"])
def test_planets_of_500_are_reached_by_name_with_filler(client, directory, spoken_as):
    url = reverse("ivr:planets")
    for planet in directory[::7]:
        words = spoken_as.format(name=planet.name)
        root = parse_twiml(client.post(url, {"SpeechResult": words, "Confidence": "0.9"}))
        assert dialed(root) == planet.phone_number, words


def test_a_planet_of_500_is_reached_by_name_from_the_main_menu(client, directory):
    planet = directory[-1]
    root = parse_twiml(
        client.post(reverse("ivr:menu"), {"SpeechResult": planet.name, "Confidence": "0.9"})
    )
    assert dialed(root) == planet.phone_number


def test_the_planet_directory_of_500_reads_nine_then_offers_names_and_extensions(client, directory):
    gather = planet_directory(client).find("Gather")
    says = spoken(gather)
    assert says[:9] == [
        f"To call the planet {planet.name}, press {' '.join(planet.key)}."
        for planet in directory[:9]
    ]
    assert says[9:] == [
        "Or say the planet's name, or enter its extension.",
        "To go back to the main menu, press the star key.",
    ]
    assert gather.get("numDigits") == "3"


def test_the_number_of_planets_read_is_a_setting(client, directory, django_settings):
    django_settings.IVR_PLANET_DIRECTORY_READS = 3
    says = spoken(planet_directory(client))
    assert len(says) == 5
    assert says[3] == "Or say the planet's name, or enter its extension."


def test_a_directory_at_the_limit_is_read_whole(client, django_settings):
    make_directory(9)
    says = spoken(planet_directory(client))
    assert len(says) == 10
    assert "Or say the planet's name, or enter its extension." not in says


def test_the_planet_directory_of_500_stays_short_with_hints_capped(client, directory):
    response = client.post(reverse("ivr:menu"), {"Digits": "2"})
    gather = parse_twiml(response).find("Gather")
    hints = gather.get("hints").split(", ")
    assert len(hints) == HINTS_LIMIT
    assert all(len(hint) <= 100 for hint in hints)
    # "back" first, then each planet's first words (its spoken name) before anyone's second.
    assert hints == ["back", *(f"the planet {planet.name}" for planet in directory[:499])]
    assert len(response.content) < 25_000


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("ivr:menu", {"Digits": "2"}),
        ("ivr:planets", {"Digits": "599"}),
        ("ivr:planets", {"SpeechResult": "Zanyara", "Confidence": "0.9"}),
        ("ivr:planets", {"SpeechResult": "nothing like a planet", "Confidence": "0.9"}),
    ],
)
def test_a_webhooks_database_work_does_not_grow_with_the_directory(
    client, django_assert_num_queries, name, params
):
    url = reverse(name) + "?step=1"
    make_planet(name="Zanyara", key="599")
    # A warm script: the directory is read once per change, not per request.
    planet_directory(client)
    # A request empties the query log as it starts: counting from an empty log counts it all.
    reset_queries()
    with CaptureQueriesContext(connection) as one_planet:
        parse_twiml(client.post(url, {"CallSid": "CA1", **params}))
    count = len(one_planet)  # read from the log, before it is emptied again
    assert count >= 1  # the revision, at least

    Planet.objects.all().delete()
    make_directory(500)
    planet_directory(client)
    reset_queries()
    with django_assert_num_queries(count):
        parse_twiml(client.post(url, {"CallSid": "CA500", **params}))
