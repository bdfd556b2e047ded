"""A small Parquet writer for touchdsl's own tables (the calendar segments).

Why not DuckDB's or Arrow's writer: their files name the library and its version
(`created_by`) and their layout changes between releases, and a build must be the
same byte for byte wherever it runs. This writer depends on nothing but this file:
one row group, one uncompressed PLAIN data page per column, every column REQUIRED
(the tables it writes have no NULLs), no statistics, `created_by` = "touchdsl".
Every Parquet reader reads it (the tests read it with DuckDB and Spark).

Types: text (BYTE_ARRAY, logical type STRING), 64- and 32-bit integers, booleans,
and dates (INT32 days since 1970-01-01, logical type DATE). The footer is Thrift's
compact protocol, written here field by field (parquet.thrift numbers the fields).
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Literal, Sequence

__all__ = ["Column", "ColumnType", "write"]

ColumnType = Literal["VARCHAR", "BIGINT", "INTEGER", "BOOLEAN", "DATE"]
Column = tuple[str, ColumnType]

_MAGIC = b"PAR1"
_EPOCH = dt.date(1970, 1, 1)

# parquet.thrift enums
_PHYSICAL = {"BOOLEAN": 0, "INTEGER": 1, "DATE": 1, "BIGINT": 2, "VARCHAR": 6}
_REQUIRED = 0
_PLAIN = 0
_RLE = 3
_UNCOMPRESSED = 0
_DATA_PAGE = 0
_CONVERTED = {"VARCHAR": 0, "DATE": 6}  # UTF8, DATE (for readers older than logical types)
_LOGICAL = {"VARCHAR": 1, "DATE": 6}  # LogicalType union members: STRING, DATE

# Thrift compact protocol types
_I32, _I64, _BINARY, _LIST, _STRUCT = 5, 6, 8, 9, 12


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(n: int) -> bytes:
    return _varint((n << 1) ^ (n >> 63))


class _Struct:
    """A Thrift struct in the compact protocol, written field by field in id order."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.last = 0

    def _field(self, fid: int, kind: int) -> None:
        delta = fid - self.last
        if 0 < delta <= 15:
            self.out.append((delta << 4) | kind)
        else:
            self.out.append(kind)
            self.out += _zigzag(fid)
        self.last = fid

    def i32(self, fid: int, value: int) -> _Struct:
        self._field(fid, _I32)
        self.out += _zigzag(value)
        return self

    def i64(self, fid: int, value: int) -> _Struct:
        self._field(fid, _I64)
        self.out += _zigzag(value)
        return self

    def string(self, fid: int, value: str) -> _Struct:
        data = value.encode("utf-8")
        self._field(fid, _BINARY)
        self.out += _varint(len(data)) + data
        return self

    def struct(self, fid: int, value: _Struct) -> _Struct:
        self._field(fid, _STRUCT)
        self.out += value.bytes()
        return self

    def list(self, fid: int, kind: int, items: Sequence[bytes]) -> _Struct:
        """A list of already encoded elements of compact type `kind`."""
        self._field(fid, _LIST)
        if len(items) < 15:
            self.out.append((len(items) << 4) | kind)
        else:
            self.out.append(0xF0 | kind)
            self.out += _varint(len(items))
        for item in items:
            self.out += item
        return self

    def bytes(self) -> bytes:
        return bytes(self.out) + b"\x00"


def _values(type_: ColumnType, values: Sequence[object]) -> bytes:
    """PLAIN encoding of a REQUIRED column's values (no levels are written)."""
    match type_:
        case "VARCHAR":
            out = bytearray()
            for value in values:
                data = str(value).encode("utf-8")
                out += struct.pack("<i", len(data)) + data
            return bytes(out)
        case "BIGINT":
            return struct.pack(f"<{len(values)}q", *(int(v) for v in values))  # type: ignore[call-overload]
        case "INTEGER":
            return struct.pack(f"<{len(values)}i", *(int(v) for v in values))  # type: ignore[call-overload]
        case "DATE":
            days = [(v - _EPOCH).days for v in values]  # type: ignore[operator]
            return struct.pack(f"<{len(values)}i", *days)
        case "BOOLEAN":
            packed = bytearray((len(values) + 7) // 8)
            for k, value in enumerate(values):
                if value:
                    packed[k // 8] |= 1 << (k % 8)
            return bytes(packed)


def write(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> bytes:
    """The Parquet file holding `rows` (tuples in the order of `columns`)."""
    out = bytearray(_MAGIC)
    chunks: list[bytes] = []
    total = 0
    for index, (name, type_) in enumerate(columns):
        data = _values(type_, [row[index] for row in rows])
        page = _Struct().i32(1, len(rows)).i32(2, _PLAIN).i32(3, _RLE).i32(4, _RLE)
        header = _Struct().i32(1, _DATA_PAGE).i32(2, len(data)).i32(3, len(data)).struct(5, page).bytes()
        offset = len(out)
        out += header + data
        size = len(header) + len(data)
        total += size
        meta = (_Struct().i32(1, _PHYSICAL[type_]).list(2, _I32, [_zigzag(_PLAIN)])
                .list(3, _BINARY, [_varint(len(name.encode("utf-8"))) + name.encode("utf-8")])
                .i32(4, _UNCOMPRESSED).i64(5, len(rows)).i64(6, size).i64(7, size).i64(9, offset))
        chunks.append(_Struct().i64(2, offset).struct(3, meta).bytes())
    schema = [_Struct().string(4, "schema").i32(5, len(columns)).bytes()]
    for name, type_ in columns:
        element = _Struct().i32(1, _PHYSICAL[type_]).i32(3, _REQUIRED).string(4, name)
        if type_ in _CONVERTED:
            element.i32(6, _CONVERTED[type_])
            element.struct(10, _Struct().struct(_LOGICAL[type_], _Struct()))
        schema.append(element.bytes())
    group = _Struct().list(1, _STRUCT, chunks).i64(2, total).i64(3, len(rows))
    footer = (_Struct().i32(1, 1).list(2, _STRUCT, schema).i64(3, len(rows))
              .list(4, _STRUCT, [group.bytes()]).string(6, "touchdsl").bytes())
    out += footer + struct.pack("<i", len(footer)) + _MAGIC
    return bytes(out)
