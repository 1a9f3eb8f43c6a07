"""Figures quoted in README.md and docs/ are no older than the code and data they describe.

Each generated block records a digest of its inputs (``sim/report/doc_blocks.py``); these tests
recompute the digests and fail, naming the block, its document and the command that refreshes
it, when a block's inputs changed and it was neither recomputed nor marked as an older reading.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.report import doc_blocks as db


def test_every_quoted_figure_is_as_new_as_its_inputs():
    failing = [s.message() for s in db.status() if s.failing]
    assert not failing, (
        "figures in the docs are older than the code or data they describe (run `make docs`, "
        "which reruns what it can and marks the rest as older readings):\n" + "\n".join(failing)
    )


def test_the_registry_names_real_files_and_commands():
    for b in db.BLOCKS:
        assert (db.ROOT / b.doc).is_file(), f"{b.name}: no document {b.doc}"
        assert db.input_files(b), f"{b.name}: its input patterns match no file"
        for pattern in b.inputs:
            if (
                "sim/world/" in pattern
                and pattern.count("/") == 3
                or pattern.startswith("configs/g")
            ):
                continue  # a geography may lack a file (no calibration of its own)
            assert list(db.ROOT.glob(pattern)), (
                f"{b.name}: input pattern {pattern!r} matches nothing"
            )
        for word in b.command.replace("&&", " ").split():
            if word.startswith(("experiments/", "benchmarks/")):
                assert (db.ROOT / word).is_file(), f"{b.name}: command names missing {word}"
        # the registry itself is no input: declaring another block must not stale this one
        assert db.ROOT / "sim/report/doc_blocks.py" not in db.input_files(b), b.name
    assert len({b.name for b in db.BLOCKS}) == len(db.BLOCKS)
    names = [b.name for b in db.ordered()]
    for b in db.BLOCKS:
        assert all(names.index(d) < names.index(b.name) for d in b.after), b.name
    assert names.index("calibration.fit") < names.index("decisions")


def _copy_block(block: db.Block, root: Path) -> None:
    for path in [*db.input_files(block), db.ROOT / block.doc]:
        dest = root / path.relative_to(db.ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest)


def test_the_check_fails_when_a_quoted_figures_inputs_change(tmp_path):
    """On a copy of the decisions block's inputs: fresh; prose, comments and tests edited:
    still fresh; one line of model code changed: stale, named with its document and command."""
    block = db.by_name()["decisions"]
    _copy_block(block, tmp_path)
    db.stamp(block, tmp_path)
    assert db.status([block], tmp_path)[0].fresh

    doc = tmp_path / block.doc
    doc.write_text(doc.read_text(encoding="utf-8") + "\nA sentence of prose.\n", encoding="utf-8")
    location = tmp_path / "sim/model/mechanisms/location.py"
    code = location.read_text(encoding="utf-8")
    location.write_text(
        code.replace('"""', '"""Reworded. ', 1) + "\n# a comment\n\n", encoding="utf-8"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_new.py").write_text("def test_x():\n    pass\n")
    assert db.status([block], tmp_path)[0].fresh, "prose, comments or tests made it stale"

    location.write_text(code + "\nSOME_CONSTANT = 2\n", encoding="utf-8")
    st = db.status([block], tmp_path)[0]
    assert st.failing and not st.fresh
    msg = st.message()
    assert "decisions" in msg and "docs/decisions.md" in msg and block.command in msg
    assert db.check([block], tmp_path) == 1

    # a point estimate the calibration installs changes every calibrated figure
    db.stamp(block, tmp_path)
    assert db.check([block], tmp_path) == 0
    point = tmp_path / "sim/world/shanghai_yunnan/point.yaml"
    point.write_text(point.read_text(encoding="utf-8").replace("0.", "0.0", 1), encoding="utf-8")
    assert db.status([block], tmp_path)[0].failing


def _toy(root: Path, kind: str = "reading", command: str = "python make_it.py") -> db.Block:
    (root / "docs").mkdir()
    (root / "model.py").write_text("RATE = 0.1\n", encoding="utf-8")
    (root / "docs" / "x.md").write_text(
        "# X\n\nIntro.\n\n<!-- x.fig:start -->\nThe rate is 0.1.\n<!-- x.fig:end -->\n\nMore.\n",
        encoding="utf-8",
    )
    return db.Block("x.fig", "docs/x.md", command, ("model.py",), kind=kind)


def test_an_older_reading_is_marked_in_the_document_and_a_stamp_clears_it(tmp_path, monkeypatch):
    block = _toy(tmp_path)
    monkeypatch.setattr(db, "BLOCKS", (block,))
    db.stamp(block, tmp_path)
    stamped = (tmp_path / block.doc).read_text(encoding="utf-8")
    (tmp_path / "model.py").write_text("RATE = 0.2\n", encoding="utf-8")
    assert db.check([block], tmp_path) == 1

    # make docs cannot recompute a reading: it marks it, and the check then passes but reports it
    assert db.run([block], root=tmp_path) == 0
    text = (tmp_path / block.doc).read_text(encoding="utf-8")
    assert "> **Older reading (" in text and "python make_it.py" in text
    assert "\n\nThe rate is 0.1." in text  # the note stays its own paragraph
    st = db.status([block], tmp_path)[0]
    assert not st.fresh and not st.failing and st.older
    assert db.check([block], tmp_path) == 0

    # refreshed by hand: the stamp records the new inputs and removes the note
    (tmp_path / "model.py").write_text("RATE = 0.1\n", encoding="utf-8")
    db.stamp(block, tmp_path)
    assert (tmp_path / block.doc).read_text(encoding="utf-8") == stamped


def test_make_docs_writes_a_commands_output_into_its_block(tmp_path, monkeypatch):
    script = tmp_path / "make_it.py"
    script.write_text("print('| rate |\\n|---|\\n| 0.3 |')\n", encoding="utf-8")
    block = _toy(tmp_path, kind="stdout")
    monkeypatch.setattr(db, "BLOCKS", (block,))
    assert db.run([block], root=tmp_path) == 0
    text = (tmp_path / block.doc).read_text(encoding="utf-8")
    assert "\n| rate |\n|---|\n| 0.3 |\n\n<!-- x.fig:end -->" in text
    assert "The rate is 0.1." not in text and text.endswith("\nMore.\n")
    assert db.status([block], tmp_path)[0].fresh


def test_a_missing_marker_fails_the_check(tmp_path):
    block = _toy(tmp_path)
    bare = db.Block("x.other", block.doc, "python make_it.py", ("model.py",))
    st = db.status([bare], tmp_path)[0]
    assert st.failing and "no marker" in st.message()
    with pytest.raises(db.BlockError, match="x.other"):
        db.set_marker((tmp_path / block.doc).read_text(encoding="utf-8"), bare, "abc")


def test_python_layout_comments_and_docstrings_do_not_count():
    base = 'def f(x):\n    """Doc."""\n    return x + 1\n'
    same = 'def f(x):  # why\n    """Other doc."""\n\n    return x + 1\n'
    assert db._python_tokens(base) == db._python_tokens(same)
    assert db._python_tokens(base) != db._python_tokens(base.replace("+ 1", "+ 2"))


def test_the_cli_lists_every_block_in_dependency_order(capsys):
    assert db.main(["list"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines()]
    assert names == [b.name for b in db.ordered()]
    assert set(names) == {b.name for b in db.BLOCKS}
