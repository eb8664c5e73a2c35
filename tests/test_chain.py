"""The answering chain's conversation handling and its one code path (with fakes of our small interfaces)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.answerer import Turn
from assistant.answering.chain import AnswerChain, HistoryExpansion
from assistant.core.records import Answer, Chunk, ExpandedQuery, Hit
from vectorstore.base import SearchFilter

OSLO = [Turn("user", "Wat was het doel van de reis naar Oslo?"), Turn("assistant", "Deelname aan de conferentie.")]


def test_follow_up_borrows_content_words_from_earlier_user_turns() -> None:
    rewriter = HistoryExpansion()
    query = rewriter.rewrite("En welke burgemeesters zijn daar ontmoet?", OSLO)
    assert query.startswith("En welke burgemeesters zijn daar ontmoet?")
    assert "oslo" in query.lower() and "reis" in query.lower()
    assert "deelname" not in query.lower()  # assistant turns are not evidence of what the user means
    assert isinstance(query, ExpandedQuery) and query.question == "En welke burgemeesters zijn daar ontmoet?"
    assert "oslo" in query.extra.lower() and query.extra_weight == 1.0
    lighter = HistoryExpansion(extra_weight=0.2).rewrite("En welke burgemeesters zijn daar ontmoet?", OSLO)
    assert isinstance(lighter, ExpandedQuery) and lighter.extra_weight == 0.2


def test_standalone_question_is_left_alone() -> None:
    q = "Wat zijn de vijf prioriteiten van de Coalitie voor veiligheid 2023-2026?"
    assert HistoryExpansion().rewrite(q, OSLO) == q
    assert HistoryExpansion().rewrite("En wie waren daar?", []) == "En wie waren daar?"


class RecordingRetriever:
    def __init__(self) -> None:
        self.queries: list[tuple[str, int, SearchFilter | None]] = []

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        self.queries.append((query, k, flt))
        chunks = [Chunk(f"c{i}", "d", "f.txt", "T", f"tekst {i}", 0, 5, i) for i in range(k)]
        return [Hit(c, 1.0 - i / 10, i + 1) for i, c in enumerate(chunks)]


class ScriptedAnswerer:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def answer(self, question: str, hits: Sequence[Hit], *, history: Sequence[Turn] = ()) -> Answer:
        self.seen.append(len(hits))
        return Answer(text=f"antwoord op {question}", hits=tuple(hits))


def test_chain_retrieves_more_than_it_answers_from_and_times_each_step() -> None:
    retriever, answerer = RecordingRetriever(), ScriptedAnswerer()
    chain = AnswerChain(retriever, answerer, retrieve_k=10, answer_k=5)
    flt = SearchFilter(languages=("nl",))
    answer = chain.ask("En wie waren daar?", OSLO, flt)
    assert retriever.queries[0][1:] == (10, flt) and "oslo" in retriever.queries[0][0].lower()
    assert answerer.seen == [5]
    assert len(answer.hits) == 10 and answer.query == retriever.queries[0][0]
    assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)
    via_runnable = chain.as_runnable().invoke({"question": "Wat is het RSIV?"})
    assert via_runnable.text == "antwoord op Wat is het RSIV?"


def test_an_overview_request_reads_more_passages_than_a_question() -> None:
    retriever, answerer = RecordingRetriever(), ScriptedAnswerer()
    chain = AnswerChain(retriever, answerer, retrieve_k=10, answer_k=5, overview_k=8)
    chain.ask("Zet op een rij wat de stukken zeggen over radicalisering.")
    chain.ask("Give an overview of what the reports say about the network.")
    chain.ask("Wanneer werd Den Haag lid van het netwerk?")
    assert answerer.seen == [8, 8, 5]
    wide = AnswerChain(retriever, answerer, retrieve_k=10, answer_k=5, overview_k=12)
    assert wide.ask("Geef een overzicht van de afspraken.").hits and retriever.queries[-1][1] == 12
    assert answerer.seen[-1] == 12


class StreamingAnswerer(ScriptedAnswerer):
    """Streams in pieces, like the LLM answerer; the finished Answer comes after the last piece."""

    class Live:
        def __init__(self, text: str, hits: Sequence[Hit]) -> None:
            self.pieces = text.split(" ")
            self.hits = hits
            self.consumed = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            for piece in self.pieces:
                self.consumed += 1
                yield piece + " "

        def result(self) -> Answer:
            return Answer(text=" ".join(self.pieces), hits=tuple(self.hits))

    def stream_answer(self, question: str, hits: Sequence[Hit], history: Sequence[Turn] = ()) -> Live:
        return self.Live(f"antwoord op {question}", hits)


def test_stream_yields_pieces_then_the_finished_answer() -> None:
    chain = AnswerChain(RecordingRetriever(), StreamingAnswerer(), retrieve_k=6, answer_k=3)
    pieces, finish = chain.stream("Wat is het RSIV?")
    assert list(pieces) == ["antwoord ", "op ", "Wat ", "is ", "het ", "RSIV? "]
    answer = finish()
    assert answer.text == "antwoord op Wat is het RSIV?" and len(answer.hits) == 6
    assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)

    plain_pieces, plain_finish = AnswerChain(RecordingRetriever(), ScriptedAnswerer()).stream("Wat is het RSIV?")
    assert list(plain_pieces) == ["antwoord op Wat is het RSIV?"] and plain_finish().text.startswith("antwoord")


def test_langchain_adapters_compose_with_our_components() -> None:
    """The retriever and embedder work as LangChain runnables/Embeddings, so LangChain chains can use them."""
    from assistant.embedding.embedders import FakeEmbedder
    from assistant.retrieval.langchain_adapters import LangChainEmbeddings, LangChainRetriever

    docs = LangChainRetriever(retriever=RecordingRetriever(), k=3).invoke("Wat is het RSIV?")
    assert [d.id for d in docs] == ["c0", "c1", "c2"]
    assert docs[0].page_content == "tekst 0" and docs[0].metadata["rank"] == 1 and docs[0].metadata["source"] == "f.txt"
    emb = LangChainEmbeddings(FakeEmbedder(16))
    vectors = emb.embed_documents(["veiligheid in steden", "veiligheid in steden"])
    assert len(vectors) == 2 and len(vectors[0]) == 16 and vectors[0] == vectors[1]
    assert emb.embed_query("veiligheid in steden") == vectors[0]


class TwoDocRetriever:
    """Document "other" ranks before document "cited" for every query; a doc filter keeps only its documents."""

    def __init__(self) -> None:
        self.filters: list[SearchFilter | None] = []

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        self.filters.append(flt)
        docs = [d for d in ("other", "cited") if not (flt and flt.doc_ids) or d in flt.doc_ids]
        chunks = [Chunk(f"{d}{i}", d, f"{d}.txt", d, f"tekst {d} {i}", 0, 5, i) for d in docs for i in range(3)]
        return [Hit(c, 1.0 - i / 10, i + 1) for i, c in enumerate(chunks)][:k]


def test_follow_up_prefers_the_documents_the_previous_answer_cited() -> None:
    retriever, answerer = TwoDocRetriever(), ScriptedAnswerer()
    chain = AnswerChain(retriever, answerer, retrieve_k=6, answer_k=4)
    history = [
        Turn("user", "Wat was het doel van de reis naar Oslo?"),
        Turn("assistant", "Een conferentie.", ("cited",)),
    ]
    answer = chain.ask("En wie waren daar?", history)
    assert [h.chunk.doc_id for h in answer.hits[:3]] == ["cited"] * 3
    assert [h.rank for h in answer.hits] == list(range(1, len(answer.hits) + 1))
    # A question that stands on its own searches as it is, without preferring anything.
    retriever.filters.clear()
    standalone = chain.ask("Welke thema's staan in het regionaal veiligheidsplan van Den Haag?", history)
    assert retriever.filters == [None] and standalone.hits[0].chunk.doc_id == "other"
    # So does a short question that names its subject: it must not search the earlier answer's documents.
    retriever.filters.clear()
    named = chain.ask("Wat is de NCTV?", history)
    assert retriever.filters == [None] and named.query == "Wat is de NCTV?"


def test_follow_up_without_known_citations_prefers_the_best_documents_of_its_expanded_query() -> None:
    retriever, answerer = TwoDocRetriever(), ScriptedAnswerer()
    chain = AnswerChain(retriever, answerer, retrieve_k=6, answer_k=4)
    answer = chain.ask("En wie waren daar?", OSLO)  # replayed text: the assistant turn names no sources
    narrowed = [f for f in retriever.filters if f is not None and f.doc_ids]
    assert narrowed and set(narrowed[0].doc_ids) == {"other"}  # the expanded query's best document
    assert answer.hits[0].chunk.doc_id == "other"


LIST_DOC = (
    "Het bestuur noemt vijf regels:\n1. Openheid: stukken zijn openbaar.\n2. Zuinigheid: de kosten blijven laag.\n"
    "3. Veiligheid: de hekken blijven dicht.\n4. Duurzaamheid: het dak krijgt panelen.\n"
    "5. Samenwerking: de buurt praat mee.\n\nDaarna volgt een toelichting per regel."
)
CUT = LIST_DOC.index("3. Veiligheid")  # the first passage stops inside the list


class ListStore:
    """Two passages of one document that overlap by a few characters, the first ending inside a list."""

    def __init__(self) -> None:
        first = Chunk("p0", "doc", "regels.txt", "Regels", LIST_DOC[:CUT], 0, CUT, 0)
        second = Chunk("p1", "doc", "regels.txt", "Regels", LIST_DOC[CUT - 12 :], CUT - 12, len(LIST_DOC), 1)
        self.chunks = {"p0": first, "p1": second}

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return [self.chunks[c] for c in chunk_ids if c in self.chunks]


class ListRetriever:
    def __init__(self) -> None:
        self.store = ListStore()

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        other = Chunk("o", "other", "o.txt", "Ander", "Iets anders over regels.", 0, 24, 0)
        return [Hit(self.store.chunks["p0"], 0.9, 1), Hit(other, 0.5, 2)]


def test_a_list_cut_by_the_passage_boundary_is_quoted_whole() -> None:
    from assistant.answering.abstention import FEATURES, AbstentionModel
    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.embedding.embedders import FakeEmbedder

    locate = {("doc", 1): "p1"}
    answerer = ExtractiveAnswerer(FakeEmbedder(), model=AbstentionModel(tuple(0.0 for _ in FEATURES), 3.0))
    chain = AnswerChain(ListRetriever(), answerer, answer_k=2, locate=lambda d, n: locate.get((d, n)))
    passages = chain.passages(chain.retriever.search("regels"))
    assert [h.chunk.chunk_id for h in passages] == ["p0", "o", "p1"]  # the continuation goes last
    answer = chain.ask("Welke vijf regels noemt het bestuur?")
    for value in ("Openheid", "Veiligheid", "Samenwerking"):
        assert value in answer.text
    assert "toelichting" not in answer.text  # the list ends where the items end
    assert [h.chunk.chunk_id for h in answer.hits] == ["p0", "o", "p1"]  # retrieved first, then continuations
    assert any(c.chunk_id == "p1" for c in answer.citations)
    plain = AnswerChain(ListRetriever(), answerer, answer_k=2)  # without the manifest's positions
    assert "Samenwerking" not in plain.ask("Welke vijf regels noemt het bestuur?").text


REPORT = (
    "Verslag werkbezoek Gent\n\nOp 3 mei waren Pieter Bakker en ik namens de afdeling aanwezig bij het overleg in "
    "Gent. Het overleg ging over de aanpak van overlast in het uitgaansgebied.\n\n"
    "Voor vragen kunt u bij mij terecht.\n\nMarieke Dekker\n\nBeleidsadviseur\n\nAfdeling Veiligheid\n\n010 123 4567"
)
SIGNATURE_AT = REPORT.index("Voor vragen")


class ReportStore:
    """A first-person report in two passages: the body, and the end with its signature."""

    def __init__(self) -> None:
        body = Chunk("r0", "rep", "gent.txt", "Verslag", REPORT[:SIGNATURE_AT], 0, SIGNATURE_AT, 0)
        end = Chunk("r1", "rep", "gent.txt", "Verslag", REPORT[SIGNATURE_AT:], SIGNATURE_AT, len(REPORT), 1)
        self.chunks = {"r0": body, "r1": end}

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return [self.chunks[c] for c in chunk_ids if c in self.chunks]


class ReportRetriever:
    def __init__(self) -> None:
        self.store = ReportStore()

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        return [Hit(self.store.chunks["r0"], 0.9, 1)]


def test_who_ik_is_comes_from_the_signature_of_a_first_person_report() -> None:
    from assistant.answering.abstention import FEATURES, AbstentionModel
    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.embedding.embedders import FakeEmbedder

    positions = {("rep", 0): "r0", ("rep", 1): "r1", ("rep", -1): "r1", ("rep", -2): "r0"}
    answerer = ExtractiveAnswerer(FakeEmbedder(), model=AbstentionModel(tuple(0.0 for _ in FEATURES), 3.0))
    chain = AnswerChain(ReportRetriever(), answerer, answer_k=2, locate=lambda d, n: positions.get((d, n)))
    answer = chain.ask("Wie waren namens de afdeling aanwezig bij het overleg in Gent?")
    lines = answer.text.splitlines()
    ik = next(i for i, line in enumerate(lines) if "Pieter Bakker en ik" in line)
    # the signature right after the sentence with "ik", name first, then role and department
    assert "Marieke Dekker (Beleidsadviseur, Afdeling Veiligheid)" in lines[ik + 1]
    assert any(c.chunk_id == "r1" and c.quote.startswith("Marieke Dekker") for c in answer.citations)
    # the telephone number is not part of the signature quoted
    assert "4567" not in answer.text
    # a question that does not ask who is not given the signature
    assert "Marieke Dekker" not in chain.ask("Waar ging het overleg in Gent over?").text
    # a question that asks who in one of its two parts is
    two = chain.ask("Waar ging het overleg in Gent over, en wie waren namens de afdeling aanwezig?")
    assert "Marieke Dekker" in two.text
