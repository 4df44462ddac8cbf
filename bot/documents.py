"""The register of documents as members and admins browse it: `hoidap documents`, `/vanban`."""

from __future__ import annotations

from typing import Any

from index.documents import Article, short_date
from index.references import parse_canonical
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


def full_texts(snapshot: Snapshot, keyword: str = "") -> list[Article]:
    """The official documents indexed as such (their own text, not news about them) whose
    number, name or title holds the keyword, by date."""
    wanted = " ".join(fold(keyword).split())
    found = []
    for article in snapshot.articles.values():
        official = article.official
        if official is None:
            continue
        short = f"{official.kind} {official.number}"  # "Quy định 03-QĐ/TU", as asked
        haystack = " ".join([short, official.heading, official.issuer])
        if not wanted or wanted in " ".join(fold(haystack).split()):
            found.append(article)
    return sorted(found, key=lambda a: (a.published_at, a.doc_id))


def full_text_line(article: Article, snapshot: Snapshot) -> str:
    """`Toàn văn: Chỉ thị số 05-CT/TW — ngày 15/5/2016 — Bộ Chính trị — 8 đơn vị (mã …)`."""
    official = article.official
    assert official is not None
    units = len({snapshot.chunks[row].unit for row in snapshot.rows_of(article.doc_id)})
    parts = [f"Toàn văn: {official.name}"]
    if official.date:
        parts.append(f"ngày {short_date(official.date)}")
    parts += [official.issuer] if official.issuer else []
    parts.append(f"{units} đơn vị{' (OCR)' if article.ocr else ''} (mã {article.doc_id})")
    return " — ".join(parts)


def full_text_of(entry: Entry, snapshot: Snapshot) -> Article | None:
    """The document's own text, when it is indexed: what the register's mentions link to."""
    mentioned = parse_canonical(entry.canonical)
    if mentioned is None:
        return None
    named = snapshot.documents_named([mentioned])
    return min(named, key=lambda a: (a.published_at, a.doc_id)) if named else None


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
        "full_text": _full_text_json(full_text_of(entry, snapshot)),
    }


def _full_text_json(article: Article | None) -> dict[str, Any] | None:
    """The document's own text that the entry links to, with its header's fields."""
    if article is None or article.official is None:
        return None
    official = article.official
    return {
        "doc_id": article.doc_id,
        "name": official.name,
        "issuer": official.issuer,
        "date": official.date,
        "title": official.title,
        "signer": official.signer,
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
    if (document := full_text_of(entry, snapshot)) is not None:
        parts.append(f"có toàn văn (mã {document.doc_id})")
    return " — ".join(parts)
