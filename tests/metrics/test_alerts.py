"""The alert rules shipped in deploy/prometheus pass promtool's check and their unit tests, and
they and the Grafana dashboard name only metrics /metrics serves; a broken rule fails the
suite."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from metrics.registry import REGISTRY
from tests.metrics.deploy_files import ALERTS, ALERTS_TESTS, RULES, alert_rules, dashboard_exprs


def promtool(*args: str, cwd: Path = RULES) -> subprocess.CompletedProcess:
    if (binary := shutil.which("promtool")) is None:
        pytest.fail("promtool is missing: make test installs Debian's prometheus package")
    return subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True)


def test_the_alert_rules_pass_promtools_check():
    result = promtool("check", "rules", ALERTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alert_rules_pass_their_unit_tests():
    result = promtool("test", "rules", ALERTS_TESTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test_where_it_fires_and_one_where_it_does_not():
    fires, stays_quiet = set(), set()
    for test in yaml.safe_load(ALERTS_TESTS.read_text())["tests"]:
        for case in test.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else stays_quiet).add(case["alertname"])
    names = {rule["alert"] for rule in alert_rules()}
    assert fires == names
    assert stays_quiet == names


def test_every_alert_says_how_severe_what_happened_and_what_to_check():
    rules = alert_rules()
    assert len(rules) >= 7
    for rule in rules:
        assert rule["alert"].startswith("Etphone"), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert set(rule["annotations"]) == {"summary", "description", "runbook"}, rule["alert"]


# The spool rule's threshold, as alerts.yml has it.
OLDEST_OVER_A_MINUTE = "etphone_spool_oldest_entry_age_seconds) > 60"


def rules_changed(directory: Path, threshold: str) -> Path:
    """A copy of the rules, with the spool rule's threshold written otherwise, and their
    unit tests."""
    assert OLDEST_OVER_A_MINUTE in ALERTS.read_text()
    changed = OLDEST_OVER_A_MINUTE.replace("> 60", threshold)
    (directory / ALERTS.name).write_text(ALERTS.read_text().replace(OLDEST_OVER_A_MINUTE, changed))
    shutil.copy(ALERTS_TESTS, directory)
    return directory


def test_a_rule_promtool_cannot_parse_fails_the_check(tmp_path):
    result = promtool("check", "rules", ALERTS.name, cwd=rules_changed(tmp_path, "> > 60"))
    assert result.returncode != 0
    assert "parse error" in result.stdout + result.stderr


def test_a_rule_changed_without_its_unit_tests_fails_them(tmp_path):
    result = promtool("test", "rules", ALERTS_TESTS.name, cwd=rules_changed(tmp_path, "> 600"))
    assert result.returncode != 0
    assert "EtphoneSpoolOldestEntryOld" in result.stdout + result.stderr


def served_names() -> set[str]:
    """The name of every series /metrics can serve, its scrape-time figures included."""
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""]}
    return {
        family.name + suffix for family in REGISTRY.collect() for suffix in suffixes[family.type]
    }


@pytest.mark.django_db
@pytest.mark.sqlite_run_only(reason="the names /metrics serves are the same on any database")
def test_the_rules_and_the_dashboard_name_only_metrics_that_metrics_serves(
    demo, settings, tmp_path
):
    settings.CALL_LOG_SPOOL_DIR = str(tmp_path)  # the spools' figures are served with it set
    served = served_names()
    assert {"etphone_planets_open", "etphone_spool_waiting_entries"} <= served
    texts = [ALERTS.read_text(), *(expr for _title, expr in dashboard_exprs())]
    named = {name for text in texts for name in re.findall(r"\betphone_[a-z_]+", text)}
    assert named - served == set()
    assert len(named) >= 12
