"""Rebuild everything from scratch elsewhere and check it against what is committed: ``make verify``.

A reviewer's question is "do the committed results follow from the committed code, data and
parameters?". To answer it without touching the checkout, :func:`verify`:

1. copies the tracked files (``git ls-files``, as they are in the working tree) into a temporary
   directory and makes that a git repository (DVC needs one);
2. runs ``dvc repro --force`` there, with ``POC1540_ROOT`` and ``PYTHONPATH`` pointing at the
   copy so the copy's own package and paths are used, not the checkout's;
3. compares, byte for byte (sha256), every committed output (each ``cache: false`` out and each
   metrics file of every stage in ``dvc.yaml``, every file inside output directories) with the
   rebuilt one, and for chapter findings files shows each finding whose value or text moved.

The checkout itself is only read (``git ls-files``, ``git status`` and the files), never written.
``--rebuilt DIR`` compares with a rebuild kept from an earlier run instead of building again,
provided every tracked input file is the same.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from poc1540.core import paths
from poc1540.review import diff

SHORT = 12  # hex digits of sha256 shown: enough to tell files apart at a glance
TAIL = 40  # lines of a failed `dvc repro` shown to the user


class VerifyError(RuntimeError):
    """The check could not be set up (not a git checkout, no dvc.yaml, git or dvc missing)."""


@dataclass(frozen=True)
class FileCheck:
    """One committed output file against its rebuilt version (a hash is None when absent)."""

    output: str
    committed: str | None
    rebuilt: str | None

    @property
    def status(self) -> str:
        if self.committed is None and self.rebuilt is None:
            return "MISSING (declared, neither committed nor rebuilt)"
        if self.committed is None:
            return "EXTRA (rebuilt, not committed)"
        if self.rebuilt is None:
            return "MISSING (not rebuilt)"
        return "yes" if self.committed == self.rebuilt else "NO"

    @property
    def ok(self) -> bool:
        return self.status == "yes"


@dataclass
class Report:
    """The outcome of one verification: the rebuild, every file compared, and finding changes."""

    root: Path
    workdir: Path
    repro_ok: bool = True
    repro_log: str = ""
    seconds: float = 0.0
    checks: list[FileCheck] = field(default_factory=list)
    findings: dict[str, diff.FindingsDiff] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reused: bool = False  # compared with an earlier rebuild instead of running one

    @property
    def ok(self) -> bool:
        return self.repro_ok and bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def mismatched(self) -> list[FileCheck]:
        return [c for c in self.checks if not c.ok]

    def format(self) -> str:
        """The whole report as plain text."""
        if not self.repro_ok:
            tail = "\n".join(self.repro_log.rstrip().splitlines()[-TAIL:])
            return (
                f"`dvc repro --force` failed in the scratch copy {self.workdir} after {self.seconds:.0f} s; "
                f"nothing was compared. Last lines of its output:\n\n{tail}\n\nVERIFY FAILED: the pipeline does not rebuild."
            )
        short = lambda h: h[:SHORT] if h else "—"  # noqa: E731 - a one-off formatter
        rows = [[c.output, short(c.committed), short(c.rebuilt), c.status] for c in self.checks]
        how = (
            f"Compared with the earlier rebuild in {self.workdir} (same inputs)."
            if self.reused
            else f"Rebuilt from scratch with `dvc repro --force` in {self.seconds:.0f} s (scratch copy: {self.workdir})."
        )
        parts = [
            how,
            "",
            diff.table(["output", "committed sha256", "rebuilt sha256", "match"], rows),
        ]
        for output, changes in self.findings.items():
            if changes.changes:
                parts += ["", f"Findings that differ in {output}:", ""]
                parts.append(
                    diff.table(
                        ["finding", "change", "committed text", "rebuilt text", "difference"],
                        [[c.key, c.kind, c.old_text, c.new_text, c.difference] for c in changes.changes],
                        wrap=(2, 3),
                    )
                )
        parts += [""] + [f"Note: {n}" for n in self.notes]
        bad = self.mismatched
        if not self.checks:
            parts.append("VERIFY FAILED: dvc.yaml declares no committed outputs (cache: false outs or metrics) to compare.")
        elif bad:
            parts.append(
                f"VERIFY FAILED: {len(bad)} of {len(self.checks)} committed output files differ from the rebuild: "
                + ", ".join(c.output for c in bad)
            )
        else:
            parts.append(f"VERIFY PASSED: all {len(self.checks)} committed output files are rebuilt byte for byte.")
        return "\n".join(p for p in parts if p is not None).replace("\n\n\n", "\n\n")


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise VerifyError(f"{cmd[0]} is not installed or not on PATH") from None


def tracked_files(root: Path, include_untracked: bool = False) -> list[str]:
    """Paths git tracks in ``root`` (relative), plus untracked but not ignored ones when asked."""
    proc = _run(["git", "ls-files", "-z", "--cached", *(["--others", "--exclude-standard"] if include_untracked else [])], root)
    if proc.returncode != 0:
        raise VerifyError(f"{root} is not a git checkout ({proc.stderr.strip()}); verify compares against what git tracks")
    return [name for name in proc.stdout.split("\0") if name]


def copy_tracked(root: Path, target: Path, include_untracked: bool = False) -> int:
    """Copy the tracked files (working-tree content) of ``root`` into a new git repo at ``target``.

    ``include_untracked`` also copies files git does not ignore but nobody has added yet (work in
    progress); verify leaves it off, because a reviewer's clone would not have them.
    """
    names = tracked_files(root, include_untracked)
    copied = 0
    for name in names:
        src = root / name
        if not (src.is_file() or src.is_symlink()):
            continue  # tracked but deleted in the working tree: a fresh clone would have it, but we check this tree
        dst = target / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
        copied += 1
    # --force: a tracked file matching .gitignore must be tracked in the copy too.
    git = ["git", "-c", "user.name=poc1540 verify", "-c", "user.email=verify@localhost", "-c", "commit.gpgsign=false"]
    for cmd in (["git", "init", "-q"], ["git", "add", "-A", "--force"], [*git, "commit", "-qm", "verify: tracked files of the checkout"]):
        proc = _run(cmd, target)
        if proc.returncode != 0:
            raise VerifyError(f"{' '.join(cmd)} failed in {target}: {proc.stderr.strip()}")
    return copied


def committed_outputs(root: Path) -> list[str]:
    """Every committed output of every stage: ``cache: false`` outs and metrics, as declared.

    DVC's own reading of dvc.yaml is used so templated stages (``foreach``/``matrix``/``vars``)
    and stages added later are covered without listing any here.
    """
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(root)) as repo:
            found: list[str] = []
            for stage in repo.index.stages:
                for out in stage.outs:
                    if not out.use_cache or out.metric:
                        rel = Path(out.fs_path).resolve().relative_to(root.resolve()).as_posix()
                        if rel not in found:
                            found.append(rel)
            return found
    except DvcException as exc:
        raise VerifyError(f"cannot read the pipeline in {root}: {exc}") from None


def persisted_outputs(root: Path) -> list[str]:
    """Committed outputs declared ``persist: true`` (kept by DVC between runs of their stage)."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        return sorted(
            Path(out.fs_path).resolve().relative_to(root.resolve()).as_posix()
            for stage in repo.index.stages
            for out in stage.outs
            if out.persist and not out.use_cache
        )


