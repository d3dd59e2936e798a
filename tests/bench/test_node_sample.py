"""make bench without the Node sample next to the checkout says so and skips only its rows."""

from bench import run


def test_without_the_node_sample_its_rows_are_skipped_with_a_reason(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "NODE_SAMPLE", tmp_path / "nowhere")
    with run.node_sample(tmp_path, tmp_path / "requests.tsv") as base:
        assert base is None
    assert "rows are skipped" in capsys.readouterr().out
