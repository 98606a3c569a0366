"""One look for every figure, and deterministic figure files.

One visual grammar for the whole report:

- **Size.** Figures are drawn at the report's text width (:data:`WIDTH_IN`) and included at
  their natural size, so a size in points is the printed size. No text is smaller than
  :data:`MIN_TEXT_PT`; :func:`save` refuses a figure wider than the text width (it would be
  scaled down, and its text with it).
- **Font.** The body is Libertinus Serif, which only Typst embeds. Matplotlib draws with the
  fonts it ships, so every machine draws the same figure: STIX (``STIXGeneral``), a Times-like
  serif, is the closest of them to Libertinus in proportion and stroke; DejaVu Serif is wider
  with a much taller x-height, DejaVu Sans is not a serif, and cmr10 lacks common glyphs.
- **Colour.** :data:`COLOR` names every colour by the one thing it means anywhere in the report.
  Categories shown together differ in lightness (readable in greyscale) and the hue families
  (blue: POC; orange-brown: role type; purple: how serious; teal: written mandate; slate: a
  plain share) keep apart for the common colour-vision deficiencies.
- **Counts** read "35% (13 of 37)" (:func:`count_label`); a suppressed value is drawn as
  :data:`SUPPRESSED_MARK` where the value would be (:func:`suppressed_mark`), never left out.
- **Text on a filled shape** is black or white, whichever contrasts more (:func:`text_color`).
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")  # papermill kernels have no display; figures go to files

import re  # noqa: E402
import textwrap  # noqa: E402
from html import escape  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, to_rgb  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from poc1540.core import atomic, notice  # noqa: E402
from poc1540.publish.record import Recorder  # noqa: E402

WIDTH_IN = 160 / 25.4  # the A4 report's text width: 210 mm less two 25 mm margins
MIN_TEXT_PT = 8.0  # no text in a figure prints smaller than this
LABEL_SIZE = MIN_TEXT_PT  # tick labels, bar labels, legends, annotations, heat-map cells
TITLE_SIZE = 9.0  # axis labels and panel titles
FONT = "STIXGeneral"
MAX_ALT_CHARS = 400  # an alt text states the point and the key numbers; the rest is in the tables

# Every colour a figure uses, by the one thing it means anywhere in the report.
COLOR: dict[str, str] = {
    # a plain share with nothing else encoded (the bar's label says what it counts)
    "share": "#475569",
    # listing: States with and without a Point of Contact
    "poc": "#1f4e89",
    "no_poc": "#9ec3e6",
    # role type (ordered, light to dark): Post Office, Intermediate, Hub; also their tasks
    "post_office": "#f3c26b",
    "intermediate": "#c97a2c",
    "hub": "#6e3306",
    # how serious a challenge is (ordered, light to dark)
    "not_serious": "#d7cde9",
    "moderate": "#9a86c6",
    "serious": "#45287a",
    # written terms of reference (filled marker: written; hollow: none)
    "mandate": "#17766c",
    # ink, not data
    "suppressed": "#4d4d4d",  # the "s" marker, where a suppressed value would be
    "reference": "#707070",  # reference lines (an overall rate, all Member States)
    "ink": "#262626",  # line work: confidence-interval whiskers, marker edges, the outline of an empty bar
}
# A heat map of shares: from a pale tint of the plain-share colour to the colour itself.
SHARE_CMAP = LinearSegmentedColormap.from_list("poc1540_share", ["#f1f3f6", COLOR["share"]])
SUPPRESSED_MARK = "s"
NOTICE_COLOUR = "#4d4d4d"  # the notice must stay legible in print
MIN_NOTICE_PT = MIN_TEXT_PT
# kept for old callers: the plain-share colour
ACCENT = COLOR["share"]
MUTED = COLOR["reference"]
PALETTE = [COLOR["share"]]


def set_theme() -> None:
    """Apply the report's seaborn theme (call once at the top of each notebook)."""
    sns.set_theme(
        context="paper",
        style="whitegrid",
        palette=PALETTE,
        font=FONT,
        font_scale=1.0,
        rc={
            "figure.figsize": (WIDTH_IN, 3.4),
            # everything inside the figure box: the saved width is the text width, never more
            "figure.constrained_layout.use": True,
            "font.family": "serif",
            "font.serif": [FONT],
            "mathtext.fontset": "stix",
            "font.size": LABEL_SIZE,
            "xtick.labelsize": LABEL_SIZE,
            "ytick.labelsize": LABEL_SIZE,
            "legend.fontsize": LABEL_SIZE,
            "legend.title_fontsize": LABEL_SIZE,
            "axes.labelsize": TITLE_SIZE,
            "axes.titlesize": TITLE_SIZE,
            "figure.titlesize": TITLE_SIZE,
            "figure.labelsize": TITLE_SIZE,
            "text.color": "#000000",
            "axes.labelcolor": "#000000",
            "xtick.color": "#000000",
            "ytick.color": "#000000",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "grid.color": "#e3e3e3",
            "legend.frameon": False,
            # determinism: fixed ids in SVG, no timestamps
            "svg.hashsalt": "poc1540",
            "svg.fonttype": "path",  # glyphs as paths (the text stays in a comment): no font needed to view
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.02,
        },
    )


