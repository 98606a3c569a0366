"""One visual grammar for every figure: read the committed SVGs and findings as the reader gets them.

Matplotlib writes text as glyph paths (``svg.fonttype: path``): each text line is a comment
holding the text, then a group ``translate(x y) [rotate(a)] scale(s -s)`` whose scale is the
font size over 100. The report includes a figure at its natural size, scaled down only when it
is wider than the text width, so the printed size is the size times that shrink.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from poc1540.analysis import stats  # noqa: E402
from poc1540.core import paths  # noqa: E402
from poc1540.publish import figures, record  # noqa: E402

SVGS = sorted(paths.RESULTS.glob("*/*.svg"))
FINDINGS = sorted(paths.RESULTS.glob("*/findings.json"))
CHAPTER_NOTEBOOKS = sorted(p for p in paths.NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("01_"))

# a drawn text line: its comment, then the group that places and sizes its glyphs
_DRAWN = re.compile(
    r"<!-- (?P<text>.*?) -->\s*<g (?:style=\"[^\"]*\" )?transform=\"translate\([^)]*\)\s*(?:rotate\((?P<angle>[-0-9.]+)\)\s*)?"
    r"scale\((?P<scale>[0-9.]+) -[0-9.]+\)\"",
    re.DOTALL,
)
_SVG_TEXT = re.compile(r"<!--(.*?)-->|<(text|tspan|title|desc)\b[^>]*>(.*?)</\2>", re.DOTALL)
_K_OF_N_SLASH = re.compile(r"\b\d+\s*/\s*\d+\b")


def drawn_text(svg: str) -> list[tuple[str, float, float]]:
    """Every drawn text line of a matplotlib SVG: (text, size in points as saved, angle in degrees)."""
    return [(m["text"], 100 * float(m["scale"]), float(m["angle"] or 0)) for m in _DRAWN.finditer(svg)]


def print_scale(svg: str) -> float:
    """How much the report shrinks the figure: 1 when it is no wider than the text width."""
    return min(1.0, figures.WIDTH_IN * 72 / figures.svg_width_pt(svg))


def all_text(svg: str) -> str:
    """What the guard reads: comments, <text>, <tspan>, <title>, <desc>."""
    return " ".join((m[1] if m[1] is not None else m[3]) for m in _SVG_TEXT.finditer(svg))


def test_there_are_figures_to_check() -> None:
    assert len(SVGS) >= 14, SVGS
    assert FINDINGS


@pytest.mark.parametrize("svg_path", SVGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_text_prints_below_the_minimum_size(svg_path: Path) -> None:
    svg = svg_path.read_text(encoding="utf-8")
    lines = drawn_text(svg)
    assert lines, "no drawn text found: has the SVG text format changed?"
    assert len(lines) == svg.count("<!-- "), "a text line whose size could not be read"
    scale = print_scale(svg)
    small = [(t, round(size * scale, 2)) for t, size, _ in lines if size * scale < figures.MIN_TEXT_PT - 0.01]
    assert not small, f"text printing below {figures.MIN_TEXT_PT} pt (figure shrunk by {scale:.2f}): {small[:5]}"


@pytest.mark.parametrize("svg_path", SVGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_text_is_set_sideways(svg_path: Path) -> None:
    turned = [(t, a) for t, _, a in drawn_text(svg_path.read_text(encoding="utf-8")) if abs(a) >= 45]
    assert not turned, f"labels turned on their side (wrap or abbreviate them): {turned[:5]}"


@pytest.mark.parametrize("svg_path", SVGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_figures_fit_the_text_width(svg_path: Path) -> None:
    width = figures.svg_width_pt(svg_path.read_text(encoding="utf-8"))
    assert width <= figures.WIDTH_IN * 72 + 0.5, f"{width:.1f} pt wide: the report shrinks it"


@pytest.mark.parametrize("svg_path", SVGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_counts_are_written_k_of_n(svg_path: Path) -> None:
    found = _K_OF_N_SLASH.findall(all_text(svg_path.read_text(encoding="utf-8")))
    assert not found, f"counts written with a slash (write '13 of 37'): {found[:5]}"


def _figure_alts() -> list[tuple[str, str]]:
    out = []
    for path in FINDINGS:
        for name, entry in json.loads(path.read_text(encoding="utf-8")).get("figures", {}).items():
            out.append((f"{path.parent.name}/{name}", entry["alt"]))
    return out


@pytest.mark.parametrize(("name", "alt"), _figure_alts(), ids=[n for n, _ in _figure_alts()])
def test_alt_texts_are_short_and_lead_with_the_point(name: str, alt: str) -> None:
    assert len(alt) < figures.MAX_ALT_CHARS, f"{len(alt)} characters"
    first = re.split(r"(?<=[.:;])\s", alt, maxsplit=1)[0]
    assert not re.match(r"(Horizontal |Grouped |Diverging |Stacked )?(bar|dot|step|line) chart|heat map", first, re.I), (
        f"the alt text describes the chart before its point: {first!r}"
    )
    assert not _K_OF_N_SLASH.search(alt), alt


def test_every_figure_has_its_alt_text() -> None:
    named = {n for n, _ in _figure_alts()}
    assert {f"{p.parent.name}/{p.stem}" for p in SVGS} <= named


# --- the helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize("background", ["#ffffff", "#000000", "#808080", "#767676", "#959595", "#ffcc00", *figures.COLOR.values()])
def test_text_color_meets_wcag_aa(background: str) -> None:
    ink = figures.text_color(background)
    assert ink in ("#000000", "#ffffff")
    assert figures.contrast_ratio(ink, background) >= 4.5


def test_text_color_picks_the_better_of_black_and_white() -> None:
    assert figures.text_color("#ffffff") == "#000000"
    assert figures.text_color("#000000") == "#ffffff"
    assert figures.text_color(figures.COLOR["serious"]) == "#ffffff"
    assert figures.text_color(figures.COLOR["not_serious"]) == "#000000"
    # mid-grey, where white text was used before: black contrasts more
    assert figures.text_color("#909090") == "#000000"


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert figures.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert figures.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert figures.contrast_ratio("#ff0000", "#ff0000") == pytest.approx(1.0)


def test_each_colour_has_one_meaning() -> None:
    values = [v.lower() for v in figures.COLOR.values()]
    assert len(values) == len(set(values)), {v for v in values if values.count(v) > 1}


def test_ordered_categories_are_ordered_in_greyscale() -> None:
    """Categories shown side by side differ in lightness, so they survive a greyscale print."""
    lum = figures.relative_luminance
    c = figures.COLOR
    for scale in (("post_office", "intermediate", "hub"), ("not_serious", "moderate", "serious"), ("no_poc", "poc")):
        values = [lum(c[k]) for k in scale]
        assert values == sorted(values, reverse=True), scale
        assert all(a / b >= 1.6 for a, b in zip(values, values[1:])), (scale, values)


@pytest.mark.parametrize("notebook", CHAPTER_NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_named_colours_and_sizes(notebook: Path) -> None:
    code = "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code")
    assert not re.search(r"PALETTE\[|ACCENT|MUTED", code), "use figures.COLOR[...] by meaning"
    assert not re.search(r"['\"]#[0-9a-fA-F]{3,8}['\"]", code), "a literal colour: name it in figures.COLOR"
    assert not re.search(r"(?<![a-z_])(?:font|label|title_font)?size=\s*[0-9.]+", code), "a literal text size: use figures.LABEL_SIZE"
    assert not re.search(r"rotation=\s*(?:90|-90|270)", code), "labels turned on their side"
    assert not re.search(r"\}/\{", code), "a count written with a slash: use figures.count_label"
    assert not re.search(r"cmap=\s*['\"]", code), "a colormap by name: use figures.SHARE_CMAP"


def test_count_label() -> None:
    options = {"population": None, "confidence": 0.95, "min_cell": 5, "group_min": 0}
    assert figures.count_label(stats.share(13, 37, **options)) == "35% (13 of 37)"
    assert figures.count_label(stats.share(13, 37, **options), percent_only=True) == "35%"
    assert figures.count_label(stats.share(3, 37, **options)) == figures.SUPPRESSED_MARK
    assert figures.count_label(None) == figures.SUPPRESSED_MARK
    assert figures.listing_label(21, 23) == "91% (21 of 23)"


def test_theme_sets_the_minimum_size_and_the_serif_font() -> None:
    figures.set_theme()
    rc = matplotlib.rcParams
    for key in ("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize", "legend.title_fontsize", "axes.labelsize"):
        assert matplotlib.font_manager.FontProperties(size=rc[key]).get_size_in_points() >= figures.MIN_TEXT_PT, key
    assert rc["font.serif"][0] == figures.FONT and figures.FONT in matplotlib.font_manager.get_font_names()


def _recorder(tmp_path: Path) -> record.Recorder:
    return record.Recorder("02_demo", directory=tmp_path, echo=False, stamp="")


def test_save_refuses_a_long_alt_text(tmp_path: Path) -> None:
    figures.set_theme()
    fig, ax = plt.subplots()
    ax.bar(["a"], [1])
    with pytest.raises(ValueError, match="alt text"):
        figures.save(fig, "demo", "x" * figures.MAX_ALT_CHARS, _recorder(tmp_path))
    plt.close(fig)


def test_save_warns_of_a_figure_wider_than_the_text(tmp_path: Path) -> None:
    # Another edition's data may overflow a figure: the build warns and goes on (the committed
    # figures are held to the width by the tests above).
    figures.set_theme()
    fig, ax = plt.subplots(figsize=(figures.WIDTH_IN + 1, 2))
    ax.bar(["a"], [1])
    with pytest.warns(figures.FigureWidthWarning, match="wider than the text width"):
        figures.save(fig, "demo", "One bar.", _recorder(tmp_path))
    plt.close(fig)
    assert (tmp_path / "demo.svg").exists()


def test_the_size_reader_reads_what_matplotlib_writes(tmp_path: Path) -> None:
    """The guard above must be able to fail: a 6 pt label and a turned label are seen."""
    figures.set_theme()
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(["a"], [1])
    ax.text(0, 0.5, "tiny 3/7", fontsize=6)
    ax.text(0, 0.2, "turned", rotation=90)
    fig.savefig(tmp_path / "x.svg", format="svg")
    plt.close(fig)
    svg = (tmp_path / "x.svg").read_text()
    lines = drawn_text(svg)
    assert ("tiny 3/7", 6.0, 0.0) in lines
    assert any(t == "turned" and abs(a) == 90 for t, _, a in lines)
    assert len(lines) == svg.count("<!-- ")
    assert _K_OF_N_SLASH.search(all_text(svg))


def test_a_long_alt_text_keeps_its_point_and_drops_numbers_at_a_list_boundary() -> None:
    alt = "Most respondents forward communications. " + "; ".join(f"task {i} 40% (4 of 10)" for i in range(40)) + "."
    short = figures.fit_alt(alt, 200)
    assert len(short) <= 200 and short.startswith("Most respondents forward communications.")
    assert short.endswith(" …") and "; task" in short and not short[:-2].endswith(("; ", ","))
    assert figures.fit_alt("Short. Fine.", 200) == "Short. Fine."


def test_an_axis_label_longer_than_the_figure_is_wrapped_to_its_width() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(figures.WIDTH_IN, 2))
    ax.set_xlabel("Share of respondents with a very long explanation of what was suppressed and why " * 3)
    figures._fit_labels(fig)
    fig.canvas.draw()
    assert "\n" in ax.xaxis.label.get_text()
    assert ax.xaxis.label.get_window_extent().width <= fig.bbox.width
    plt.close(fig)
