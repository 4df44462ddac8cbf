"""Published versions, the CURRENT pointer, the writer lock (names in index/layout.py).

A version is written under a temporary name and renamed into place before CURRENT is
switched, so a crash at any moment leaves the previous version serving.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import HoidapError, IndexMissing
from index.layout import LOCK_FILE, POINTER, VERSIONS_DIR

log = logging.getLogger(__name__)

KEEP_OLD_VERSIONS = 2


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_version(data_dir: Path) -> Path:
    """The directory of the version being served; IndexMissing when there is none."""
    try:
        name = (data_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissing(
            f"no index in {data_dir}: build one with `hoidap index build --data-dir {data_dir}`"
        ) from None
    path = data_dir / VERSIONS_DIR / name
    if not name or not path.is_dir():
        raise IndexMissing(
            f"the index pointer in {data_dir} names a missing version {name!r}: "
            f"rebuild with `hoidap index build --data-dir {data_dir}`"
        )
    return path


@contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's writer lock (released by the OS if the process dies)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HoidapError(
                f"another hoidap process is updating the index in {data_dir}; "
                "wait for it to finish and try again"
            ) from None
        yield


def new_staging_dir(data_dir: Path) -> Path:
    """A fresh temporary directory for a version under construction."""
    versions = data_dir / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    for stale in versions.glob(".staging-*"):  # left by a build that was killed
        shutil.rmtree(stale, ignore_errors=True)
    staging = versions / f".staging-{os.getpid()}"
    staging.mkdir()
    return staging


def publish(data_dir: Path, staging: Path) -> Path:
    """Move a complete staging directory into place and point CURRENT at it."""
    versions = data_dir / VERSIONS_DIR
    numbers = [int(p.name[1:]) for p in versions.glob("v*") if p.name[1:].isdigit()]
    name = f"v{max(numbers, default=0) + 1:06d}"
    for child in staging.iterdir():
        if child.is_file():
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(staging)
    final = versions / name
    os.rename(staging, final)
    _fsync_dir(versions)
    pointer = data_dir / "CURRENT.tmp"
    with open(pointer, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, data_dir / POINTER)
    _fsync_dir(data_dir)
    _remove_old_versions(versions, keep=name)
    log.info("published index version %s", name)
    return final


def _remove_old_versions(versions: Path, keep: str) -> None:
    """Delete all but the newest few versions (a serving process may still read them)."""
    names = sorted(p.name for p in versions.glob("v*") if p.name != keep)
    for name in names[: max(0, len(names) - KEEP_OLD_VERSIONS)]:
        shutil.rmtree(versions / name, ignore_errors=True)