def count_label(share: Any, *, percent_only: bool = False) -> str:
    """How a share is written on a figure: "35% (13 of 37)", or "35%", or "s" when suppressed.

    ``share`` is a :class:`poc1540.analysis.stats.Share` or a row of a share table (anything
    with ``suppressed``, ``count`` and ``base``). ``percent_only`` is for cells too small for the count, where the
    base is printed on the axis.
    """
    if share is None or bool(_field(share, "suppressed")):
        return SUPPRESSED_MARK
    count, base = int(_field(share, "count")), int(_field(share, "base"))
    percent = f"{100.0 * count / base:.0f}%"
    return percent if percent_only else f"{percent} ({count} of {base})"


def _field(obj: Any, key: str) -> Any:
    """``obj[key]`` for a table row (where ``row.count`` is a method), else ``obj.key``."""
    try:
        return obj[key]
    except (TypeError, KeyError, IndexError):
        return getattr(obj, key)


def listing_label(count: int, base: int) -> str:
    """A share of the listing (no suppression: nothing is sampled): "91% (21 of 23)"."""
    return f"{100.0 * count / base:.0f}% ({int(count)} of {int(base)})"


def suppressed_mark(ax: plt.Axes, x: float, y: float, **kwargs: Any) -> Text:
    """Draw the suppressed marker where a value would be: the marker, never the count."""
    style: dict[str, Any] = {"fontsize": LABEL_SIZE, "color": COLOR["suppressed"], "va": "center", "fontstyle": "italic"} | kwargs
    return ax.text(x, y, SUPPRESSED_MARK, **style)


def suppressed_note(min_cell: int) -> str:
    """The legend line explaining the marker: a small cell, or one suppressed so that no small cell can be worked out."""
    return f"{SUPPRESSED_MARK} = suppressed to protect cells under {min_cell}"


def axis_title(ax: plt.Axes, text: str) -> Text:
    """Name the y axis above it, read level, instead of a label turned on its side."""
    ax.set_ylabel("")
    return ax.text(0, 1.03, text, transform=ax.transAxes, ha="left", va="bottom", fontsize=TITLE_SIZE)


def relative_luminance(colour: Any) -> float:
    """WCAG 2 relative luminance of a colour (any form matplotlib reads)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color(background: Any) -> str:
    """Black or white, whichever contrasts more with ``background`` (at least 4.5:1 for any colour)."""
    return "#000000" if contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background) else "#ffffff"


def alt_text(point: str, numbers: str) -> str:
    """An alt text: the point first, then the key numbers."""
    point = point.strip()
    return f"{point}{'' if point.endswith(('.', '!', '?')) else '.'} {numbers.strip()}".strip()


class FigureWidthWarning(UserWarning):
    """A figure came out wider than the report's text width."""


def save(fig: plt.Figure, name: str, alt: str, recorder: Recorder) -> None:
    """Write ``fig`` as ``results/<notebook>/<name>.svg`` with no date in it, and record its alt text.

    Returns nothing: a notebook cell ending in a save must not display a machine-specific path.

    While any input is not real (``recorder.stamp``), the figure carries the one-line data
    notice as a footer line, in its ``<desc>`` and in its metadata, and the alt text ends with
    the short notice, so a figure taken out of the report still says what it is.

    Refuses an empty alt text, one of :data:`MAX_ALT_CHARS` characters or more (with the
    notice, after :func:`fit_alt`), and warns of a figure wider than the text width (the report
    would shrink its text).
    """
    if not alt.strip():
        raise ValueError(f"figure {name!r} needs alt text")
    # Data decide how long the listed numbers run (label lengths, number of groups): the point
    # comes first, so numbers past the limit are dropped at a list boundary, never the point.
    full_alt = stamped_alt(fit_alt(alt, MAX_ALT_CHARS - 1 - len(stamped_alt("", recorder.stamp))), recorder.stamp)
    if len(full_alt) >= MAX_ALT_CHARS:
        raise ValueError(
            f"figure {name!r}: alt text of {len(full_alt)} characters (limit {MAX_ALT_CHARS}); "
            "state the point and the key numbers, the rest is in the table"
        )
    target = recorder.directory / f"{name}.svg"
    _fit_labels(fig)
    footer = _add_footer(fig, recorder.stamp) if recorder.stamp else None
    metadata = {"Date": None} | ({"Description": recorder.stamp} if recorder.stamp else {})
    try:
        with atomic.atomic_path(target) as tmp:
            fig.savefig(tmp, format="svg", metadata=metadata)
            width = svg_width_pt(Path(tmp).read_text(encoding="utf-8"))
            if width > WIDTH_IN * 72 + 0.5:
                # A warning, not a failure: with another edition's data (longer labels) a figure
                # may overflow; the report then scales it down, which is better than no report.
                # The committed figures are held to the width by tests/publish/test_figures.py.
                warnings.warn(
                    f"figure {name!r} is {width / 72:.2f} in wide, wider than the text width ({WIDTH_IN:.2f} in): "
                    "the report will scale it down and its text will print below "
                    f"{MIN_TEXT_PT:g} pt",
                    FigureWidthWarning,
                    stacklevel=2,
                )
            if recorder.stamp:
                _add_desc(Path(tmp), recorder.stamp)
    finally:
        if footer is not None:
            footer.remove()  # the figure object is the notebook's: leave it as it was
    recorder.add_figure(name, target, full_alt)


