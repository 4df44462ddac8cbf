"""The manifest that describes one published index version."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from index.errors import IndexCorrupt, IndexMismatch
from index.layout import MANIFEST_FILE

FORMAT_VERSION = 2  # 2: restoration.json (diacritic restoration model)


@dataclass(frozen=True)
class Manifest:
    """What an index version contains and how it was built."""

    format_version: int
    embedder: str
    dim: int
    articles: int
    chunks: int
    built_at: str  # ISO 8601, UTC
    fingerprint: str  # sha256 over (doc_id, content hash) pairs
    build_seconds: float = 0.0
    runtime: str = ""  # what computed the new vectors; informational, vectors interchange
    dense_backend: str = ""  # what stores and searches the chunk vectors (index/dense.py)

    def write(self, directory: Path) -> None:
        """Write `manifest.json` into a version directory."""
        (directory / MANIFEST_FILE).write_text(
            json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """Read the manifest of a version directory."""
        path = directory / MANIFEST_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorrupt(f"cannot read index manifest {path}: {exc}") from exc
        if manifest.format_version != FORMAT_VERSION:
            raise IndexMismatch(
                f"index at {directory} has format version {manifest.format_version}, this "
                f"hoidap reads version {FORMAT_VERSION}: rebuild it with `hoidap index build`"
            )
        return manifest

    def check_embedder(self, embedder_id: str, dim: int, data_dir: Path) -> None:
        """Refuse to mix vectors of two embedders, saying how to rebuild."""
        if self.embedder != embedder_id or self.dim != dim:
            raise IndexMismatch(
                f"the index in {data_dir} was built with embedder {self.embedder} "
                f"(dim {self.dim}) but the settings ask for {embedder_id} (dim {dim}): "
                f"rebuild it with `hoidap index build --data-dir {data_dir}` "
                f"or set HOIDAP_EMBEDDER back to the embedder it was built with"
            )
