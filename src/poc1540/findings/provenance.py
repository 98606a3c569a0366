"""The data appendix and the provenance tables: every input as the edition actually read it.

Built from the manifest's active entries, so an entry pointing at a confidential export
(``path: ../private/survey_responses.csv``) is named by that file, with its truth, source and
snapshot. What an entry says about the placeholder a generator writes (``generated_by`` and its
``notes``) describes that file only: it is printed while that file is the one read and not real,
and never once a real file has taken its place.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any

from poc1540.core import manifest as manifest_module
from poc1540.core import notice, paths

KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "papermill",
    "dvc",
    "pandera",
    "typst",
    "pypandoc_binary",
)


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def generated_file_active(name: str, entry: dict[str, Any]) -> bool:
    """Whether the file read is the placeholder a generator wrote (so its description applies)."""
    return bool(entry.get("generated_by")) and str(entry.get("path", name)) == name and entry.get("truth") != notice.REAL


def data_sources(manifest: dict[str, Any], raw_dir: Path = paths.DATA_RAW) -> str:
    """Markdown list describing every raw input the edition read (for the data appendix)."""
    blocks = []
    for name, entry in sorted(manifest.items()):
        shown = manifest_module.shown_path(name, entry, raw_dir)
        notes = entry.get("notes") if generated_file_active(name, entry) or not entry.get("generated_by") else ""
        blocks.append(
            f"**{_md_cell(entry['title'])}** (`{shown}`; {entry['truth']}; snapshot {entry['snapshot']}"
            + (f"; sampling frame: the States listed with a POC on {entry['frame_date']}" if entry.get("frame_date") else "")
            + ").\n"
            f"Source: {_md_cell(entry['source'])}. Licence: {_md_cell(entry['licence'])}." + (f"\n{_md_cell(notes)}" if notes else "")
        )
    return "\n\n".join(blocks) + "\n"


def provenance(receipt: dict[str, Any], manifest: dict[str, Any], params_dir: Path = paths.PARAMS, raw_dir: Path = paths.DATA_RAW) -> str:
    """Markdown tables of input and parameter content hashes and key package versions.

    Each input is named by the file actually read. Made only from file contents, the manifest's
    locations and installed versions, so it changes exactly when they do.
    """
    rows = ["| Input | SHA-256 (first 16 hex digits) |", "|:--|:--|"]
    for name, digest in receipt["inputs"].items():
        shown = manifest_module.shown_path(name, manifest[name], raw_dir) if name in manifest else f"data/raw/{name}"
        rows.append(f"| `{shown}` | `{digest[:16]}` |")
    for path in sorted(Path(params_dir).glob("*.yaml")):
        rows.append(f"| `params/{path.name}` | `{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}` |")
    rows.append("\n: Content hashes of the raw inputs and parameter files {#tbl-provenance-inputs}\n")
    rows += ["| Package | Version |", "|:--|:--|"]
    for name in KEY_PACKAGES:
        try:
            rows.append(f"| {name} | {metadata.version(name)} |")
        except metadata.PackageNotFoundError:
            rows.append(f"| {name} | not installed |")
    rows.append("\n: Versions of the key packages {#tbl-provenance-packages}\n")
    return "\n".join(rows)
