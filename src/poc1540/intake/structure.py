"""Structural checks on what describes the raw files: the manifest and the codebook.

Every later check relies on these two files, so :func:`poc1540.intake.validate.validate_all`
runs these first and stops when they fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from poc1540.core import manifest as manifest_module
from poc1540.core import paths
from poc1540.core.problems import Problem

TRUTH_VALUES = ("real", "illustrative", "synthetic")
MANIFEST_FIELDS = ("title", "truth", "source", "snapshot", "licence", "schema")
QUESTION_TYPES = ("key", "country", "date", "single", "ordinal", "scale", "multi", "likert", "text")


def load_yaml(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    """Parse a YAML file (the manifest; the codebook is read by :class:`Codebook`), or say where it is broken."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [Problem(shown, f"is not valid YAML: {exc}".replace("\n", " "))]


def check_codebook(codebook: Any, shown: str) -> list[Problem]:
    """Structural checks on the codebook itself: every later check relies on it."""
    if not isinstance(codebook, dict) or not isinstance(codebook.get("questions"), list):
        return [Problem(shown, "must be a mapping with a 'questions' list")]
    problems = []
    for key in ("fieldwork",):
        if key not in codebook:
            problems.append(Problem(shown, f"is missing the top-level key '{key}'"))
    seen: set[str] = set()
    for n, q in enumerate(codebook["questions"], start=1):
        where = f"question {n}"
        if not isinstance(q, dict) or "id" not in q or "type" not in q:
            problems.append(Problem(shown, f"{where} must have an 'id' and a 'type'"))
            continue
        ids = [str(i.get("code")) for i in q.get("items", [])] if q["type"] in ("multi", "likert") else [q["id"]]
        for qid in ids:
            if qid in seen:
                problems.append(Problem(shown, f"{where}: the id '{qid}' is used twice", column=qid))
            seen.add(qid)
        if q["type"] not in QUESTION_TYPES:
            problems.append(
                Problem(
                    shown, f"{where} ('{q['id']}') has unknown type", value=str(q["type"]), fix=f"use one of {', '.join(QUESTION_TYPES)}"
                )
            )
        if q["type"] in ("single", "ordinal") and not q.get("options"):
            problems.append(Problem(shown, f"{where} ('{q['id']}') needs a list of options"))
        if q["type"] in ("multi", "likert") and not q.get("items"):
            problems.append(Problem(shown, f"{where} ('{q['id']}') needs a list of items"))
        for opt in q.get("options", []) + q.get("items", []):
            if not isinstance(opt, dict) or "code" not in opt or "label" not in opt:
                problems.append(
                    Problem(shown, f"{where} ('{q['id']}'): every option and item needs a 'code' and a 'label'", value=str(opt))
                )
    return problems


def check_manifest(manifest: Any, raw_dir: Path, shown: str) -> list[Problem]:
    """Every raw file is described (or listed as inactive), and every description is complete."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return [Problem(shown, "must be a mapping with a 'files' mapping")]
    problems = []
    files = manifest["files"]
    used = {manifest_module.location(name, entry, raw_dir) for name, entry in files.items() if isinstance(entry, dict)}
    inactive = {(raw_dir / str(name)).resolve() for name in manifest.get("inactive") or []}
    on_disk = [p for p in sorted(raw_dir.iterdir()) if p.is_file() and p.name != paths.MANIFEST.name and not p.name.startswith(".")]
    for path in on_disk:
        if path.resolve() not in used | inactive:
            problems.append(
                Problem(
                    shown,
                    f"does not describe the raw file '{path.name}'",
                    fix="add an entry with title, truth, source, snapshot, licence and schema, or list it under 'inactive'",
                )
            )
    for name, entry in files.items():
        if not isinstance(entry, dict):
            problems.append(Problem(shown, f"entry '{name}' must be a mapping"))
            continue
        where = manifest_module.location(name, entry, raw_dir)
        if not where.is_file():
            problems.append(
                Problem(
                    shown, f"entry '{name}' names {paths.relative(where)}, which does not exist", column="path" if "path" in entry else None
                )
            )
            continue
        for key in MANIFEST_FIELDS:
            if not str(entry.get(key, "")).strip():
                problems.append(Problem(shown, f"entry '{name}' is missing '{key}'", column=key))
        if entry.get("truth") not in TRUTH_VALUES:
            problems.append(
                Problem(
                    shown, f"entry '{name}': truth must be one of {', '.join(TRUTH_VALUES)}", column="truth", value=str(entry.get("truth"))
                )
            )
    return problems
