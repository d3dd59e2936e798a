"""What deploy/ ships for Prometheus and Grafana, as the tests read it."""

import json
from pathlib import Path

import yaml

from tests.server import ROOT

RULES = ROOT / "deploy" / "prometheus"
ALERTS = RULES / "alerts.yml"
ALERTS_TESTS = RULES / "alerts.test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "etphone.json"


def alert_rules(path: Path = ALERTS) -> list[dict]:
    return [rule for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[tuple[str, str]]:
    """Every query of the Grafana dashboard, as (panel title, expr)."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [
        (panel["title"], target["expr"])
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]
