"""Compression of stored raw records: zstd, about three times faster than zlib at a smaller size.

Loading 100,000 studies compresses 1.6 GB of JSON, so the codec shows up in load times.
"""

from __future__ import annotations

import zlib

import zstandard

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_compressor = zstandard.ZstdCompressor(level=1)
_decompressor = zstandard.ZstdDecompressor()


def pack(raw: bytes) -> bytes:
    return _compressor.compress(raw)


def unpack(stored: bytes | memoryview) -> bytes:
    data = bytes(stored)
    if data.startswith(_ZSTD_MAGIC):
        return _decompressor.decompress(data)
    return zlib.decompress(data)  # rows written before the switch to zstd
