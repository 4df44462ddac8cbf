"""The register of documents as members and admins browse it: `hoidap documents`, `/vanban`."""

from __future__ import annotations

from typing import Any

from index.register import Entry, Fact
from index.vietnamese import fold
from retrieval.searcher import Snapshot


def entries(snapshot: Snapshot, keyword: str = "") -> list[Entry]:
    """The register's documents whose id, name or stated subject holds the keyword
    (diacritics ignored), the most mentioned first."""
    wanted = " ".join(fold(keyword).split())
    found = []
    for entry in snapshot.register.values():
        haystack = " ".join([entry.canonical, entry.name, *(f.value for f in entry.titles)])
        if not wanted or wanted in " ".join(fold(haystack).split()):
            found.append(entry)
    return sorted(found, key=lambda e: (-len(e.docs(snapshot.chunks)), e.canonical))


def _distinct(facts: list[Fact]) -> list[Fact]:
    seen: dict[str, Fact] = {}
    for fact in facts:
        seen.setdefault(" ".join(fold(fact.value).split()), fact)
    return list(seen.values())


def entry_json(entry: Entry, snapshot: Snapshot) -> dict[str, Any]:
    """One document with every value stated of it and the article it was read from."""

    def facts(items: list[Fact]) -> list[dict[str, str]]:
        out = []
        for fact in _distinct(items):
            article = snapshot.articles[snapshot.chunks[fact.row].doc_id]
            out.append(
                {
                    "value": fact.value,
                    "doc_id": article.doc_id,
                    "title": article.title,
                    "url": article.url,
                }
            )
        return out

    return {
        "id": entry.canonical,
        "name": entry.name,
        "kind": entry.reference.kind,
        "number": entry.reference.number,
        "issuer_code": entry.reference.issuer,
        "titles": facts(entry.titles),
        "dates": facts(entry.dates),
        "issuers": facts(entry.issuers),
        "articles": [
            {"doc_id": d, "title": snapshot.articles[d].title, "url": snapshot.articles[d].url}
            for d in entry.docs(snapshot.chunks)
        ],
    }


TITLE_CHARS = 90  # of a subject in a one-line entry; the JSON has it whole


def _short(text: str) -> str:
    if len(text) <= TITLE_CHARS:
        return text
    return text[: text.rfind(" ", 0, TITLE_CHARS)] + "…"


def entry_line(entry: Entry, snapshot: Snapshot) -> str:
    """`Chỉ thị 05-CT/TW — về “…” — ngày … — Bộ Chính trị — 3 bài viết`, in Vietnamese."""
    parts = [entry.name]
    parts += [f"về “{_short(f.value)}”" for f in _distinct(entry.titles)[:2]]
    parts += [f.value for f in _distinct(entry.dates)[:2]]
    parts += [f"của {f.value}" for f in _distinct(entry.issuers)[:1]]
    parts.append(f"{len(entry.docs(snapshot.chunks))} bài viết nhắc đến")
    return " — ".join(parts)