def snapshot(root: Path, outputs: list[str]) -> dict[str, str]:
    """sha256 of every file of the given outputs (directories are walked), keyed by relative path."""
    hashes: dict[str, str] = {}
    for name in outputs:
        base = root / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base] if base.is_file() else []
        for path in files:
            hashes[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _ignored(root: Path, names: list[str]) -> set[str]:
    """Which of ``names`` git ignores in ``root`` (renderer scratch files inside an out dir, say)."""
    if not names:
        return set()
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin", "-z"], cwd=root, input="\0".join(names), capture_output=True, text=True
    )
    return {n for n in proc.stdout.split("\0") if n}


def build_env(copy: Path) -> dict[str, str]:
    """Environment for the rebuild: this interpreter's tools first, paths and package from the copy."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["POC1540_ROOT"] = str(copy)
    # An editable install points at the checkout's src/; the copy must run its own code.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy / "src"), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def compare(
    rebuilt_root: Path,
    outputs: list[str],
    committed: dict[str, str],
    rebuilt: dict[str, str],
    committed_findings: dict[str, dict[str, dict]],
    report: Report,
) -> None:
    """Fill ``report`` with one row per file and, for differing findings files, each finding that moved."""
    extras = sorted(set(rebuilt) - set(committed))
    ignored = _ignored(rebuilt_root, extras)
    if ignored:
        report.notes.append(f"{len(ignored)} git-ignored file(s) written inside outputs were not compared: {', '.join(sorted(ignored))}")
    for name in sorted(set(committed) | (set(extras) - ignored)):
        report.checks.append(FileCheck(name, committed.get(name), rebuilt.get(name)))
    declared_files = {o for o in outputs if not (rebuilt_root / o).is_dir()}
    for name in sorted(declared_files - set(committed) - set(rebuilt)):
        report.checks.append(FileCheck(name, None, None))  # declared, but neither committed nor rebuilt
    for check in report.checks:
        if fnmatch.fnmatch(check.output, diff.FINDINGS_PATTERN) and not check.ok and check.committed and check.rebuilt:
            old = committed_findings.get(check.output, {})
            new = diff.parse((rebuilt_root / check.output).read_text(encoding="utf-8"), f"rebuilt {check.output}")
            report.findings[check.output] = diff.compare(old, new, "committed", "rebuilt")


def inputs_differ(copy: Path, rebuilt_root: Path, outputs: list[str]) -> list[str]:
    """Tracked files other than outputs (and dvc.lock) that differ between two trees.

    An earlier rebuild can only stand in for a new one when it was made from the same code,
    data, notebooks and parameters; this lists what makes it not so.
    """
    output_files = set(snapshot(copy, outputs)) | set(outputs) | {"dvc.lock"}

    def inputs(tree: Path) -> dict[str, str]:
        names = [n for n in tracked_files(tree) if n not in output_files and not any(n.startswith(o + "/") for o in outputs)]
        return {n: hashlib.sha256((tree / n).read_bytes()).hexdigest() for n in names if (tree / n).is_file()}

    mine, theirs = inputs(copy), inputs(rebuilt_root)
    return sorted(n for n in set(mine) | set(theirs) if mine.get(n) != theirs.get(n))


def verify(root: Path = paths.ROOT, workdir: Path | None = None, rebuilt: Path | None = None) -> Report:
    """Rebuild the tracked tree of ``root`` from scratch in ``workdir`` (default: a new temp dir) and compare.

    The scratch copy is left in place (its path is in the report) when ``workdir`` is given,
    or when the check failed and there is something to look at; otherwise it is removed.

    ``rebuilt`` names a directory where verify already rebuilt the same inputs (a kept scratch
    copy): its outputs are compared instead of running the pipeline again, after checking that
    every tracked input file is identical. That makes re-checking after editing committed outputs
    (and the tests) cost seconds, not a full build.
    """
    root = Path(root).resolve()
    if not (root / "dvc.yaml").is_file():
        raise VerifyError(f"no dvc.yaml in {root}: run verify from the project's checkout")
    if rebuilt is not None and not (Path(rebuilt) / "dvc.yaml").is_file():
        raise VerifyError(f"{rebuilt} is not an earlier verify rebuild (no dvc.yaml there)")
    # With an earlier rebuild to compare against, the copy only serves to list committed outputs.
    keep = workdir is not None and rebuilt is None
    copy = Path(workdir) if workdir is not None and keep else Path(tempfile.mkdtemp(prefix="poc1540-verify-"))
    copy.mkdir(parents=True, exist_ok=True)
    report = Report(root=root, workdir=copy)
    try:
        copy_tracked(root, copy)
        outputs = committed_outputs(copy)
        committed = snapshot(copy, outputs)
        # Parsed now: the rebuild overwrites these files in the copy.
        committed_findings = {
            name: diff.parse((copy / name).read_text(encoding="utf-8"), f"committed {name}")
            for name in committed
            if fnmatch.fnmatch(name, diff.FINDINGS_PATTERN)
        }
        dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"], root).stdout.strip()
        if dirty:
            report.notes.append(f"the checkout has uncommitted changes to tracked files; they were verified as they are:\n{dirty}")

        if rebuilt is not None:
            rebuilt_root = Path(rebuilt).resolve()
            differing = inputs_differ(copy, rebuilt_root, outputs)
            if differing:
                raise VerifyError(
                    f"the rebuild in {rebuilt_root} was made from other inputs than {root} has now "
                    f"({', '.join(differing[:10])}{', ...' if len(differing) > 10 else ''}); run verify without --rebuilt"
                )
            report.workdir, report.reused = rebuilt_root, True
        else:
            rebuilt_root = copy
            # Outputs a stage keeps between runs (persist: true, e.g. notebook pages converted
            # only when their notebook changed) would be compared with themselves: remove them
            # so the rebuild makes every byte again.
            for rel in persisted_outputs(copy):
                target = copy / rel
                shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
            start = time.monotonic()
            try:
                # stderr folded into stdout so the tail shows messages in the order they were written
                proc = subprocess.run(
                    ["dvc", "repro", "--force"], cwd=copy, env=build_env(copy), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
            except FileNotFoundError:
                raise VerifyError(f"dvc is not installed next to {sys.executable} or on PATH") from None
            report.seconds = time.monotonic() - start
            report.repro_log = proc.stdout
            if proc.returncode != 0:
                report.repro_ok = False
                keep = True
                return report

        compare(rebuilt_root, outputs, committed, snapshot(rebuilt_root, outputs), committed_findings, report)
        lock = _run(["git", "status", "--porcelain", "--", "dvc.lock"], rebuilt_root).stdout.strip()
        if lock and rebuilt is None:
            report.notes.append(
                "dvc.lock changed in the rebuild: the committed lock records other dependency hashes than the "
                "checkout has (run `dvc repro` and commit dvc.lock); outputs were compared all the same."
            )
        if not report.ok and rebuilt is None:
            keep = True  # leave the rebuilt files for a `diff -r` by hand
        return report
    finally:
        if not keep:
            shutil.rmtree(copy, ignore_errors=True)
            if rebuilt is None:
                report.notes.append("the scratch copy was removed (pass a work directory to keep it)")


def main_verify(root: Path = paths.ROOT, workdir: Path | None = None, rebuilt: Path | None = None) -> int:
    """Run :func:`verify`, print the report; 0 when every committed output is rebuilt identically, else 1."""
    if rebuilt is None:
        print(f"Copying the tracked files of {root} and rebuilding everything with `dvc repro --force` (a minute or so)...", flush=True)
    try:
        report = verify(root, workdir, rebuilt)
    except (VerifyError, diff.DiffError) as exc:
        print(f"poc1540 verify: {exc}", file=sys.stderr)
        return 1
    print(report.format())
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover - `poc1540 verify` is the entry point
    sys.exit(main_verify())
