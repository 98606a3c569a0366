"""How long validation takes, and how much memory, on a survey file of a million rows.

Not a test: it prints figures. Run with:

    .venv/bin/python benchmarks/validate_large.py [ROWS ...]     # default: 100000 1000000

The large file repeats the synthetic sample's rows (with fresh respondent ids) and is written in
a stream; validation runs as `poc1540 validate` in a child process, whose peak resident memory
is read from the operating system. Because the survey is validated in chunks, peak memory
should stay nearly flat as the file grows.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write_large(raw: Path, rows: int) -> int:
    """Replace raw/survey_responses.csv by ``rows`` rows cycling through the sample; return its size."""
    sample = raw / "survey_responses.csv"
    with open(sample, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = list(reader)
    key = header.index("respondent_id")
    with open(sample, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            row = list(body[i % len(body)])
            row[key] = f"R{i:07d}"
            writer.writerow(row)
    return sample.stat().st_size


def measure(rows: int) -> tuple[float, float, float, int]:
    """(file MB, seconds, peak RSS MB, exit code) for validating ``rows`` rows."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        shutil.copytree(ROOT / "data" / "raw", raw)
        size = write_large(raw, rows)
        script = (
            "import resource, subprocess, sys;"
            f"p = subprocess.run([{str(BIN / 'poc1540')!r}, 'validate', '--raw-dir', {str(raw)!r}], capture_output=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)"
        )
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        peak_kb = int(proc.stdout.strip().splitlines()[-1])
    return size / 1e6, seconds, peak_kb / 1024, proc.returncode


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100_000, 1_000_000]
    print(f"{'rows':>10} {'file MB':>8} {'seconds':>8} {'peak RSS MB':>12} {'exit':>5}")
    for rows in sizes:
        mb, seconds, peak, code = measure(rows)
        print(f"{rows:>10,} {mb:>8.1f} {seconds:>8.1f} {peak:>12.0f} {code:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
