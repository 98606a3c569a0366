"""Structured outputs: ``findings.json`` (every string, and the counts findings record), SVG
figures, and the report's variables (``report/_variables.yml``, one segment per key)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from poc1540.guard.model import Segment
from poc1540.guard.rules import plain

# Matplotlib draws text as paths and keeps the text in a comment; <title>/<desc> are alt texts.
_SVG_TEXT = re.compile(r"<!--(.*?)-->|<(text|tspan|title|desc)\b[^>]*>(.*?)</\2>", re.DOTALL)


def svg(text: str) -> list[Segment]:
    """The figure's text: ``<text>``, ``<tspan>``, ``<title>``, ``<desc>`` and comments, as one segment."""
    pieces = []
    for m in _SVG_TEXT.finditer(text):
        piece = m.group(1) if m.group(1) is not None else re.sub(r"<[^>]+>", " ", m.group(3))
        pieces.append(plain(piece))
    return [Segment("figure text", (" ".join(p for p in pieces if p),))] if pieces else []


def _json_strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _json_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            label = repr(v["key"]) if isinstance(v, dict) and isinstance(v.get("key"), str) else str(i)
            yield from _json_strings(v, f"{path}[{label}]")


def json_document(text: str) -> list[Segment]:
    """Every string of a JSON file (located by its path), and each finding's ``extra`` count and base."""
    data = json.loads(text)
    segments = [Segment(path or "value", (value,)) for path, value in _json_strings(data, "")]
    findings = data.get("findings") if isinstance(data, dict) else None
    for item in findings if isinstance(findings, list) else []:
        extra = item.get("extra") if isinstance(item, dict) else None
        # a count the text does not show is still published in the JSON
        if isinstance(extra, dict) and isinstance(extra.get("count"), int) and isinstance(extra.get("base"), int):
            segments.append(Segment(f"findings[{item.get('key')!r}].extra", (), counts=((extra["count"], extra["base"]),)))
    return segments


def variables(text: str) -> list[Segment]:
    """One segment per leaf of the variables file, keyed by its dotted name."""

    def flat(node: Any, prefix: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield from flat(v, f"{prefix}.{k}" if prefix else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from flat(v, f"{prefix}[{i}]")
        elif node is not None:
            yield prefix, str(node)

    return [Segment(f"key {key}", (value,), key=key, exempt_shares=True) for key, value in flat(yaml.safe_load(text), "")]
