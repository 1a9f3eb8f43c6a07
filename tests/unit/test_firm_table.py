"""The firm table grows by appending entrants into buffers that double when full."""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np

from sim.model.mechanisms.demography import FirmDraws
from sim.model.state import FirmTable


def _firms(n: int, start: int = 0) -> FirmTable:
    rows = np.arange(start, start + n)
    draws = FirmDraws(
        home=rows % 3,
        sector=rows % 2,
        jobs=10.0 + rows,
        output_per_job=1e5 + rows,
        capital_per_job=2e5 + rows,
        edge=rows / 100,
        growth=np.full(n, 0.05),
        taste=np.zeros(n),
        key=rows.astype(np.uint64),
    )
    return FirmTable.new(draws, chain_master_jobs=12.0)


def test_appended_columns_equal_concatenation_through_writes_and_replaced_columns():
    table = _firms(5)
    expected = {f.name: getattr(table, f.name).copy() for f in fields(table)}
    for step in range(12):
        new = _firms(step % 4, start=100 * step)
        rows = table.append(new)
        for f in fields(table):
            expected[f.name] = np.concatenate([expected[f.name], getattr(new, f.name)])
        assert rows == range(table.size - new.size, table.size)
        # phases write into columns in place and replace others by new arrays: both survive growth
        table.jobs[0] += 1.0
        expected["jobs"][0] += 1.0
        table.edge = table.edge * 2.0
        expected["edge"] = expected["edge"] * 2.0
        if step == 6:  # the benchmark restores deep copies of the table: columns stop being views
            table = copy.deepcopy(table)
        assert set(vars(table)) == {f.name for f in fields(table)}  # the columns and nothing else
        for f in fields(table):
            got = getattr(table, f.name)
            assert got.dtype == expected[f.name].dtype, f.name
            np.testing.assert_array_equal(got, expected[f.name], err_msg=f.name)


def test_growth_reallocates_rarely():
    table = _firms(1000)
    buffers_seen: list[np.ndarray] = []  # held, so no two are ever the same object
    for step in range(200):
        table.append(_firms(10, start=10_000 + step))
        buf = table.state.base
        if not any(buf is b for b in buffers_seen):
            buffers_seen.append(buf)
    # 1000 → 3000 rows: the buffer doubles once or twice, not once per append
    assert table.size == 3000 and len(buffers_seen) <= 3
