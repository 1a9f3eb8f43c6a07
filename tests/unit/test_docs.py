"""docs/ODD.md agrees with the code: its generated tables match the schema and the metrics."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from sim.model.metrics import OUTCOMES, REGION_ATTRIBUTES, REGION_OUTCOMES
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
    assert not stale, (
        f"docs/ODD.md is out of date ({', '.join(stale)}): run `python -m sim.report.docs`"
    )
    assert docs.main(["--check"]) == 0


def test_every_schema_key_is_in_the_table_and_illustrative_ones_say_so():
    odd = docs.ODD_PATH.read_text(encoding="utf-8")
    for table in (docs.render_parameter_table(), odd):
        rows = _rows_by_key(table)
        for key, field in schema_fields():
            assert key in rows, f"{key} is missing from the parameter table"
            source = rows[key][-1]
            if field.metadata["source"] == ILLUSTRATIVE:
                assert source == ILLUSTRATIVE, (
                    f"{key} is illustrative but its table row says {source!r}"
                )
            else:
                assert source != ILLUSTRATIVE, f"{key} has a source but shows as illustrative"


def test_the_outcome_tables_of_odd_md_carry_every_record():
    """Read the rows of docs/ODD.md (the file a reader opens) back into records and compare them
    with the records the code uses; and the model's summary has exactly the recorded outcomes."""
    odd = docs.ODD_PATH.read_text(encoding="utf-8")
    run_part, region_part = odd.split("Per-county outcomes in `regions.parquet`", 1)
    region_part, attribute_part = region_part.split("County attributes in `regions.parquet`", 1)
    attributes = _rows_by_key(attribute_part.split("<!-- metrics:end -->")[0])
    assert {k: v[1:3] for k, v in attributes.items()} == {
        k: [docs._cell(u), docs._cell(m)] for k, (u, m) in REGION_ATTRIBUTES.items()
    }
    for part, records in ((run_part, OUTCOMES), (region_part, REGION_OUTCOMES)):
        rows = _rows_by_key(part.split("<!-- metrics:start")[-1])
        assert set(rows) == set(records), set(rows) ^ set(records)
        for name, o in records.items():
            unit, side, better = rows[name][1:4]
            assert (unit, side, better) == (o.unit, o.side, o.better or "–"), name


def test_a_changed_record_makes_the_docs_stale(tmp_path, monkeypatch):
    copy = tmp_path / "ODD.md"
    shutil.copy(docs.ODD_PATH, copy)
    record = OUTCOMES["low_income_share"]
    monkeypatch.setitem(OUTCOMES, "low_income_share", dataclasses.replace(record, better="higher"))
    assert docs.stale_blocks(copy) == ["metrics"]


def test_the_model_records_exactly_the_recorded_outcomes():
    from tests.helpers import model

    m = model({"run.years": 1, "geography.n_firms": 300}).run()
    assert set(m.summary()) == set(OUTCOMES)
    assert set(m.regions().columns) >= set(REGION_OUTCOMES) | set(REGION_ATTRIBUTES)


def test_check_fails_on_a_stale_copy_and_the_cli_repairs_it(tmp_path):
    copy = tmp_path / "ODD.md"
    shutil.copy(docs.ODD_PATH, copy)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(
        text.replace("| `economy.move_cost` |", "| `economy.move_cost_old` |"), encoding="utf-8"
    )
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
