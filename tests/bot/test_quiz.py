"""Quiz questions made from the sample corpus: every one correct by construction."""

from __future__ import annotations

import random
import re

import pytest

from bot.quiz import BLANK, OPTIONS, QuizMaker, blanks
from bot.study import material
from index.references import extract_references, parse_question_references
from index.vietnamese import fold
from retrieval.answering import Answerer
from retrieval.searcher import Snapshot

DATE = re.compile(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}|\d{1,2}[/-]\d{4}|(?:19|20)\d{2}")
NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?")


@pytest.fixture(scope="module")
def snap(seed_answerer: Answerer) -> Snapshot:
    return seed_answerer.snapshot()


def every_question(snap: Snapshot, seeds: range = range(5)):
    maker = QuizMaker(snap)
    for seed in seeds:
        yield from maker.candidates(range(len(snap.chunks)), random.Random(seed))


def test_every_generated_question_is_correct_by_construction(snap: Snapshot) -> None:
    questions = list(every_question(snap))
    assert len(questions) >= 50  # five seeds over the five sample articles
    kinds = {q.kind for q in questions}
    assert {"document", "title", "date", "count", "person"} <= kinds
    for q in questions:
        answer = q.answer
        # the right option is in the cited sentence, verbatim, once, where the blank is
        assert q.sentence.count(answer) == 1, q
        assert q.prompt.count(BLANK) == 1 and q.prompt.replace(BLANK, answer) == q.sentence
        # the sentence is the article's own
        article = snap.articles[q.doc_id]
        assert q.sentence in article.text
        # no wrong option is in the sentence, and the options are distinct
        folded = fold(q.sentence)
        wrong = [o for i, o in enumerate(q.options) if i != q.correct]
        assert all(fold(o) not in folded for o in wrong), q
        assert len({fold(o) for o in q.options}) == len(q.options)
        assert 3 <= len(q.options) <= OPTIONS
        # every option is of the blank's kind
        if q.kind == "date":
            assert all(DATE.fullmatch(o) for o in q.options), q.options
        if q.kind == "count":
            assert all(NUMBER.fullmatch(o) for o in q.options), q.options
            values = {o.replace(".", "").replace(",", ".") for o in q.options}
            assert len(values) == len(q.options)  # "1.388" and "1388" never both
        if q.kind == "document":
            refs = [extract_references(o) for o in q.options]
            assert all(len(r) == 1 for r in refs), q.options
            assert len({r[0][0].kind for r in refs}) == 1  # all Chỉ thị, or all Đề án…
            assert len({r[0][0].key for r in refs}) == len(q.options)  # distinct documents


def test_a_document_blank_is_its_name_and_its_date_can_be_asked_apart() -> None:
    sentence = (
        "Ngày 30-12-2011, Thành ủy ban hành Chỉ thị số 07-CT/TU ngày 30-12-2011 của Ban Thường vụ."
    )
    found = {(b.kind, b.value) for b in blanks(sentence)}
    assert ("document", "Chỉ thị số 07-CT/TU") in found
    assert ("date", "30-12-2011") in found


def test_a_session_of_the_sample_corpus_on_chi_thi_05(
    snap: Snapshot, seed_answerer: Answerer
) -> None:
    found = material(snap, seed_answerer.searcher, "chỉ thị 05")
    assert found is not None and found.subject.startswith("Chỉ thị 05")
    questions = QuizMaker(snap).questions(found.rows, 5, seed=3, about=found.about)
    assert len(questions) == 5
    assert len({q.sentence for q in questions}) == 5
    assert len({q.kind for q in questions}) >= 3  # varied, not five counts
    # the sentences naming the directive come first
    ref = parse_question_references("chỉ thị 05")[0]
    named = [
        any(r.key == ref.key for r, _, _ in extract_references(q.sentence)) for q in questions
    ]
    assert named[0] and named == sorted(named, reverse=True)
    # the same seed makes the same quiz (a secretary can hand it out again)
    again = QuizMaker(snap).questions(found.rows, 5, seed=3, about=found.about)
    assert again == questions


def test_nothing_to_study_from_an_unknown_document(
    snap: Snapshot, seed_answerer: Answerer
) -> None:
    assert material(snap, seed_answerer.searcher, "Chỉ thị 99") is None
