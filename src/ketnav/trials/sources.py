"""Reading study records from files: every layout people actually have, streamed.

Yields ``SourceItem`` (one raw record and where it came from) or ``SourceProblem`` (something that
could not be read, with file and line). Nothing here parses a study; that happens in the normalizers,
possibly in another process. Memory stays flat: files are read line by line or member by member.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Literal, cast

import orjson
from isal import igzip, isal_zlib

from ketnav.trials.rawcodec import MAX_RECORD_BYTES, too_large_message

Kind = Literal["v2", "xml", "line"]  # "line": one JSON Lines object, parsed and sorted out by a worker
Format = Literal["auto", "v2", "xml"]
_GZIP_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    gzip.BadGzipFile,
    zlib.error,
    cast(type[BaseException], isal_zlib.error),  # its stubs call it an instance
)
BIG_JSON_BYTES = 64 * 1024 * 1024  # above this a .json file is streamed with ijson instead of loaded
_BOM = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, as Windows editors write at the start of a file


@dataclass(frozen=True)
class SourceItem:
    location: str  # "file.jsonl.gz:12", "bulk.zip:NCT01234567.json"
    kind: Kind
    payload: bytes  # the study JSON, the <clinical_study> document or a JSON line, as received
    file: str = ""  # the file it came from (set by iter_sources), to tell a wholly rejected file


@dataclass(frozen=True)
class SourceProblem:
    location: str
    message: str
    file: str = ""


Entry = SourceItem | SourceProblem
_SUFFIXES = (".json", ".jsonl", ".ndjson", ".xml", ".zip", ".gz")


def iter_sources(paths: list[Path], fmt: Format = "auto") -> Iterator[Entry]:
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES))
            if not files:
                yield SourceProblem(str(path), "directory has no .json, .jsonl, .xml, .zip or .gz files", str(path))
            for file in files:
                yield from _from_file(file, fmt)
        elif path.is_file():
            yield from _from_file(path, fmt)
        else:
            yield SourceProblem(str(path), "no such file or directory", str(path))


def _from_file(path: Path, fmt: Format) -> Iterator[Entry]:
    label = str(path)
    for entry in _checked(iter_file(path, fmt), fmt):
        yield replace(entry, file=label)


def _checked(entries: Iterator[Entry], fmt: Format) -> Iterator[Entry]:
    for entry in entries:
        if isinstance(entry, SourceItem) and entry.kind != "line":
            problem = format_problem(entry, fmt)
            yield problem or entry
        else:
            yield entry  # JSON lines are checked once a worker has parsed them


def format_problem(entry: SourceItem, fmt: str) -> SourceProblem | None:
    if fmt != "auto" and entry.kind != fmt:
        return SourceProblem(entry.location, f"is a {entry.kind} record but --format {fmt} was given")
    return None


def iter_file(path: Path, fmt: Format = "auto") -> Iterator[Entry]:
    name = path.name.lower()
    label = str(path)
    try:
        if path.stat().st_size == 0:
            yield SourceProblem(label, "file is empty")
            return
        if name.endswith(".zip"):
            yield from _iter_zip(path)
        elif name.endswith(".xml"):
            size = path.stat().st_size
            yield (
                SourceProblem(label, too_large_message(size))
                if size > MAX_RECORD_BYTES
                else _xml_item(label, path.read_bytes())
            )
        elif name.endswith(".gz"):
            # ISA-L's inflate: 2.9 instead of 7.8 s of CPU to read 100,000 studies (499 MB of gzip), in
            # the process that also feeds the workers; same file format and errors as the gzip module.
            with cast(IO[bytes], igzip.open(path, "rb")) as gz:  # type: ignore[no-untyped-call]
                yield from _iter_stream(gz, label, name[:-3], fmt)
        else:
            with path.open("rb") as handle:
                yield from _iter_stream(handle, label, name, fmt, size=path.stat().st_size)
    except _GZIP_ERRORS as exc:
        yield SourceProblem(label, f"compressed file is damaged or truncated ({exc}); records before it were read")
    except zipfile.BadZipFile as exc:
        yield SourceProblem(label, f"not a readable zip file ({exc})")
    except OSError as exc:
        yield SourceProblem(label, f"cannot read file ({exc.strerror or exc})")


def _iter_stream(handle: IO[bytes], label: str, name: str, fmt: Format, size: int | None = None) -> Iterator[Entry]:
    head = handle.peek(64) if isinstance(handle, io.BufferedReader | gzip.GzipFile) else b""
    if head.startswith(_BOM):
        handle.read(len(_BOM))
        head = head[len(_BOM) :]
    first = head.lstrip()[:1]
    if not first:
        yield SourceProblem(label, "file is empty")
        return
    if first == b"<":
        document = handle.read(MAX_RECORD_BYTES + 1)  # never inflate more than one record may hold
        yield (
            SourceProblem(label, too_large_message())
            if len(document) > MAX_RECORD_BYTES
            else _xml_item(label, document)
        )
        return
    if name.endswith((".jsonl", ".ndjson")) or (not name.endswith(".json") and first == b"{"):
        yield from _iter_lines(handle, label, fmt)
        return
    if size is not None and size > BIG_JSON_BYTES and first == b"[":
        yield from _iter_big_array(handle, label)
        return
    data = handle.read(BIG_JSON_BYTES + 1)  # a compressed file's size says nothing of its inflated size
    if len(data) > BIG_JSON_BYTES:
        if first == b"[":
            yield from _iter_big_array(io.BufferedReader(_Joined(data, handle)), label)
        else:
            yield SourceProblem(
                label, f"JSON document over {BIG_JSON_BYTES // 1024 // 1024} MiB uncompressed; save it as JSON Lines"
            )
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if first == b"{" and data.count(b"\n") > 1:  # JSON Lines saved as .json
            yield from _iter_lines(io.BytesIO(data), label, fmt)
            return
        yield SourceProblem(label, f"not valid JSON ({exc})")
        return
    yield from _from_document(doc, label)


class _Joined(io.RawIOBase):
    """Bytes already read, then the rest of the stream: lets ijson take over a document begun in memory."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _from_document(doc: object, label: str) -> Iterator[Entry]:
    if isinstance(doc, dict) and isinstance(doc.get("studies"), list):  # an API page
        for i, study in enumerate(doc["studies"]):
            yield from _json_item(f"{label}:studies[{i}]", study)
    elif isinstance(doc, list):  # an array of studies, as the website's JSON download
        for i, study in enumerate(doc):
            yield from _json_item(f"{label}[{i}]", study)
    else:
        yield from _json_item(label, doc)


