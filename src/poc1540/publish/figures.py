"""One look for every figure, and deterministic figure files.

The palette is sampled from cividis: safe for the common colour-vision deficiencies and, being
monotone in lightness, still ordered when printed in greyscale.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # papermill kernels have no display; figures go to files

import textwrap  # noqa: E402
from html import escape  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from poc1540.core import atomic, notice  # noqa: E402
from poc1540.publish.record import Recorder  # noqa: E402

WIDTH_IN = 6.5  # text width of the A4 report
PALETTE = [matplotlib.colors.to_hex(matplotlib.colormaps["cividis"](x)) for x in (0.05, 0.3, 0.55, 0.8)]
ACCENT = PALETTE[0]
MUTED = "#9a9a9a"
NOTICE_COLOUR = "#4d4d4d"  # darker than MUTED: the notice must stay legible in print
MIN_NOTICE_PT = 7.0  # the notice is never drawn smaller than this, whatever the figure's smallest text


def set_theme() -> None:
    """Apply the report's seaborn theme (call once at the top of each notebook)."""
    sns.set_theme(
        context="paper",
        style="whitegrid",
        palette=PALETTE,
        font="DejaVu Sans",
        font_scale=1.15,
        rc={
            "figure.figsize": (WIDTH_IN, 3.4),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "grid.color": "#e3e3e3",
            "legend.frameon": False,
            # determinism: fixed ids in SVG, no timestamps
            "svg.hashsalt": "poc1540",
            "svg.fonttype": "path",
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.05,
        },
    )


def save(fig: plt.Figure, name: str, alt: str, recorder: Recorder) -> None:
    """Write ``fig`` as ``results/<notebook>/<name>.svg`` with no date in it, and record its alt text.

    Returns nothing: a notebook cell ending in a save must not display a machine-specific path.

    While any input is not real (``recorder.stamp``), the figure carries the one-line data
    notice as a footer line, in its ``<desc>`` and in its metadata, and the alt text ends with
    the short notice, so a figure taken out of the report still says what it is.
    """
    if not alt.strip():
        raise ValueError(f"figure {name!r} needs alt text")
    target = recorder.directory / f"{name}.svg"
    footer = _add_footer(fig, recorder.stamp) if recorder.stamp else None
    metadata = {"Date": None} | ({"Description": recorder.stamp} if recorder.stamp else {})
    try:
        with atomic.atomic_path(target) as tmp:
            fig.savefig(tmp, format="svg", metadata=metadata)
            if recorder.stamp:
                _add_desc(Path(tmp), recorder.stamp)
    finally:
        if footer is not None:
            footer.remove()  # the figure object is the notebook's: leave it as it was
    recorder.add_figure(name, target, stamped_alt(alt, recorder.stamp))


def stamped_alt(alt: str, stamp: str) -> str:
    """The alt text, ending with the short notice when there is a stamp."""
    if not stamp:
        return alt
    alt = alt.rstrip()
    return f"{alt}{'' if alt.endswith(('.', '!', '?')) else '.'} {notice.SHORT}."


def _add_footer(fig: plt.Figure, stamp: str) -> Text:
    """Draw ``stamp`` under everything else in ``fig``, wrapped to its width, in its smallest text size."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's canvas has one
    sizes = [float(t.get_fontsize()) for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    size = max(min(sizes, default=MIN_NOTICE_PT), MIN_NOTICE_PT)
    box = fig.get_tightbbox(renderer)  # inches: what savefig's tight bbox will keep
    # DejaVu Sans averages a little over half an em per character
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
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
