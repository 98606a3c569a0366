"""How long builds take, and what DVC's caching saves: a measurement script, not a test.

Run from the repository root:

    .venv/bin/python benchmarks/build_times.py [--param params/coverage.yaml:comparison_date=2019-08-31]

In a scratch copy of the checkout (tracked and untracked-but-not-ignored files; the checkout is
never touched) it times, one after the other:

1. cold build: ``dvc repro --force`` (every stage);
2. no-op build: ``dvc repro`` again (nothing changed; median of three runs);
3. the author's loops, each from the built state and undone afterwards, listing the stages that
   ran and, where the PDF changes, the seconds until the new PDF is written:
   - one-chapter change: one value in a chapter's params file, then ``dvc repro``
     (target under 6 s);
   - text edit: a sentence added to a chapter's ``.qmd``, then ``dvc repro`` (target: the PDF
     in under 2 s);
   - renderer edit: a comment added to the renderer (``src/qmdrender``), then ``dvc repro``
     (target under 6 s; only the report stage may run);
   - preview: ``poc1540 preview --once``, the render that ``make preview`` repeats on every save;
4. naive baseline: the same work without DVC or papermill: every stage in dependency order, its
   notebook executed directly with nbclient (its parameters cell as written) and any other
   command run as is (validation, findings, ``poc1540 render --to pdf html``).

It prints seconds and peak resident memory of each (the sum over the process tree, sampled with
psutil), and the ratios cold/no-op (target: no-op under 2 s and at least 20x faster than cold)
and cold/naive (target: at most 1.5, i.e. DVC and papermill add at most half again).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from poc1540.core import paths
from poc1540.review.diff import table
from poc1540.review.verify import build_env, copy_tracked

RUNNING = re.compile(r"Running stage '([^']+)'")
NOOP_TARGET_SECONDS = 2.0
NOOP_TARGET_RATIO = 20.0
NAIVE_TARGET_RATIO = 1.5
# The author's loops (issue targets): seconds to the new PDF, or to the end of the build.
TEXT_TO_PDF_TARGET = 2.0
CHAPTER_TARGET = 6.0
RENDERER_TARGET = 6.0
TEXT_EDIT = "report/chapters/_support.qmd"
RENDERER_EDIT = "src/qmdrender/shortcodes.py"

# Executes one notebook the plain way: nbclient, no parameter injection, no output written back.
NBCLIENT_DRIVER = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=1200, resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


@dataclass
class Measure:
    """One timed command: wall seconds, peak RSS of its process tree, its output."""

    label: str
    seconds: float
    peak_rss: int
    output: str = ""
    stages: list[str] = field(default_factory=list)
    first_write: float | None = None  # seconds until the watched file was rewritten


class BuildFailed(RuntimeError):
    """A build step exited non-zero; the message carries the tail of its output."""


def _tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants now (0 for those already gone)."""
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(label: str, cmd: list[str], cwd: Path, env: dict[str, str], watch: Path | None = None) -> Measure:
    """Run ``cmd`` and sample its process tree's memory every 50 ms until it ends.

    With ``watch``, also note when that file is first rewritten (``Measure.first_write``).
    """
    before = watch.stat().st_mtime_ns if watch is not None and watch.exists() else None
    first_write: float | None = None
    start = time.perf_counter()
    popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, first_write
        proc = psutil.Process(popen.pid)
        while not done.is_set():
            peak = max(peak, _tree_rss(proc))
            if watch is not None and first_write is None and watch.exists() and watch.stat().st_mtime_ns != before:
                first_write = time.perf_counter() - start
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = popen.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if popen.returncode != 0:
        tail = "\n".join(output.rstrip().splitlines()[-30:])
        raise BuildFailed(f"{label}: `{shlex.join(cmd)}` exited {popen.returncode}; last lines:\n{tail}")
    return Measure(label, seconds, peak, output, RUNNING.findall(output), first_write)


