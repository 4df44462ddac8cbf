"""Where everything lives in a data directory and in one index version: the one place both
the writing side (index/) and the reading side (retrieval/) take file names from.

    data/
      CURRENT                  name of the serving version, replaced atomically
      .lock                    held by the one process writing a new version
      cache/embeddings.sqlite  vectors by text hash, shared by every version
      versions/v000007/        one complete, immutable index version:
        manifest.json          what it holds and how it was built (index/manifest.py)
        chunks.sqlite          articles and chunks, in row order (index/store.py)
        dense.faiss            a chunk vector per row (index/dense.py)
        bm25/                  the lexical index, a document per row (index/lexical.py)
        sentences.npy          float16 vector of every sentence of every chunk, in row order
        sentence_rows.npy      int64, rows + 1 offsets into sentences.npy
        restoration.json       the diacritic restoration model (index/restoration.py)
"""

from __future__ import annotations

POINTER = "CURRENT"
LOCK_FILE = ".lock"
VERSIONS_DIR = "versions"
CACHE_FILE = "cache/embeddings.sqlite"

MANIFEST_FILE = "manifest.json"
CHUNKS_DB = "chunks.sqlite"
DENSE_FILE = "dense.faiss"
BM25_DIR = "bm25"
# The answerer scores a sentence by meaning as well as by shared words
# (retrieval/answering.py); each chunk's sentences are those `split_sentences` cuts.
SENTENCES_FILE = "sentences.npy"
SENTENCE_ROWS_FILE = "sentence_rows.npy"
RESTORER_FILE = "restoration.json"
