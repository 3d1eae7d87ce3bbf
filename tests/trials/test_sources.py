"""Reading records from files (issue 15): decompression bombs stop at the record size limit with their
file and line, and what would have been inflated without limit never is; a UTF-8 byte order mark is
read past; stored raw records are never inflated past the limit either."""

from __future__ import annotations

import gzip
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import zstandard

from ketnav.trials.rawcodec import MAX_RECORD_BYTES, RecordTooLarge, pack, unpack
from ketnav.trials.sources import SourceItem, SourceProblem, iter_sources

GIB = 1024**3


def _study(nct: str) -> dict[str, Any]:
    return {"protocolSection": {"identificationModule": {"nctId": nct, "briefTitle": "A synthetic study"}}}


def bomb_zip(path: Path, *, inflated: int, declared: int | None = None) -> Path:
    """A zip with one member, ``NCT00000001.json``, of ``inflated`` bytes that compress to about a
    thousandth: one deflate block of zeros repeated (each ends with a full flush, so blocks join up).
    ``declared`` puts another uncompressed size in the headers, as a hostile file may."""
    unit = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"0" * unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * (inflated // unit) + b"\x03\x00"  # and an empty final block
    crc = 0
    chunk = b"0" * unit
    for _ in range(inflated // unit):
        crc = zlib.crc32(chunk, crc)
    size = inflated if declared is None else declared
    name = b"NCT00000001.json"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0)
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0
    )
    offset = len(local) + len(name) + len(data)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), offset, 0)
    path.write_bytes(local + name + data + central + name + end)
    return path


def entries(path: Path) -> list[SourceItem | SourceProblem]:
    return list(iter_sources([path]))


def test_a_1_mb_zip_that_inflates_to_1_gb_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = bomb_zip(tmp_path / "bomb.zip", inflated=GIB)
    assert bomb.stat().st_size < 1_100_000
    with zipfile.ZipFile(bomb) as archive:
        assert archive.testzip() is None  # a valid zip: its CRC matches the gigabyte it holds
    [entry] = entries(bomb)
    assert isinstance(entry, SourceProblem)
    assert entry.location == f"{bomb}:NCT00000001.json"
    assert entry.message == "record is larger than the 32 MiB limit (1,073,741,824 bytes uncompressed); not stored"


def test_a_zip_member_that_lies_about_its_size_is_never_inflated_past_it(tmp_path: Path) -> None:
    bomb = bomb_zip(tmp_path / "liar.zip", inflated=64 * 1024 * 1024, declared=1000)
    [entry] = entries(bomb)
    assert isinstance(entry, SourceProblem)
    assert entry.location == f"{bomb}:NCT00000001.json"
    assert "damaged zip member" in entry.message  # inflating stopped at the declared 1,000 bytes


def test_a_json_line_that_inflates_past_the_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(json.dumps(_study("NCT00000001")).encode() + b"\n")
        out.write(b'{"protocolSection": {"descriptionModule": {"briefSummary": "')
        for _ in range(40):
            out.write(b"0" * 1024 * 1024)
        out.write(b'"}}}\n')
        out.write(json.dumps(_study("NCT00000003")).encode() + b"\n")
    found = entries(path)
    assert [type(e).__name__ for e in found] == ["SourceItem", "SourceProblem", "SourceItem"]
    problem = found[1]
    assert isinstance(problem, SourceProblem) and problem.location == f"{path}:2"
    assert problem.message == "record is larger than the 32 MiB limit; not stored"
    assert found[2].location == f"{path}:3"  # the lines after it are read as usual


def test_an_xml_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "NCT00000001.xml"
    with path.open("wb") as out:
        out.write(b"<clinical_study>")
        out.seek(MAX_RECORD_BYTES + 10)  # a sparse file: big, yet nothing to write
        out.write(b"</clinical_study>")
    [entry] = entries(path)
    assert isinstance(entry, SourceProblem) and entry.location == str(path)
    assert entry.message.startswith("record is larger than the 32 MiB limit (33,554,459 bytes")


@pytest.mark.parametrize("name", ["records.jsonl", "records.jsonl.gz", "page.json", "study.json"])
def test_files_that_start_with_a_utf8_byte_order_mark_load(tmp_path: Path, name: str) -> None:
    studies = [_study("NCT00000001"), _study("NCT00000002")]
    if name == "page.json":
        text = json.dumps({"studies": studies})
    elif name == "study.json":
        text, studies = json.dumps(studies[0]), studies[:1]
    else:
        text = "".join(json.dumps(s) + "\n" for s in studies)
    data = b"\xef\xbb\xbf" + text.encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    found = [e for e in entries(path) if isinstance(e, SourceItem)]
    assert len(found) == len(entries(path)), entries(path)
    assert [json.loads(e.payload)["protocolSection"]["identificationModule"]["nctId"] for e in found] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in studies
    ]


def test_every_entry_names_the_file_it_came_from(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(_study("NCT00000001")) + "\n[1]\n")
    assert {e.file for e in entries(path)} == {str(path)}


def test_stored_records_round_trip_through_the_codec() -> None:
    raw = json.dumps(_study("NCT00000001")).encode()
    assert unpack(pack(raw)) == raw
    assert unpack(zlib.compress(raw)) == raw  # rows written before the switch to zstd


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(lambda b: zstandard.ZstdCompressor().compress(b), id="zstd, size in the header"),
        pytest.param(lambda b: zstandard.ZstdCompressor(write_content_size=False).compress(b), id="zstd, no size"),
        pytest.param(zlib.compress, id="zlib"),
    ],
)
def test_a_stored_record_is_never_inflated_past_the_limit(stored: Any) -> None:
    blob = stored(b"0" * (MAX_RECORD_BYTES + 1))
    with pytest.raises(RecordTooLarge, match="larger than the 32 MiB limit"):
        unpack(blob)
    assert unpack(stored(b"0" * 1000), max_bytes=1000) == b"0" * 1000


def test_it_refuses_to_store_a_record_over_the_limit() -> None:
    with pytest.raises(RecordTooLarge):
        pack(b"0" * (MAX_RECORD_BYTES + 1))
