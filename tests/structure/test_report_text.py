"""The prose states no statistic by hand: every number in a .qmd is a variable (or a year, a
resolution number, or a cross-reference)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poc1540.core import paths

# Numbers that name things rather than state results.
RESOLUTIONS = {"1540", "1673", "1810", "1977", "2325", "2663"}
NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*%?")
STRIP = [
    re.compile(r"\A---\n.*?\n---\n", re.S),  # front matter
    re.compile(r"\{\{<.*?>\}\}", re.S),  # shortcodes: var, include, meta
    re.compile(r"\{[#.][^}]*\}"),  # attributes: {#fig-x fig-alt=...}, {.unnumbered}
    re.compile(r"`[^`]*`"),  # inline code: file names
    re.compile(r"\$[^$\n]+\$"),  # inline maths: formulas, not results
    re.compile(r"\]\([^)]*\)"),  # link and image targets
    re.compile(r"@(fig|tbl|sec)-[\w-]+"),  # cross-references
    re.compile(r"^\s*\d+\.\s", re.M),  # ordered-list markers
]


def literal_statistics(text: str) -> list[tuple[int, str]]:
    """(line, literal) for every number in the prose that is not a year or resolution number."""
    for pattern in STRIP:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)  # keep line numbers
    found = []
    for n, line in enumerate(text.splitlines(), start=1):
        for m in NUMBER.finditer(line):
            literal = m.group(0).rstrip(".,")
            if literal in RESOLUTIONS or (re.fullmatch(r"(19|20)\d\d", literal) and "%" not in literal):
                continue
            found.append((n, literal))
    return found


QMD = sorted(paths.REPORT.rglob("*.qmd"))


def test_the_report_has_prose_to_check() -> None:
    assert len(QMD) >= 8


@pytest.mark.parametrize("qmd", QMD, ids=lambda p: p.relative_to(paths.REPORT).as_posix())
def test_no_literal_statistic_in_prose(qmd: Path) -> None:
    found = literal_statistics(qmd.read_text(encoding="utf-8"))
    assert not found, "\n".join(
        f"{qmd.relative_to(paths.ROOT)}:{n}: literal {lit!r}: use a {{{{< var ... >}}}} finding" for n, lit in found
    )


@pytest.mark.parametrize(
    "prose",
    ["Of the respondents, 41% (27 of 66) agreed.", "Coverage rose by 21 States.", "a rate of 0.64", "about 1,200 POCs"],
)
def test_the_check_catches_typed_numbers(prose: str) -> None:
    assert literal_statistics(prose)


@pytest.mark.parametrize(
    "prose",
    [
        "Resolution 1540 (2004) and resolutions 1673 (2006) and 2663 (2022).",
        "On {{< var coverage.snapshot_date >}}, {{< var coverage.share_with_poc >}} had one (@fig-coverage-timeline).",
        '![Caption](../results/02_coverage/x2.svg){#fig-x fig-alt="{{< var fig.x.alt >}}"}',
        "See `data/raw/poc_listing.csv` and @sec-methods.",
        "1. **First recommendation.** Text.",
        "the effective sample size $n(N - 1)/(N - n)$",
    ],
)
def test_the_check_allows_names_years_and_references(prose: str) -> None:
    assert literal_statistics(prose) == []


@pytest.mark.parametrize("qmd", QMD, ids=lambda p: p.relative_to(paths.REPORT).as_posix())
def test_no_line_starts_with_a_parenthesised_reference(qmd: Path) -> None:
    # pandoc (and so Quarto) reads "(@label)" at the start of a line as a numbered example
    bad = [n for n, line in enumerate(qmd.read_text(encoding="utf-8").splitlines(), start=1) if line.lstrip().startswith("(@")]
    assert not bad, f"{qmd.relative_to(paths.ROOT)}: lines {bad} start with '(@': join them to the line before"
