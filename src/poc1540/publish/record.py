"""Findings: every number the report states, recorded where it is computed.

A notebook creates one ``Recorder`` and calls ``add`` (or ``add_survey_share`` /
``add_listing_share``) for each finding; ``save`` writes ``results/<notebook>/findings.json``.
The findings stage (:mod:`poc1540.findings`) then combines all notebooks' files into the DVC
metrics file and the report's Quarto variables, so the prose reads
``{{< var coverage.states_with_poc >}}`` and never types a number.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from poc1540.analysis import stats
from poc1540.core import atomic, notice, paths
from poc1540.core.finding import KEY, Finding, FindingsError, format_value


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
    """The execution count of the notebook cell running now, when inside IPython.

    Read from the running cell's own ``ExecutionResult`` (the one IPython hands its displayhook
    before it runs the cell's code), not from ``shell.execution_count``: IPython 9 advances that
    counter before the code runs, so during cell ``In [2]`` it already reads 3, and a finding
    would point at the next cell. None outside a cell (a script, or code run without history).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return None
    shell = get_ipython()
    result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    count = getattr(result, "execution_count", None)
    return int(count) if count is not None else None


def _plain(value: Any) -> Any:
    """numpy scalars to Python scalars, so JSON and YAML see plain numbers."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


NOTICE_FILE = "NOTICE.txt"


class Recorder:
    """Collects one notebook's findings and writes them in one file.

    ``stamp`` is the one-line data notice every artefact of the chapter carries (figures,
    tables, ``findings.json``, a ``NOTICE.txt`` beside them); by default it is read from the data
    manifest (:func:`poc1540.core.notice.one_line`), and it is "" when every input is real.
    """

    def __init__(self, notebook: str, directory: Path | None = None, echo: bool = True, stamp: str | None = None):
        self.notebook = notebook
        # written to the executor's scratch folder, published as results/<notebook>/ on success
        self.directory = Path(directory) if directory is not None else paths.chapter_output(notebook)
        self.published = Path(directory) if directory is not None else paths.chapter_results(notebook)
        self.echo = echo
        self.stamp = notice.one_line() if stamp is None else stamp
        self.findings: dict[str, Finding] = {}
        self.figures: dict[str, dict[str, Any]] = {}
        self.tables: dict[str, str] = {}
        # the chapter's register of published survey cells (poc1540.analysis.cells), when it has one
        self.cells: Any = None

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

    def add_listing_share(self, key: str, count: int, base: int, unit: str = "percent", **extra: Any) -> None:
        """Record a share of States from the public listings, printed with its count and base: '64% (123 of 193)'.

        Not suppressed: the listings are public facts about States. A share of survey
        respondents goes through :meth:`add_survey_share`, which applies the small-cell rule.
        """
        count, base = int(count), int(base)
        if base <= 0 or not 0 <= count <= base:
            raise FindingsError(f"finding {key!r}: count {count} and base {base} do not make a share")
        pct = 100.0 * count / base
        self.add(key, round(pct, 1), unit, text=f"{stats.percent_text(count / base)} ({count} of {base})", count=count, base=base, **extra)

    def add_survey_share(self, key: str, s: stats.Share, *, with_ci: bool = False, **extra: Any) -> None:
        """Record a survey share without leaking a suppressed count.

        The value is the percentage (None when suppressed, so it drops out of the metrics); the
        text is ``s.text()`` or ``s.text_ci()``; the count and interval go into the finding's
        extra fields only when published.
        """
        details: dict[str, Any] = {"base": s.base, "suppressed": s.suppressed, "min_cell": s.min_cell}
        if not s.suppressed:
            details.update(count=s.count, ci_low=round(100 * s.low, 1), ci_high=round(100 * s.high, 1), confidence=s.confidence)
        self.add(key, None if s.suppressed else s.percent, "percent", text=s.text_ci() if with_ci else s.text(), **details, **extra)

    def add_survey_row(self, key: str, row: Mapping[str, Any], *, with_ci: bool = False) -> None:
        """Record one row of :func:`poc1540.analysis.stats.share_table` (no value when suppressed)."""
        suppressed = bool(row["suppressed"])
        value = None if suppressed else round(100 * float(row["proportion"]), 1)
        extra: dict[str, Any] = {"base": int(row["base"]), "suppressed": suppressed}
        if not suppressed:
            extra.update(count=int(row["count"]), ci_low=round(100 * float(row["low"]), 1), ci_high=round(100 * float(row["high"]), 1))
        self.add(key, value, "percent", text=row["text_ci"] if with_ci else row["text"], **extra)

    def add_survey_top(
        self,
        label_key: str,
        share_key: str,
        table: pd.DataFrame,
        *,
        rank: int = 0,
        from_end: bool = False,
        with_ci: bool = False,
        label: Any = None,
    ) -> None:
        """Record the label and share of the ``rank``-th published row of a ``share_table``.

        Ranks count only published rows, so a suppressed item is never named as "the most common".
        When too few rows can be published (a small survey), both findings say so instead.
        """
        published = table[~table["suppressed"]].reset_index(drop=True)
        if rank >= len(published):
            self.add(label_key, None, "label", text=stats.NOTHING_PUBLISHABLE)
            self.add(share_key, None, "percent", text=stats.suppressed_text(int(table.attrs["min_cell"])), suppressed=True)
            return
        row = published.iloc[len(published) - 1 - rank if from_end else rank]
        self.add(label_key, (label or (lambda x: x))(row["label"]), "label")
        self.add_survey_row(share_key, row, with_ci=with_ci)

    def add_figure(self, name: str, file: Path, alt: str) -> None:
        """Record a figure's file and its alt text (the report reads the alt text as a variable).

        The cell that saved it is kept too, so the notebook's HTML page can show the figure there.
        """
        if name in self.figures:
            raise FindingsError(f"figure {name!r} is recorded twice in {self.notebook}")
        self.figures[name] = {"file": self._published(file), "alt": alt}
        cell = _current_cell()
        if cell is not None:
            self.figures[name]["cell"] = cell

    def add_table(self, name: str, file: Path) -> None:
        """Register a published table (written by ``poc1540.publish.tables.save``)."""
        if name in self.tables:
            raise FindingsError(f"table {name!r} is recorded twice in {self.notebook}")
        self.tables[name] = self._published(file)

    def _published(self, file: Path) -> str:
        """Where a file written to this chapter's folder is published (not the scratch folder it is written to)."""
        file = Path(file)
        inside = file.is_relative_to(self.directory)
        return paths.relative(self.published / file.relative_to(self.directory) if inside else file)

    def save(self) -> None:
        """Write this notebook's findings.json (atomically).

        Returns nothing, so a notebook's last line does not display a machine-specific path.
        """
        payload: dict[str, Any] = {"notice": self.stamp} if self.stamp else {}
        payload |= {
            "notebook": self.notebook,
            "findings": [asdict(f) for f in self.findings.values()],
            "figures": self.figures,
            "tables": self.tables,
        }
        atomic.write_text(self.directory / "findings.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        if self.cells is not None:
            self.cells.save(self.directory, self.notebook)
        self._write_notice()

    def _write_notice(self) -> None:
        """``NOTICE.txt`` beside the chapter's files while any input is not real (removed once all are).

        The CSV tables carry no stamp of their own: a comment line or an extra first row is not
        valid CSV for most readers (it would become the header), so the notice travels beside them.
        """
        target = self.directory / NOTICE_FILE
        if not self.stamp:
            target.unlink(missing_ok=True)
            return
        files = sorted({Path(f["file"]).name for f in self.figures.values()} | {Path(t).name for t in self.tables.values()})
        csvs = [Path(t).with_suffix(".csv").name for t in self.tables.values()]
        atomic.write_text(
            target,
            f"{self.stamp}\n\n"
            "This notice applies to every file in this folder: the figures, the tables (Markdown and CSV) and findings.json.\n"
            + (f"Files: {', '.join(sorted(set(files) | set(csvs)))}, findings.json.\n" if files else ""),
        )