def set_param(path: Path, key: str, value: str) -> str:
    """Set one top-level value in a params YAML file (keeping comments); returns the old value."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf'(?m)^({re.escape(key)}:\s*)("[^"]*"|\'[^\']*\'|[^\s#]+)')
    match = pattern.search(text)
    if match is None:
        raise SystemExit(f"build_times: no top-level key {key!r} in {path}")
    path.write_text(pattern.sub(lambda m: f'{m.group(1)}"{value}"', text, count=1), encoding="utf-8")
    return match.group(2)


def undo(root: Path, files: list[str], dvc: list[str], env: dict[str, str]) -> None:
    """Put edited files back and rebuild, so the next loop starts from the built state."""
    subprocess.run(["git", "checkout", "-q", "--", *files], cwd=root, check=True)
    measure("undo", [*dvc, "repro"], root, env)


def stages_in_order(root: Path) -> list[tuple[str, str]]:
    """(name, command) of every stage, dependencies first, ties in dvc.yaml order."""
    import networkx as nx
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        stages = list(repo.index.stages)
        order = {stage: i for i, stage in enumerate(stages)}
        # DVC's graph points from a stage to the stages it depends on: reverse it to run deps first.
        ordered = nx.lexicographical_topological_sort(repo.index.graph.reverse(), key=lambda s: order[s])
        return [(stage.name, stage.cmd if isinstance(stage.cmd, str) else " && ".join(stage.cmd)) for stage in ordered if stage.cmd]


def naive(root: Path, env: dict[str, str]) -> Measure:
    """Every stage's work without DVC or papermill, timed as one build."""
    total = Measure("naive: nbclient + stage commands, no DVC", 0.0, 0)
    for name, cmd in stages_in_order(root):
        notebooks = [tok for tok in shlex.split(cmd) if tok.endswith(".ipynb")]
        if notebooks:
            nb = root / notebooks[0]
            # the one thing papermill's executor gives a notebook besides parameters: its name
            nb_env = {**env, paths.NOTEBOOK_ENV: nb.stem}
            step = measure(name, [sys.executable, "-c", NBCLIENT_DRIVER, str(nb), str(nb.parent)], root, nb_env)
        else:
            step = measure(name, ["bash", "-c", cmd], root, env)
        total.seconds += step.seconds
        total.peak_rss = max(total.peak_rss, step.peak_rss)
        total.stages.append(name)
    return total


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=paths.ROOT, help="checkout to copy (default: this repository)")
    parser.add_argument(
        "--param",
        default="params/coverage.yaml:comparison_date=2019-08-31",
        help="the one-chapter change, FILE:KEY=VALUE (default: %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy and print its path")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    args = parser.parse_args(argv)
    param_file, _, assignment = args.param.partition(":")
    key, _, value = assignment.partition("=")
    if not (param_file and key and value):
        parser.error("--param must look like params/coverage.yaml:comparison_date=2019-08-31")

    load_before = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="poc1540-bench-"))
    env = build_env(scratch)
    # As on a user's machine: Python writes bytecode caches into src/, which DVC must not hash.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    dvc = [str(Path(sys.executable).parent / "dvc")]
    try:
        copied = copy_tracked(Path(args.root), scratch, include_untracked=True)
        print(f"Scratch copy of {copied} files: {scratch}", flush=True)
        rows: list[Measure] = []

        print("cold build (dvc repro --force)...", flush=True)
        cold = measure("cold: dvc repro --force", [*dvc, "repro", "--force"], scratch, env)
        rows.append(cold)

        print("no-op builds (dvc repro x3)...", flush=True)
        noops = [measure("no-op: dvc repro", [*dvc, "repro"], scratch, env) for _ in range(3)]
        noop = sorted(noops, key=lambda m: m.seconds)[1]
        noop.label = f"no-op: dvc repro (median of {', '.join(f'{m.seconds:.2f}' for m in noops)} s)"
        noop.stages = sorted({s for m in noops for s in m.stages})
        rows.append(noop)
        version = measure("  for scale: dvc --version", [*dvc, "--version"], scratch, env)
        rows.append(version)
        rows.append(measure("  for scale: dvc status", [*dvc, "status"], scratch, env))

        pdf = scratch / paths.REPORT_PDF.relative_to(paths.ROOT)
        print(f"one-chapter change ({args.param}) then dvc repro...", flush=True)
        old = set_param(scratch / param_file, key, value)
        change = measure(f"one chapter: {key} {old} -> {value}, dvc repro", [*dvc, "repro"], scratch, env, watch=pdf)
        rows.append(change)
        undo(scratch, [param_file], dvc, env)

        print(f"text edit ({TEXT_EDIT}) then dvc repro...", flush=True)
        with (scratch / TEXT_EDIT).open("a", encoding="utf-8") as fh:
            fh.write("\nA sentence the author has just added to this chapter.\n")
        text = measure(f"text edit: a sentence in {TEXT_EDIT}, dvc repro", [*dvc, "repro"], scratch, env, watch=pdf)
        rows.append(text)
        undo(scratch, [TEXT_EDIT], dvc, env)

        print(f"renderer edit ({RENDERER_EDIT}) then dvc repro...", flush=True)
        with (scratch / RENDERER_EDIT).open("a", encoding="utf-8") as fh:
            fh.write("\n# a comment a developer added\n")
        renderer = measure(f"renderer edit: a comment in {RENDERER_EDIT}, dvc repro", [*dvc, "repro"], scratch, env, watch=pdf)
        rows.append(renderer)
        undo(scratch, [RENDERER_EDIT], dvc, env)

        poc1540 = str(Path(sys.executable).parent / "poc1540")
        preview = measure("preview: poc1540 preview --once (PDF)", [poc1540, "preview", "--once"], scratch, env)
        rows.append(preview)

        baseline = None
        if not args.no_naive:
            print("naive baseline (every notebook with nbclient, then the other commands)...", flush=True)
            baseline = naive(scratch, env)
            rows.append(baseline)
    except BuildFailed as exc:
        print(f"build_times: {exc}\n(scratch copy kept for a look: {scratch})", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)

    n_stages = len(cold.stages)

    def ran(m: Measure) -> str:
        if not m.stages:
            return "none"
        return f"all {n_stages}" if len(m.stages) == n_stages and m is not change else ", ".join(m.stages)

    print()

    def to_pdf(m: Measure) -> str:
        return "" if m.first_write is None else f"{m.first_write:.2f}"

    print(
        table(
            ["build", "seconds", "PDF after (s)", "peak RSS", "stages run"],
            [[m.label, f"{m.seconds:.2f}", to_pdf(m), mib(m.peak_rss), ran(m)] for m in rows],
        )
    )
    print()
    ratio = cold.seconds / noop.seconds
    verdict = "OK" if noop.seconds < NOOP_TARGET_SECONDS and ratio >= NOOP_TARGET_RATIO else "MISSED"
    print(
        f"cold / no-op  = {cold.seconds:.1f} s / {noop.seconds:.2f} s = {ratio:.0f}x   "
        f"(target: no-op < {NOOP_TARGET_SECONDS:.0f} s and >= {NOOP_TARGET_RATIO:.0f}x) {verdict}"
    )
    if baseline is not None:
        ratio = cold.seconds / baseline.seconds
        verdict = "OK" if ratio <= NAIVE_TARGET_RATIO else "MISSED"
        print(f"cold / naive  = {cold.seconds:.1f} s / {baseline.seconds:.1f} s = {ratio:.2f}   (target <= {NAIVE_TARGET_RATIO}) {verdict}")
    print(f"one-chapter change reran {len(change.stages)} of {n_stages} stages: {', '.join(change.stages) or 'none'}")

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    text_pdf = text.first_write if text.first_write is not None else text.seconds
    print(
        f"text edit     -> PDF in {text_pdf:.2f} s (target < {TEXT_TO_PDF_TARGET:.0f} s) {verdict(text_pdf < TEXT_TO_PDF_TARGET)}; whole build {text.seconds:.2f} s ({', '.join(text.stages)})"
    )
    print(
        f"preview       -> PDF in {preview.seconds:.2f} s (target < {TEXT_TO_PDF_TARGET:.0f} s) {verdict(preview.seconds < TEXT_TO_PDF_TARGET)}"
    )
    print(f"one chapter   -> {change.seconds:.2f} s (target < {CHAPTER_TARGET:.0f} s) {verdict(change.seconds < CHAPTER_TARGET)}")
    print(
        f"renderer edit -> {renderer.seconds:.2f} s (target < {RENDERER_TARGET:.0f} s) {verdict(renderer.seconds < RENDERER_TARGET)}; "
        f"stages run: {', '.join(renderer.stages) or 'none'}"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, {mib(psutil.virtual_memory().total)} RAM, Python {sys.version.split()[0]}, "
        f"dvc {version.output.strip()}; load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} "
        "(other work on the machine inflates every figure)"
    )
    if args.keep:
        print(f"scratch copy kept: {scratch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
