"""make bench's verdicts: each target against the figures of the run."""

from bench import run


def result(requests_per_s: float, p99_ms: float = 5.0) -> run.Result:
    return run.Result(requests_per_s, 1.0, p99_ms, 0, 0)


def rows(tree: float) -> dict:
    return {
        "ours": {16: result(7000), 64: result(7200)},
        "Node sample": {16: result(5000, 8.0), 64: result(5200, 60.0)},
        run.TREE: {16: result(tree), 64: result(tree)},
    }


def verdicts(table: str) -> dict[str, str]:
    cells = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    return {target.strip(): met.strip() for target, _figure, met in cells}


def test_the_50_menu_tree_within_10_percent_of_the_demo_meets_its_target():
    met = verdicts(run.targets(rows(tree=6500), [16, 64], workers=2))
    assert met["ours on the 50-menu tree within 10 % of the demo's requests/s at 16"] == "yes"
    assert met["ours on the 50-menu tree within 10 % of the demo's requests/s at 64"] == "yes"


def test_the_50_menu_tree_slower_by_more_than_10_percent_misses_its_target():
    met = verdicts(run.targets(rows(tree=6400), [16, 64], workers=2))
    # 6,400 is 0.91 of 7,000 but 0.89 of 7,200.
    assert met["ours on the 50-menu tree within 10 % of the demo's requests/s at 16"] == "yes"
    assert met["ours on the 50-menu tree within 10 % of the demo's requests/s at 64"] == "**no**"


def test_the_ratios_show_the_tree_against_the_demo():
    table = run.ratios(rows(tree=6300), [16, 64], workers=2)
    assert [line.split("|")[-2].strip() for line in table.splitlines()[2:]] == ["0.90", "0.88"]


def test_counting_for_metrics_under_10_microseconds_meets_its_target():
    target = "counting for /metrics < 10 µs a request"
    assert verdicts(run.targets(rows(tree=7000), [16], workers=2, counting=6.0))[target] == "yes"
    assert verdicts(run.targets(rows(tree=7000), [16], workers=2, counting=10.0))[target] == (
        "**no**"
    )