def svg_width_pt(svg: str) -> float:
    """The width of an SVG written by matplotlib, in points."""
    match = re.search(r"<svg\b[^>]*\bwidth=\"([0-9.]+)pt\"", svg)
    if match is None:
        raise ValueError("not a matplotlib SVG: no width in points")
    return float(match.group(1))


def fit_alt(alt: str, budget: int) -> str:
    """``alt`` cut to ``budget`` characters at the last list separator that fits, marked with an ellipsis."""
    alt = alt.strip()
    if len(alt) <= budget:
        return alt
    cut = max(alt.rfind(sep, 0, budget - 2) for sep in ("; ", ", "))
    first_sentence = alt.find(". ") + 1
    if cut <= first_sentence:  # nothing but the point fits: keep the point, cut at a word
        cut = alt.rfind(" ", 0, budget - 2)
    return alt[:cut].rstrip(" ;,") + " …"


def _fit_labels(fig: plt.Figure) -> None:
    """Wrap axis labels and figure labels wider than the figure, so the saved figure keeps the text width."""
    import textwrap

    fig.draw_without_rendering()  # lays the text out, so its extent is known
    limit = fig.bbox.width * 0.98
    # the figure-level labels have no public getter for their Text objects
    figure_labels = [getattr(fig, name, None) for name in ("_supxlabel", "_suptitle")]
    labels = [ax.xaxis.label for ax in fig.axes] + [t for t in figure_labels if t is not None]
    for label in labels:
        text = label.get_text()
        if not text:
            continue
        width = label.get_window_extent().width
        if width > limit:
            per_line = max(10, int(len(text) * limit / width))
            label.set_text(textwrap.fill(text, per_line))


def stamped_alt(alt: str, stamp: str) -> str:
    """The alt text, ending with the short notice when there is a stamp."""
    if not stamp:
        return alt
    alt = alt.rstrip()
    return f"{alt}{'' if alt.endswith(('.', '!', '?')) else '.'} {notice.SHORT}."


def _add_footer(fig: plt.Figure, stamp: str) -> Text:
    """Draw ``stamp`` under everything else in ``fig``, wrapped to its width, in its smallest text size."""
    fig.draw_without_rendering()  # run the layout engine first: the footer goes under the laid-out figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's canvas has one
    sizes = [float(t.get_fontsize()) for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    size = max(min(sizes, default=MIN_NOTICE_PT), MIN_NOTICE_PT)
    box = fig.get_tightbbox(renderer)  # inches: what savefig's tight bbox will keep
    # STIX averages under half an em per character: wrapping at 0.55 em leaves a margin
    chars = max(40, int(box.width * 72 / (0.55 * size)))
    x, y = fig.dpi_scale_trans.transform((box.x0, box.y0 - 0.06))
    fx, fy = fig.transFigure.inverted().transform((x, y))
    return fig.text(fx, fy, textwrap.fill(stamp, chars), fontsize=size, color=NOTICE_COLOUR, ha="left", va="top")


def _add_desc(svg: Path, stamp: str) -> None:
    """Put the notice in the SVG's ``<desc>``, the element screen readers and viewers show."""
    text = svg.read_text(encoding="utf-8")
    start = text.index("<svg")
    end = text.index(">", start) + 1
    svg.write_text(text[:end] + f"\n <desc>{escape(stamp, quote=False)}</desc>" + text[end:], encoding="utf-8")


def wrap(text: str, width: int = 40) -> str:
    """Break a long axis label over lines at word boundaries."""
    return "\n".join(textwrap.wrap(text, width)) or text
