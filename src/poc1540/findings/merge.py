"""Merge every notebook's ``findings.json`` into one list, and nest keys for Quarto and DVC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from poc1540.core import paths
from poc1540.core.finding import Finding, FindingsError


def load_all(directory: Path = paths.RESULTS) -> tuple[list[Finding], dict[str, dict[str, str]]]:
    """Read every notebook's findings; a key or figure recorded by two notebooks is an error."""
    findings: dict[str, Finding] = {}
    figures: dict[str, dict[str, str]] = {}
    for path in sorted(Path(directory).glob("*/findings.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for item in payload["findings"]:
            finding = Finding(**item)
            if finding.key in findings:
                raise FindingsError(f"finding {finding.key!r} is recorded by both {findings[finding.key].notebook} and {finding.notebook}")
            findings[finding.key] = finding
        for name, fig in payload.get("figures", {}).items():
            if name in figures:
                raise FindingsError(f"figure {name!r} is recorded by two notebooks")
            figures[name] = {**fig, "notebook": payload["notebook"]}
    return sorted(findings.values(), key=lambda f: f.key), figures


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{'a.b': 1} -> {'a': {'b': 1}}: Quarto's var shortcode and DVC metrics both read nested keys."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise FindingsError(f"key {key!r} clashes with a finding named {part!r}")
        node[leaf] = value
    return out


def metrics(findings: list[Finding]) -> dict[str, Any]:
    """The DVC metrics view: numeric values only, nested by key."""
    return nest({f.key: f.value for f in findings if isinstance(f.value, (int, float)) and not isinstance(f.value, bool)})
