"""``poc1540 preview`` re-renders the PDF when a chapter is saved, and never touches the edition."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from support.repo import BIN, clone, tool_env


def test_preview_rerenders_on_save_and_leaves_the_edition_alone(repo_copy: Path, tmp_path: Path) -> None:
    root = clone(repo_copy, tmp_path / "clone")
    edition = (root / "report/_output/poc1540-report.pdf").read_bytes()
    preview = root / "report/_preview/poc1540-report.pdf"
    proc = subprocess.Popen(
        [str(BIN / "poc1540"), "preview", "--interval", "0.1"],
        cwd=root,
        env=tool_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def wait_for(condition, what: str, seconds: float = 60) -> None:
            deadline = time.monotonic() + seconds
            while not condition():
                assert proc.poll() is None, f"preview exited early: {proc.stdout.read()}"
                assert time.monotonic() < deadline, f"preview did not {what} within {seconds} s"
                time.sleep(0.1)

        wait_for(preview.exists, "render a first PDF")
        first = preview.stat().st_mtime_ns
        chapter = root / "report/chapters/_support.qmd"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence the author just added.\n", encoding="utf-8")
        wait_for(lambda: preview.stat().st_mtime_ns != first, "render again after a save")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "Rendered in" in output
    assert (root / "report/_output/poc1540-report.pdf").read_bytes() == edition, "preview must not write the edition"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert status.strip() == "M report/chapters/_support.qmd", f"preview left files git would see:\n{status}"
