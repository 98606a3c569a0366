"""Which parts of the report the survey can fill: the gate files the chapters include.

A survey chapter's file holds its heading and one include of a gate file this stage writes,
``report/_generated/survey/<name>.qmd``::

    # Support received {#sec-support}

    {{< include ../_generated/survey/support.qmd >}}

The gate file includes the chapter's text, ``report/chapters/_<name>_survey.qmd``, when the
chapter is published, or else prints the sentence its notebook recorded (``gate.<name>``, see
:mod:`poc1540.core.gate`). A gated part no notebook feeds (the key findings, the
recommendations) is published when every survey chapter is, and otherwise includes its
``_<name>_withheld.qmd``, which says the survey could not be published and keeps what rests on the
public listings. The gate files are ``.qmd`` so the findings register follows them into the text
the report actually reads.
"""

from __future__ import annotations

import re
from pathlib import Path

from poc1540.core import atomic, gate, manifest, paths
from poc1540.core.finding import Finding, FindingsError

#: An include of a gate file in a chapter's source.
GATE_INCLUDE = re.compile(r"\{\{<\s*include\s+\S*_generated/survey/(?P<name>[a-z0-9_]+)\.qmd\s*>\}\}")


def gated_parts(chapters: Path = paths.REPORT_CHAPTERS) -> list[str]:
    """The names of the gate files the chapters include, in file order."""
    names: list[str] = []
    for path in sorted(Path(chapters).glob("*.qmd")):
        for m in GATE_INCLUDE.finditer(path.read_text(encoding="utf-8")):
            if m.group("name") not in names:
                names.append(m.group("name"))
    return names


def decisions(items: list[Finding]) -> dict[str, bool]:
    """Chapter name -> published, from the gate findings the survey notebooks recorded."""
    return {f.key.split(".", 1)[1]: bool(f.value) for f in items if f.key.startswith(gate.PREFIX + ".")}


def withheld_survey_file(items: list[Finding]) -> str | None:
    """The survey file as the validator names it, when any survey chapter is withheld (else None)."""
    decided = decisions(items)
    if not decided or all(decided.values()):
        return None
    return paths.relative(manifest.input_path("survey_responses"))


def gate_text(name: str, decided: dict[str, bool], chapters: Path = paths.REPORT_CHAPTERS) -> str:
    """The gate file for part ``name``: an include of its text, or what the report reads instead."""
    body = Path(chapters) / f"_{name}_survey.qmd"
    if not body.exists():
        raise FindingsError(f"{paths.relative(body)} does not exist: the gate '{name}' needs the text it publishes")
    if name in decided:
        published = decided[name]
        instead = f"{{{{< var {gate.PREFIX}.{name} >}}}}\n"
    else:
        if not decided:
            raise FindingsError(f"no survey chapter recorded its gate, so '{name}' cannot tell whether the survey is published")
        published = all(decided.values())
        withheld = Path(chapters) / f"_{name}_withheld.qmd"
        if not withheld.exists():
            raise FindingsError(f"{paths.relative(withheld)} does not exist: '{name}' needs the text it prints when the survey is withheld")
        instead = f"{{{{< include ../../chapters/{withheld.name} >}}}}\n"
    # One line and nothing else: the file is spliced where it is included, which may be inside a list.
    return f"{{{{< include ../../chapters/{body.name} >}}}}\n" if published else instead


def write(items: list[Finding], target: Path = paths.SURVEY_GATES, chapters: Path = paths.REPORT_CHAPTERS) -> list[Path]:
    """Write every gate file the chapters include (and remove any they no longer include)."""
    decided = decisions(items)
    names = gated_parts(chapters)
    written = [atomic.write_text(Path(target) / f"{name}.qmd", gate_text(name, decided, chapters)) for name in names]
    for stale in sorted(Path(target).glob("*.qmd")):
        if stale.stem not in names:
            stale.unlink()
    return written
