"""docs/ODD.md agrees with the code: its generated tables match the schema and the metrics."""

from __future__ import annotations

import shutil

import pytest

from sim.model.metrics import METRICS, REGION_METRICS
from sim.params.schema import ILLUSTRATIVE, schema_fields
from sim.report import docs


def _rows_by_key(table: str) -> dict[str, list[str]]:
    """Markdown table rows keyed by their first cell (backticks stripped)."""
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


def test_odd_is_up_to_date_with_the_code():
    stale = docs.stale_blocks(docs.ODD_PATH)
    assert not stale, f"docs/ODD.md is out of date ({', '.join(stale)}): run `python -m sim.report.docs`"
    assert docs.main(["--check"]) == 0


def test_every_schema_key_is_in_the_table_and_illustrative_ones_say_so():
    odd = docs.ODD_PATH.read_text(encoding="utf-8")
    for table in (docs.render_parameter_table(), odd):
        rows = _rows_by_key(table)
        for key, field in schema_fields():
            assert key in rows, f"{key} is missing from the parameter table"
            source = rows[key][-1]
            if field.metadata["source"] == ILLUSTRATIVE:
                assert source == ILLUSTRATIVE, f"{key} is illustrative but its table row says {source!r}"
            else:
                assert source != ILLUSTRATIVE, f"{key} has a source but shows as illustrative"


def test_every_metric_is_in_the_outcome_tables():
    rows = _rows_by_key(docs.render_metrics_table())
    for name, (unit, _meaning) in {**METRICS, **REGION_METRICS}.items():
        assert name in rows and rows[name][1] == unit, name


def test_check_fails_on_a_stale_copy_and_the_cli_repairs_it(tmp_path):
    copy = tmp_path / "ODD.md"
    shutil.copy(docs.ODD_PATH, copy)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("| `economy.move_cost` |", "| `economy.move_cost_old` |"), encoding="utf-8")
    assert docs.main(["--check", "--file", str(copy)]) == 1
    assert docs.main(["--file", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == text
    assert docs.main(["--check", "--file", str(copy)]) == 0
    assert not [p for p in tmp_path.iterdir() if p.name != "ODD.md"], "temp file left behind"


def test_missing_markers_are_an_error(tmp_path):
    bare = tmp_path / "bare.md"
    bare.write_text("# no markers here\n", encoding="utf-8")
    with pytest.raises(docs.DocsError, match="parameters:start"):
        docs.stale_blocks(bare)
    assert docs.main(["--file", str(bare)]) == 2
