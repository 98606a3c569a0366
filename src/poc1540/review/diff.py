"""How the findings moved between two git revisions: ``poc1540 diff REV [REV2]``.

Each notebook writes ``results/<notebook>/findings.json`` and those files are committed, so
git already holds every earlier version of every finding. This module reads them at a
revision (``git show REV:path``) or from the working tree and lists, key by key, what changed:
the old and new text as the report prints it and, for numbers, new minus old. It is the
human-readable companion of ``dvc metrics diff`` (which sees only the numeric values in
``results/findings.json``, not the texts, dates and labels).

``poc1540 verify`` reuses :func:`compare` to show which findings a rebuild changed.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from poc1540.core import paths

# A chapter's findings file, as a path relative to the repository root (the merged metrics
# file results/findings.json is one level up and deliberately does not match).
FINDINGS_PATTERN = "results/*/findings.json"
WORKING_TREE = "the working tree"


class DiffError(RuntimeError):
    """A revision or findings file that cannot be read (bad revision, not a git repo, bad JSON)."""


@dataclass(frozen=True)
class Change:
    """One finding that differs between two states; ``old``/``new`` is None when absent."""

    key: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def kind(self) -> str:
        """'added', 'removed' or 'changed'."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"

    @property
    def old_text(self) -> str:
        return _text(self.old)

    @property
    def new_text(self) -> str:
        return _text(self.new)

    @property
    def difference(self) -> str:
        """new value − old value when both are numbers (percentages in percentage points), else ''."""
        if self.old is None or self.new is None:
            return ""
        old, new = self.old.get("value"), self.new.get("value")
        if not (_is_number(old) and _is_number(new)):
            return ""
        assert isinstance(old, (int, float)) and isinstance(new, (int, float))  # _is_number said so
        delta = new - old
        if isinstance(old, int) and isinstance(new, int):
            shown = f"{delta:+,d}"
        else:
            # Round away float noise (63.7 - 52.8 = 10.900000000000006) without hiding real digits.
            shown = f"{round(delta, 6):+,g}"
        unit = self.new.get("unit") or self.old.get("unit") or ""
        return f"{shown} pp" if unit == "percent" else shown


@dataclass
class FindingsDiff:
    """Every finding that differs between ``old_label`` and ``new_label``, sorted by key."""

    old_label: str
    new_label: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def format(self) -> str:
        """The diff as a plain-text table with a one-line summary above it."""
        if not self.changes:
            return f"No finding changed between {self.old_label} and {self.new_label} ({self.unchanged} compared)."
        summary = (
            f"Findings from {self.old_label} to {self.new_label}: {self.count('changed')} changed, "
            f"{self.count('added')} added, {self.count('removed')} removed, {self.unchanged} unchanged."
        )
        rows = [[c.key, c.kind, c.old_text, c.new_text, c.difference] for c in self.changes]
        return summary + "\n\n" + table(["finding", "change", "old text", "new text", "difference"], rows, wrap=(2, 3))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(finding: dict[str, Any] | None) -> str:
    if finding is None:
        return "—"
    text = finding.get("text")
    return str(text) if text is not None else str(finding.get("value"))


TEXT_WIDTH = 48  # long finding texts wrap within their column instead of widening the table


def table(headers: list[str], rows: list[list[Any]], wrap: tuple[int, ...] = ()) -> str:
    """A plain-text table (tabulate when installed, else a hand-aligned one).

    Columns whose index is in ``wrap`` are wrapped at TEXT_WIDTH characters.
    """
    try:
        from tabulate import tabulate
    except ImportError:  # tabulate is a DVC dependency, but the fallback keeps this module standalone
        cut = lambda v, i: v if i not in wrap or len(v) <= TEXT_WIDTH else v[: TEXT_WIDTH - 1] + "…"  # noqa: E731
        cells = [[str(h) for h in headers]] + [[cut(str(v), i) for i, v in enumerate(row)] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
        lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)
    max_widths: list[int | None] = [TEXT_WIDTH if i in wrap else None for i in range(len(headers))]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, maxcolwidths=max_widths if wrap else None)


def by_key(payload: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """The findings of one findings.json payload, keyed by finding key."""
    try:
        return {item["key"]: item for item in payload["findings"]}
    except (KeyError, TypeError) as exc:
        raise DiffError(f"{source} is not a findings file (expected {{'findings': [{{'key': ...}}]}}): missing {exc}") from None


def parse(text: str, source: str) -> dict[str, dict[str, Any]]:
    """Parse one findings.json text (``source`` names it in error messages)."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiffError(f"{source} is not valid JSON: {exc}") from None
    return by_key(payload, source)


def compare(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], old_label: str = "old", new_label: str = "new") -> FindingsDiff:
    """Findings whose value or text differ, plus those only on one side.

    Only value and text count: the cell number or notebook of a finding moving (an edit above
    it in the notebook) is not a change in what the report states.
    """
    diff = FindingsDiff(old_label, new_label)
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None and _same(before, after):
            diff.unchanged += 1
        else:
            diff.changes.append(Change(key, before, after))
    return diff


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("value") == b.get("value") and a.get("text") == b.get("text")


def _git(args: list[str], root: Path) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except FileNotFoundError:
        raise DiffError("git is not installed or not on PATH") from None
    if proc.returncode != 0:
        raise DiffError(f"git {' '.join(args)} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def resolve(rev: str, root: Path = paths.ROOT) -> str:
    """The commit a revision names, or a DiffError saying it does not exist."""
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).strip()
    except DiffError:
        raise DiffError(f"{rev!r} is not a revision of the git repository at {root} (try a commit, a tag or HEAD~1)") from None


def findings_at(rev: str, root: Path = paths.ROOT) -> dict[str, dict[str, Any]]:
    """Every chapter's findings as committed at ``rev``."""
    commit = resolve(rev, root)
    names = _git(["ls-tree", "-r", "--name-only", "--full-tree", commit, "--", "results"], root).splitlines()
    merged: dict[str, dict[str, Any]] = {}
    for name in sorted(n for n in names if fnmatch.fnmatch(n, FINDINGS_PATTERN) and n.count("/") == 2):
        merged.update(parse(_git(["show", f"{commit}:{name}"], root), f"{name} at {rev}"))
    return merged


def findings_in_tree(root: Path = paths.ROOT) -> dict[str, dict[str, Any]]:
    """Every chapter's findings as they are in the working tree now."""
    merged: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(root).glob(FINDINGS_PATTERN)):
        merged.update(parse(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix()))
    return merged


def diff(rev: str, rev2: str | None = None, root: Path = paths.ROOT) -> FindingsDiff:
    """Findings changed from ``rev`` to ``rev2`` (or to the working tree when ``rev2`` is None)."""
    old = findings_at(rev, root)
    new = findings_at(rev2, root) if rev2 else findings_in_tree(root)
    return compare(old, new, old_label=rev, new_label=rev2 or WORKING_TREE)


def main_diff(rev: str, rev2: str | None = None, root: Path = paths.ROOT) -> int:
    """Print the findings diff; 0 on success (changes are not an error), 1 when it cannot be read."""
    try:
        result = diff(rev, rev2, root)
    except DiffError as exc:
        print(f"poc1540 diff: {exc}", file=sys.stderr)
        return 1
    print(result.format())
    return 0


if __name__ == "__main__":  # pragma: no cover - `poc1540 diff` is the entry point
    if not 1 <= len(sys.argv) - 1 <= 2:
        print("usage: python -m poc1540.review.diff REV [REV2]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main_diff(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
