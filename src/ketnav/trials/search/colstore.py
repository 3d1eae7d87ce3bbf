"""Search columns kept on disk, so a new process starts with them instead of reading every study.

Building the in-memory columns reads every study's filter fields: seconds at hundreds of thousands of
studies, paid again by every `ketnav search`, every new gunicorn worker and every server restart (the
first person's search waited for it). The columns are plain arrays, so the first process to build a
registry version writes them here (one ``.npy`` file per array, ``meta.json`` for the rest), and every
later process maps them read-only (``numpy.load(mmap_mode="r")``): the operating system's page cache
then holds one copy for all processes on the machine, and opening them costs milliseconds.

Correctness: a directory is named by the registry's epoch (a random token the database keeps from its
creation: a recreated or different database never matches) and version (bumped by a trigger with every
write to the studies). A directory appears whole or not at all (written under a temporary name, then
renamed), so a process killed while writing leaves only a temporary directory, removed by the next
prune. Nothing is written for an unset version or from inside a transaction, whose writes (and version
number) may still roll back. Site points, derived from the same columns, are kept beside them, and so
are the hits of broad terms ("cancer": tens of thousands of studies, about a second to read from the
text index at 500,000 studies), which are column positions of that same version.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from ketnav.trials.search.kernels import SitePoints, StudyColumns, TermHits

FORMAT = 1  # bump when StudyColumns or SitePoints change shape; older directories are then ignored
KEEP = 3  # versions kept per epoch: the current one and the last few (another process may still map them)


class ColumnStore:
    """Columns (and site points) per (epoch, version) under one directory. Safe to share between threads
    and processes: writers never modify a finished directory, readers only map finished ones."""

    def __init__(self, directory: Path, *, keep: int = KEEP) -> None:
        self.directory = directory
        self.keep = keep
        self.code = code_fingerprint()

    def _path(self, epoch: str, version: int) -> Path:
        return self.directory / f"f{FORMAT}-{epoch}-{version:012d}-{self.code}"

    # --- columns ---------------------------------------------------------------------------------

    def load(self, epoch: str, version: int) -> tuple[StudyColumns, float] | None:
        """The columns of this registry version and the CPU seconds their build took, or None."""
        path = self._path(epoch, version)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            values = _read(path, "columns", meta, StudyColumns)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, half-removed by a prune, or of another shape: build instead
        columns = StudyColumns(**values)
        if columns.version != version:
            return None
        return columns, float(meta.get("build_cpu_s", 0.0))

    def save(self, epoch: str, columns: StudyColumns, *, build_cpu_s: float) -> Path | None:
        """Write the columns for their version unless they are there already; returns the directory."""
        final = self._path(epoch, columns.version)
        if final.exists():
            return final
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.directory))
        try:
            meta: dict[str, Any] = {"format": FORMAT, "build_cpu_s": build_cpu_s, "saved_at": time.time()}
            _write(tmp, "columns", columns, meta)
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            _sync_dir(tmp)
            os.rename(tmp, final)  # atomic: readers see the whole directory or none
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process won the race, or the disk is full
            return final if final.exists() else None
        self.prune(epoch)
        return final

    # --- site points -----------------------------------------------------------------------------

    def load_points(self, epoch: str, version: int) -> SitePoints | None:
        path = self._path(epoch, version)
        try:
            meta = json.loads((path / "points.json").read_text(encoding="utf-8"))
            return SitePoints(**_read(path, "points", meta, SitePoints))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save_points(self, epoch: str, points: SitePoints) -> None:
        """Add site points to their version's finished directory (each file written whole, then renamed;
        ``points.json`` last, so a reader finds either no points or all of them)."""
        path = self._path(epoch, points.version)
        if not path.is_dir() or (path / "points.json").exists():
            return
        meta: dict[str, Any] = {}
        try:
            _write(path, "points", points, meta, atomic=True)
            tmp = path / f".points-{os.getpid()}.json"
            tmp.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, path / "points.json")
        except OSError:
            return  # a prune removed the directory meanwhile, or the disk is full: build next time

    # --- term hits --------------------------------------------------------------------------------

    def load_terms(self, epoch: str, version: int, key: str) -> TermHits | None:
        """The hits kept for a term key (any string naming the term and how it is scored), or None."""
        base = self._path(epoch, version) / "terms" / _digest(key)
        try:
            rows = np.load(f"{base}.rows.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
            scores = np.load(f"{base}.scores.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
        except (OSError, ValueError):
            return None
        return TermHits(rows, scores) if len(rows) == len(scores) else None

    def save_terms(self, epoch: str, version: int, key: str, hits: TermHits) -> None:
        """Keep a term's hits in its version's finished directory: scores first, then rows, each written
        whole under a temporary name and renamed, so a reader that finds the rows finds the scores."""
        path = self._path(epoch, version)
        if not path.is_dir():
            return
        base = path / "terms" / _digest(key)
        try:
            base.parent.mkdir(exist_ok=True)
            for name, array in (("scores", hits.scores), ("rows", hits.rows)):
                tmp = base.parent / f".{base.name}.{name}.{os.getpid()}.npy"
                np.save(tmp, np.ascontiguousarray(array), allow_pickle=False)
                os.replace(tmp, f"{base}.{name}.npy")
        except OSError:
            return  # pruned meanwhile, or the disk is full: read from the text index next time

    # --- housekeeping ----------------------------------------------------------------------------

    def prune(self, epoch: str) -> None:
        """Keep the newest ``keep`` versions of this epoch; remove other epochs, other formats and
        temporary directories older than an hour (a writer killed mid-way)."""
        try:
            entries = list(self.directory.iterdir())
        except OSError:
            return
        mine = sorted(p for p in entries if p.name.startswith(f"f{FORMAT}-{epoch}-") and p.name.endswith(self.code))
        stale = mine[: -self.keep] if len(mine) > self.keep else []
        now = time.time()
        for p in entries:
            if p.name.startswith(".tmp-"):
                try:
                    if now - p.stat().st_mtime > 3600:
                        stale.append(p)
                except OSError:
                    pass
            elif not (p.name.startswith(f"f{FORMAT}-{epoch}-") and p.name.endswith(self.code)):
                stale.append(p)
        for p in stale:
            shutil.rmtree(p, ignore_errors=True)


def _write(directory: Path, prefix: str, obj: Any, meta: dict[str, Any], *, atomic: bool = False) -> None:
    """Arrays to ``PREFIX.FIELD.npy``; everything else (numbers, tuples of strings, None) into ``meta``."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            target = directory / f"{prefix}.{f.name}.npy"
            out = directory / f".{prefix}.{f.name}.{os.getpid()}.npy" if atomic else target
            np.save(out, np.ascontiguousarray(value), allow_pickle=False)
            if atomic:
                os.replace(out, target)
        else:
            meta[f.name] = list(value) if isinstance(value, tuple) else value


