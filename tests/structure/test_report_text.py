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


# --------------------------------------------------------------------------- prose that stays true
# Counts, gaps and direction words typed in the prose go stale when the data changes: a new
# edition could make "quickened" false without a word. They come from findings instead
# (poc1540.analysis.compare chooses the words from the data).
COUNTED_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(tasks|challenges|suggestions|States|respondents|POCs|items|kinds)\b"
    r"|\b(two|three|four|five|six|ten)\s+years\s+(earlier|later|before|after)\b"
    r"|\ba\s+(tenth|quarter|third|fifth)\b|\bhalf\s+of\b",
    re.I,
)
DIRECTION = re.compile(
    r"\b(closely followed|quickened|slowed|agrees broadly|goes with a|more often|less often|higher than|lower than)\b", re.I
)
# A share inside parentheses reads "(57% (33 of 58))"; and "49% (60 of 123) POCs" lacks its "of".
NESTED_SHARE = re.compile(r"\(\s*\d+(?:\.\d+)?\s*%\s*\(")
SHARE_WITHOUT_OF = re.compile(r"\d+%\s*\(\d+ of \d+\)\s+(POCs|States|Member States|respondents)\b")


def prose_only(text: str) -> str:
    for pattern in STRIP:
        text = pattern.sub(" ", text)
    return text


def stale_prose(text: str) -> list[str]:
    """Typed counts, gaps and direction words in a .qmd's prose (outside shortcodes)."""
    prose = prose_only(text)
    return [m.group(0) for m in COUNTED_WORD.finditer(prose)] + [m.group(0) for m in DIRECTION.finditer(prose)]


@pytest.mark.parametrize("qmd", QMD, ids=lambda p: p.relative_to(paths.REPORT).as_posix())
def test_no_typed_count_gap_or_direction_word(qmd: Path) -> None:
    found = stale_prose(qmd.read_text(encoding="utf-8"))
    assert not found, f"{qmd.relative_to(paths.ROOT)}: {found}: record the count or the word as a finding"


@pytest.mark.parametrize(
    "prose",
    [
        "Respondents were asked which of ten tasks they had performed.",
        "Two years earlier, the count stood at {{< var x.y >}}.",
        "less than a tenth of their time",
        "Appointments quickened after resolution 2325.",
        "Respondents' placement agrees broadly with the index.",
        "A written mandate goes with a Hub role.",
    ],
)
def test_the_prose_check_catches_what_goes_stale(prose: str) -> None:
    assert stale_prose(prose)


def test_the_prose_check_lets_findings_carry_the_words() -> None:
    assert stale_prose("After resolution 2325 the pace {{< var coverage.pace_since_encouragement >}}.") == []


def test_the_built_report_has_no_share_in_brackets_and_no_share_without_of() -> None:
    from support.pdf import pdf_text

    text = pdf_text(paths.REPORT_PDF)
    nested = [text[max(0, m.start() - 40) : m.end() + 40] for m in NESTED_SHARE.finditer(text)]
    missing_of = [m.group(0) for m in SHARE_WITHOUT_OF.finditer(text)]
    assert not nested, f"shares inside brackets: {nested[:5]}"
    assert not missing_of, f"shares followed by a noun without 'of': {missing_of[:5]}"
    assert NESTED_SHARE.search("(57% (33 of 58; 95% CI 48% to 66%))") and SHARE_WITHOUT_OF.search("49% (60 of 123) POCs answered")