def _json_item(location: str, obj: object, raw: bytes | None = None) -> Iterator[Entry]:
    yield classify(location, obj, raw)


def classify(location: str, obj: object, raw: bytes | None = None) -> Entry:
    """Say what a parsed JSON object holds: an API v2 study, a wrapped legacy XML document, or neither."""
    if not isinstance(obj, dict):
        return SourceProblem(location, f"expected a JSON object, got {type(obj).__name__}")
    if "protocolSection" in obj:
        payload = raw if raw is not None else orjson.dumps(obj)
        if len(payload) > MAX_RECORD_BYTES:
            return SourceProblem(location, too_large_message(len(payload)))
        return SourceItem(location, "v2", payload)
    if isinstance(obj.get("xml"), str):  # {"nct_id": ..., "xml": "<clinical_study>..."} wrappers
        return _xml_item(location, obj["xml"].encode("utf-8"))
    keys = ", ".join(sorted(obj)[:6]) or "none"
    return SourceProblem(location, f"not a study: no protocolSection or xml field (keys: {keys})")


def _xml_item(location: str, data: bytes) -> Entry:
    if len(data) > MAX_RECORD_BYTES:
        return SourceProblem(location, too_large_message(len(data)))
    return SourceItem(location, "xml", data)


def _iter_lines(handle: IO[bytes], label: str, fmt: Format) -> Iterator[Entry]:
    """One item per non-blank line, read at most ``MAX_RECORD_BYTES`` at a time: a line longer than that
    (a decompression bomb, or a file that is not JSON Lines) is reported and skipped, never held whole."""
    # Lines are not parsed here: the worker processes do it, once, in parallel.
    number = 0
    while line := handle.readline(MAX_RECORD_BYTES + 1):
        number += 1
        if len(line) > MAX_RECORD_BYTES:
            while line and not line.endswith(b"\n"):  # skip the rest of the line, a bounded chunk at a time
                line = handle.readline(MAX_RECORD_BYTES)
            yield SourceProblem(f"{label}:{number}", too_large_message())
            continue
        stripped = line.strip()
        if number == 1 and stripped.startswith(_BOM):
            stripped = stripped[len(_BOM) :].lstrip()
        if stripped:
            yield SourceItem(f"{label}:{number}", "line", stripped)


def _iter_big_array(handle: IO[bytes], label: str) -> Iterator[Entry]:
    import ijson

    try:
        for i, study in enumerate(ijson.items(handle, "item", use_float=True)):
            yield from _json_item(f"{label}[{i}]", study)
    except ijson.JSONError as exc:
        yield SourceProblem(label, f"JSON array breaks off ({exc}); records before it were read")


def _iter_zip(path: Path) -> Iterator[Entry]:
    with zipfile.ZipFile(path) as archive:
        members = sorted((m for m in archive.infolist() if not m.is_dir()), key=lambda m: m.filename)
        if not members:
            yield SourceProblem(str(path), "zip file has no members")
        for member in members:
            label = f"{path}:{member.filename}"
            lower = member.filename.lower()
            if not lower.endswith((".json", ".xml")):
                continue
            if member.file_size > MAX_RECORD_BYTES:  # the declared size: checked before inflating anything
                yield SourceProblem(label, too_large_message(member.file_size))
                continue
            try:
                with archive.open(member) as stream:
                    data = stream.read(MAX_RECORD_BYTES + 1)  # a member may lie about its size
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                yield SourceProblem(label, f"damaged zip member ({exc})")
                continue
            if len(data) > MAX_RECORD_BYTES:
                yield SourceProblem(label, too_large_message())
                continue
            if lower.endswith(".xml"):
                yield _xml_item(label, data)
                continue
            try:
                doc = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                yield SourceProblem(label, f"not valid JSON ({exc})")
                continue
            yield from _from_document(doc, label)
