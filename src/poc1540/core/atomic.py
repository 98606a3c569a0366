"""Write outputs all-or-nothing: to a temporary file beside the target, then rename.

A failed step therefore never leaves a half-written file where a good one used to be.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto the target."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(target: Path | str, text: str) -> Path:
    """Atomically write UTF-8 text with Unix line ends."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_bytes(target: Path | str, data: bytes) -> Path:
    """Atomically write bytes."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


# Linux's renameat2(2) flag that swaps two paths in one step (glibc 2.28+; elsewhere: two renames).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_dir(source: Path | str, target: Path | str) -> Path:
    """Put the folder ``source`` where ``target`` is, replacing it whole (stale files go with it).

    Readers see the old folder or the new one, never a mix: the two are swapped in one step
    where the system allows it (else ``target`` is missing only between two renames).
    """
    source, target = Path(source), Path(target)
    if target.exists() and _exchange(source, target):
        shutil.rmtree(source)  # now the previous target
        return target
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(source, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


@contextlib.contextmanager
def staged_dir(target: Path | str) -> Iterator[Path]:
    """Yield an empty scratch folder beside ``target``; on success it replaces ``target`` whole.

    On an exception the scratch folder is removed and ``target`` is left exactly as it was.
    The scratch folder is hidden (``.name.partial-PID``), so nothing scanning the parent lists it.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield scratch
        os.chmod(scratch, 0o755)
        replace_dir(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