def _read(directory: Path, prefix: str, meta: dict[str, Any], cls: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in meta:
            value = meta[f.name]
            out[f.name] = tuple(value) if isinstance(value, list) else value
        else:
            mapped = np.load(directory / f"{prefix}.{f.name}.npy", mmap_mode="r", allow_pickle=False)
            out[f.name] = mapped.view(np.ndarray)  # still the mapped pages; results of numpy ops stay plain
    return out


def code_fingerprint() -> str:
    """A digest of the source that decides what is kept: the kernels that build columns, site points and
    term hits, the backends' SQL that reads them and this module's file layout. An upgrade or a local
    change that computes them differently never reads files an older one wrote; a change elsewhere (the
    engine, the caches in state.py) keeps them, since rebuilding costs minutes at 500,000 studies.
    Read once per store (a few files, well under a millisecond)."""
    import hashlib

    package = Path(__file__).resolve().parent
    sources = [package / "kernels.py", package / "colstore.py", *(package / "backends").glob("*.py")]
    digest = hashlib.sha256()
    for source in sorted(sources):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def _digest(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _sync_dir(directory: Path) -> None:
    """Flush the files' contents before the rename publishes them (a crash must not publish empty files)."""
    for p in directory.iterdir():
        with p.open("rb+") as handle:
            os.fsync(handle.fileno())
