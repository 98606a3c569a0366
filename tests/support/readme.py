"""The README's walkthroughs, read from the README itself so a test runs exactly what it says.

A walkthrough block is a fenced code block right after a line ``<!-- walkthrough: NAME -->``;
``sh`` blocks are commands, ``yaml`` blocks are keys to merge into ``data/raw/manifest.yaml``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MARK = re.compile(r"^\s*<!-- walkthrough: (?P<name>[\w ]+?) -->\s*$")
FENCE = re.compile(r"^\s*```(?P<lang>\w*)\s*$")


@dataclass(frozen=True)
class Block:
    """One walkthrough block: its name (e.g. 'swap', 'swap manifest'), language and text."""

    name: str
    lang: str
    text: str

    def commands(self) -> list[list[str]]:
        """The block's commands as argument lists (comments and blank lines dropped)."""
        out = []
        for line in self.text.splitlines():
            args = shlex.split(line, comments=True)
            if args:
                out.append(args)
        return out


def blocks(readme: Path, prefix: str) -> list[Block]:
    """Every walkthrough block whose name starts with ``prefix``, in README order."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        mark = MARK.match(lines[i])
        if mark and mark["name"].split()[0] == prefix:
            fence = FENCE.match(lines[i + 1])
            assert fence, f"README line {i + 2}: a walkthrough mark must be followed by a fenced block"
            indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
            body = []
            i += 2
            while not FENCE.match(lines[i]):
                body.append(lines[i][indent:])
                i += 1
            found.append(Block(mark["name"], fence["lang"], "\n".join(body) + "\n"))
        i += 1
    return found


def merge(base: dict[str, Any], keys: dict[str, Any]) -> dict[str, Any]:
    """``keys`` merged into ``base`` (mappings merged key by key, anything else replaced)."""
    out = dict(base)
    for key, value in keys.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def apply_manifest(block: Block, repo: Path) -> None:
    """Merge a ``yaml`` walkthrough block into the repo's manifest, as the README asks the reader to."""
    path = repo / "data/raw/manifest.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(merge(manifest, yaml.safe_load(block.text)), allow_unicode=True, sort_keys=False), encoding="utf-8")
