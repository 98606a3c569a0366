"""One look for every figure, and deterministic figure files.

The palette is sampled from cividis: safe for the common colour-vision deficiencies and, being
monotone in lightness, still ordered when printed in greyscale.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # papermill kernels have no display; figures go to files

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from poc1540.core import atomic  # noqa: E402
from poc1540.publish.record import Recorder  # noqa: E402

WIDTH_IN = 6.5  # text width of the A4 report
PALETTE = [matplotlib.colors.to_hex(matplotlib.colormaps["cividis"](x)) for x in (0.05, 0.3, 0.55, 0.8)]
ACCENT = PALETTE[0]
MUTED = "#9a9a9a"


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
    """
    if not alt.strip():
        raise ValueError(f"figure {name!r} needs alt text")
    target = recorder.directory / f"{name}.svg"
    with atomic.atomic_path(target) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None})
    recorder.add_figure(name, target, alt)


def wrap(text: str, width: int = 40) -> str:
    """Break a long axis label over lines at word boundaries."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
