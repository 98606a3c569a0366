"""Findings: every number the report states, recorded where it is computed.

A notebook creates one ``Recorder`` and calls ``add`` (or ``add_share``) for each finding;
``save`` writes them. The findings stage (``merge``) then
combines all notebooks' files into the DVC metrics file and the report's Quarto variables,
so the prose reads ``{{< var coverage.states_with_poc >}}`` and never types a number.
Files live in ``results/<notebook>/findings.json``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from poc1540.core import atomic, paths

KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class FindingsError(ValueError):
    """A finding that cannot be recorded or merged as given."""


@dataclass
class Finding:
    """One number (or date, or label) the report states, with where it came from."""

    key: str
    value: Any
    text: str
    unit: str
    notebook: str
    cell: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def format_value(value: Any, unit: str) -> str:
    """The default text for a value: integers with separators, percentages rounded."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if unit == "percent":
        return f"{value:.0f}%"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and unit not in ("ratio", "coefficient")):
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def long_date(date: Any) -> str:
    """A date as the report prints it: '31 August 2020'."""
    import pandas as pd

    ts = pd.Timestamp(date)
    return f"{ts.day} {ts:%B %Y}"


def inline(label: str) -> str:
    """A label as it reads mid-sentence: 'A POC handbook' -> 'a POC handbook' (acronyms kept)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _current_cell() -> int | None:
    """The execution count of the notebook cell running now, when inside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return None
    shell = get_ipython()
    return int(shell.execution_count) if shell is not None else None


def _plain(value: Any) -> Any:
    """numpy scalars to Python scalars, so JSON and YAML see plain numbers."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class Recorder:
    """Collects one notebook's findings and writes them in one file."""

    def __init__(self, notebook: str, directory: Path | None = None, echo: bool = True):
        self.notebook = notebook
        self.directory = Path(directory) if directory is not None else paths.chapter_results(notebook)
        self.echo = echo
        self.findings: dict[str, Finding] = {}
        self.figures: dict[str, dict[str, str]] = {}
        self.tables: dict[str, str] = {}

    def add(self, key: str, value: Any, unit: str, text: str | None = None, **extra: Any) -> None:
        """Record a finding; ``text`` is how the report prints it (default: formatted value).

        Returns nothing, so a notebook cell ending in a finding shows only the echoed line;
        the recorded finding is ``self.findings[key]``.
        """
        if not KEY.match(key):
            raise FindingsError(f"finding key {key!r} must look like 'chapter.name' (lower case, digits, underscores)")
        if key in self.findings:
            raise FindingsError(f"finding {key!r} is recorded twice in {self.notebook}")
        value = _plain(value)
        finding = Finding(
            key=key,
            value=value,
            text=text if text is not None else format_value(value, unit),
            unit=unit,
            notebook=self.notebook,
            cell=_current_cell(),
            extra={k: _plain(v) for k, v in extra.items()},
        )
        self.findings[key] = finding
        if self.echo:
            print(f"{key} = {finding.text}")

    def add_share(self, key: str, count: int, base: int, unit: str = "percent", **extra: Any) -> None:
        """Record a share as a percentage, always printed with its count and base: '64% (123 of 193)'."""
        count, base = int(count), int(base)
        if base <= 0 or not 0 <= count <= base:
            raise FindingsError(f"finding {key!r}: count {count} and base {base} do not make a share")
        pct = 100.0 * count / base
        self.add(key, round(pct, 1), unit, text=f"{pct:.0f}% ({count} of {base})", count=count, base=base, **extra)

    def add_figure(self, name: str, file: Path, alt: str) -> None:
        """Record a figure's file and its alt text (the report reads the alt text as a variable)."""
        if name in self.figures:
            raise FindingsError(f"figure {name!r} is recorded twice in {self.notebook}")
        self.figures[name] = {"file": paths.relative(file), "alt": alt}

    def add_table(self, name: str, file: Path) -> None:
        """Register a published table (written by ``poc1540.publish.tables.save``)."""
        if name in self.tables:
            raise FindingsError(f"table {name!r} is recorded twice in {self.notebook}")
        self.tables[name] = paths.relative(file)

    def save(self) -> None:
        """Write this notebook's findings.json (atomically).

        Returns nothing, so a notebook's last line does not display a machine-specific path.
        """
        payload = {
            "notebook": self.notebook,
            "findings": [asdict(f) for f in self.findings.values()],
            "figures": self.figures,
            "tables": self.tables,
        }
        atomic.write_text(self.directory / "findings.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


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
