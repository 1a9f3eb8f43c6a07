"""YAML data files read within bounds: a size limit and a limit on what aliases expand to.

YAML aliases (``&a`` ... ``*a``) let a small file describe a structure of billions
of entries ("billion laughs"): parsing stays cheap because the entries are shared,
but anything that walks, prints or copies the result does not. Every data file a
user can edit (geographies, calibration, targets, draws, a job's ``config.yaml``)
is read here: the parsed node graph is measured with aliases expanded, before any
Python object is built, and a file past the limits is refused with a short excerpt.
"""

from __future__ import annotations

import reprlib
from pathlib import Path

import yaml

_Loader = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml's parser when available: 7x faster

MAX_BYTES = (
    64 * 2**20
)  # a data file larger than this is refused unread (the largest shipped: 64 KB)
MIN_EXPANDED = (
    1_000_000  # aliases may expand a file to max(this, EXPANSION x its size) entries + characters
)
EXPANSION = 4


class YamlLimitError(ValueError):
    """A YAML file too large, or whose aliases expand too far; the message names the file."""


_short = reprlib.Repr(maxstring=60, maxother=60, maxlist=4, maxdict=4, maxlevel=2)


def excerpt(value) -> str:
    """A value as a short text for a message (at most about 100 characters, whatever its size)."""
    text = _short.repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _line(text: str, mark) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line].strip() if mark.line < len(lines) else ""
    return f" (line {mark.line + 1}: {excerpt(line)})"


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [c for kv in node.value for c in kv]
    return []


def _expanded_size(root, limit: int):
    """The node whose expansion (aliases expanded: nodes plus scalar characters) goes past
    ``limit``, as deep as possible, or None if the whole document stays within it.

    Iterative and linear in the distinct nodes; a recursive alias counts as past the limit.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            active.discard(key)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in _children(node)))
            continue
        if key in sizes:
            continue
        if key in active:
            return node  # an alias inside its own anchor: endless
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1 + len(node.value)
            continue
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    if sizes[id(root)] <= limit:
        return None
    worst = root
    while True:
        big = next((c for c in _children(worst) if sizes.get(id(c), 0) > limit), None)
        if big is None:
            return worst
        worst = big


def loads(data: bytes | str, where: str):
    """The parsed content of a YAML document, refused (:class:`YamlLimitError`) if too large.

    Syntax errors are raised as ``yaml.YAMLError`` as by ``yaml.safe_load``.
    """
    if len(data) > MAX_BYTES:
        raise YamlLimitError(
            f"{where}: the file is {len(data) / 2**20:.0f} MB, more than the "
            f"{MAX_BYTES // 2**20} MB a data file may have."
        )
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        limit = max(MIN_EXPANDED, EXPANSION * len(text))
        worst = _expanded_size(node, limit)
        if worst is not None:
            raise YamlLimitError(
                f"{where}: its aliases (&name ... *name) expand to more than {limit:,} entries and "
                f"characters{_line(text, worst.start_mark)}; write the values out, or use fewer "
                "aliases. The file was not read."
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read(path: Path, where: str | None = None):
    """:func:`loads` of a file; a FIFO, device or oversized file is refused before it is read."""
    path = Path(path)
    import stat

    try:
        info = path.stat()
    except OSError:
        return loads(path.read_bytes(), where or str(path))  # raises the usual OSError
    if not stat.S_ISREG(info.st_mode):
        raise YamlLimitError(f"{where or path}: not a regular file.")
    if info.st_size > MAX_BYTES:
        raise YamlLimitError(
            f"{where or path}: the file is {info.st_size / 2**20:.0f} MB, more than the "
            f"{MAX_BYTES // 2**20} MB a data file may have."
        )
    return loads(path.read_bytes(), where or str(path))
