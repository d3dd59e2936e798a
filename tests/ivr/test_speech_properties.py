"""Properties of the speech matcher, over generated directories and utterances."""

import string

from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ivr.speech import Candidate, Choices, normalise, said_digits

settings = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
english_names = st.lists(
    st.text(alphabet=string.ascii_lowercase, min_size=4, max_size=10),
    min_size=1,
    max_size=8,
    unique=True,
)
japanese_names = st.lists(
    st.text(alphabet=KATAKANA, min_size=3, max_size=6), min_size=1, max_size=8, unique=True
)


def directory(names: list[str], language: str) -> Choices:
    # Names that are filler or numbers alone, or that read the same as another, name nothing.
    readings = [normalise(name, language=language) for name in names]
    assume(all(readings) and len(set(readings)) == len(readings))
    assume(all(said_digits(name, language=language) is None for name in names))
    candidates = [Candidate(f"planet:{n}", (name,)) for n, name in enumerate(names)]
    return Choices(candidates, language=language)


@settings
@given(names=english_names, heard=st.text(max_size=400))
def test_any_words_give_a_match_or_nothing_never_an_error(names, heard):
    choices = Choices(
        [Candidate(f"planet:{n}", (name,)) for n, name in enumerate(names)], language="en-GB"
    )
    match = choices.match(heard)
    assert 0 <= match.score <= 100
    assert match.target is None or match.target.startswith("planet:")


@settings
@given(names=english_names, pick=st.integers(min_value=0))
def test_a_planets_own_name_always_matches_it(names, pick):
    choices = directory(names, "en-GB")
    n = pick % len(names)
    match = choices.match(names[n])
    assert (match.target, match.score) == (f"planet:{n}", 100.0)


@settings
@given(names=japanese_names, pick=st.integers(min_value=0))
def test_a_japanese_name_matches_it_in_katakana_or_hiragana(names, pick):
    choices = directory(names, "ja-JP")
    n = pick % len(names)
    hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ン" else c for c in names[n])
    assert choices.match(names[n]).target == f"planet:{n}"
    assert choices.match(hiragana).target == f"planet:{n}"


@settings
@given(
    names=english_names,
    pick=st.integers(min_value=0),
    before=st.sampled_from(["", "the planet", "i want to call", "please put me through to"]),
    after=st.sampled_from(["", "please", "okay please"]),
)
def test_filler_words_do_not_change_the_match(names, pick, before, after):
    choices = directory(names, "en-GB")
    n = pick % len(names)
    plain = choices.match(names[n])
    padded = choices.match(f"{before} {names[n]} {after}")
    assert padded.target == plain.target == f"planet:{n}"


@settings
@given(
    names=japanese_names,
    pick=st.integers(min_value=0),
    after=st.sampled_from(["", "をお願いします", "につないでください", "でお願いします"]),
)
def test_japanese_filler_does_not_change_the_match(names, pick, after):
    choices = directory(names, "ja-JP")
    n = pick % len(names)
    assert choices.match(f"えーと、{names[n]}{after}").target == f"planet:{n}"
