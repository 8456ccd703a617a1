"""The answerer: a question in; a short answer with numbered cited sentences, or an honest abstention.

Graph answers come first (posts, speakers, acronyms, lists of people quoted);
otherwise the answer is extracted from the best sentence: the entity, date or
number the question asks for, or the whole sentence for why/how questions.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg import Settings

from ._spans import balanced_quotes, extract_answer, join_names, span_confidence, speaker_name, word_overlap
from ._text import bm25_tokens, content_tokens, tokens
from .contract import NO_ANSWER, Answer, Citation, FactRef, citation_from_document
from .compound import combine, split_compound
from .followup import Turn, resolve_followup
from .graph_facts import GraphFacts, Post, Quotation
from .question import MONTH_NAMES, Question, analyze
from .ranker import Span, candidates
from .library import Snapshot
from .relevance import load_relevance
from .reranker import SentenceReranker
from .retriever import Candidate, GraphEvidence, HybridRetriever
from .scoring import Weights

__all__ = ["Answerer", "Draft"]

_NAME = re.compile(r"\b[A-Z][\w’'-]*\w")  # a whole capitalised word, digits included (Carrow81)


def _near(word: str, vocabulary: Iterable[str]) -> bool:
    """A corpus word spelt almost the same (``strait``/``straight``): same start, similar letters."""
    head = word[:3]
    return any(w.startswith(head) and abs(len(w) - len(word)) <= 2
               and difflib.SequenceMatcher(None, w, word).ratio() >= 0.8 for w in vocabulary)

log = logging.getLogger(__name__)

_HEAD_VERBS = {"head", "heads", "headed", "lead", "leads", "led", "run", "runs", "ran", "command", "commands",
               "commanded", "chair", "chairs", "chaired", "direct", "directs", "directed"}
_HEAD_TITLES = {"chief", "head", "leader", "commander", "director", "chairman", "chairwoman", "chair", "president",
                "secretary", "boss", "ceo"}
_QUOTED = {"quoted", "quote", "quotes", "cited", "spoke", "speak"}
#: Answer types whose answer is a span (a name, date or number) rather than the sentence itself.
_TYPED = frozenset({"person", "organization", "place", "date", "number", "duration"})
#: How many of the best sentences give candidate spans (the sentence with the answer is in the top 5 for
#: most dev questions it is found for at all; more adds distractors).
_SPAN_SENTENCES = 5
#: How many of the best sentences a post question reads posts from when the graph's posts of the question's
#: organisation do not answer it (the sentence with the post is in the top 5 for most such dev questions).
_POST_SENTENCES = 5
#: Holders a "who is X's TITLE" answer may name ("who are ..." lists are not limited); more, and the
#: constraint was too loose (a country, not the organisation) to be an answer.
_MOST_HOLDERS = 2
#: Fewest words of a statement's text worth showing as what was said; a shorter one is a parse fragment.
_SHORTEST_QUOTE = 4
#: Share of the question's weighted words a sentence must hold before its statement's speaker answers "who said".
_SPEAKER_COVERAGE = 0.5


@dataclass
class Draft:
    """An answer before it is numbered: its text, the sentences it rests on and the facts used."""

    text: str
    sentences: list[str]
    confidence: float
    facts: list[tuple[str, str, str, str]] = field(default_factory=list)  # subject, predicate, object, sentence IRI
    sparql: str | None = None
    kind: str = "extractive"
    about_comment: bool = False  # the answer is about a comment (its writer, their number), not a claim in one


def _strip_that(text: str) -> str:
    text = re.sub(r"^(?:that|on\s+\S+\s+\S+\s+against|against)\s+", "", text.strip(), flags=re.I)
    return text.strip(" “”\"',.")


class Answerer:
    """Answers questions over a :class:`retrieval.Library`; build once, ask many times."""

    def __init__(self, library: Any, settings: Settings | None = None, *, chat_model: Any = None,
                 weights: Weights | None = None) -> None:
        self.library = library
        self.settings = settings or library.settings
        self._weights = weights
        self._reranker = SentenceReranker.load()
        self._relevance = load_relevance(self.settings.cross_encoder)  # a missing model fails here, clearly
        snapshot = library.snapshot()
        #: The retriever of the latest snapshot seen, with its generation: one immutable pair, replaced whole.
        self._latest = (snapshot.generation, self._retriever_of(snapshot))
        self._bound: HybridRetriever | None = None  # set only on a request's own view (see _request)
        if chat_model is None and self.settings.llm:
            from .llm import load_chat_model

            chat_model = load_chat_model(self.settings.llm)  # a ConfigError here names KGQA_LLM
        self.chat_model = chat_model

    def _retriever_of(self, snapshot: Snapshot) -> HybridRetriever:
        return HybridRetriever.from_snapshot(snapshot, weights=self._weights, reranker=self._reranker,
                                             relevance=self._relevance)

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever a request reads (its snapshot's), or the latest one outside a request."""
        return self._bound if self._bound is not None else self._request()._bound  # type: ignore[return-value]

    @property
    def facts(self) -> GraphFacts:
        return self.retriever.facts

    def _request(self) -> Answerer:
        """This answerer bound to the library's current snapshot, for one request: every step of it reads the
        same index, names and facts, however many ingests complete meanwhile. Nothing is locked."""
        snapshot = self.library.snapshot()
        generation, retriever = self._latest
        if generation != snapshot.generation:
            retriever = self._retriever_of(snapshot)
            self._latest = (snapshot.generation, retriever)  # a racing request may build its own: harmless
        view = copy.copy(self)
        view._bound = retriever
        return view

    # --- public -------------------------------------------------------------------

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The question with pronouns that lean on earlier turns spelled out (see :mod:`retrieval.followup`)."""
        return resolve_followup(question, history, self._request().retriever.names)

    def search(self, question: str, k: int = 10) -> list[Citation]:
        """The ``k`` best sentences for a question, as citations numbered from 1."""
        view = self._request()
        q = view._analyze(question)
        ranked = view.retriever.rank(q, view.retriever.graph_evidence(q), k=k)
        return [citation_from_document(i + 1, c.doc) for i, c in enumerate(ranked)]

    def ask(self, question: str) -> Answer:
        """The answer contract for one question (see README, "Answers")."""
        answer, context = self._answer(question)
        if self.chat_model is not None and not answer.abstained:
            from .llm import write_with_llm

            answer = write_with_llm(self.chat_model, question, answer, context)
        return answer

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Text chunks as the answer is written, then the final :class:`Answer`."""
        answer, context = self._answer(question)
        if self.chat_model is None or answer.abstained:
            yield answer.answer
            yield answer
            return
        from .llm import stream_with_llm

        yield from stream_with_llm(self.chat_model, question, answer, context)

    def _answer(self, question: str) -> tuple[Answer, list[Citation]]:
        """The answer without an LLM, and the sentences an LLM may cite; a two-part question part by part."""
        parts = split_compound(" ".join(str(question).split()))
        view = self._request()
        if len(parts) == 1:
            return view._answer_one(question)
        first, first_context = view._answer_one(parts[0])
        second_question = resolve_followup(parts[1], [Turn(parts[0], "" if first.abstained else first.answer)],
                                           view.retriever.names)
        second, second_context = view._answer_one(second_question)
        answer = combine([parts[0], second_question], [first, second])
        cited = {(c.article, c.start) for c in answer.citations}
        extra = [c for c in first_context + second_context if (c.article, c.start) not in cited][:5]
        n = len(answer.citations)
        return answer, answer.citations + [dataclasses.replace(c, n=n + i + 1) for i, c in enumerate(extra)]

    def _answer_one(self, question: str) -> tuple[Answer, list[Citation]]:
        q = self._analyze(question)
        evidence = self.retriever.graph_evidence(q)
        ranked = self.retriever.rank(q, evidence, k=20)
        answer = self._number(self._draft(q, evidence, ranked), ranked)
        return answer, self._context(ranked, answer)

    def candidate_spans(self, question: str) -> list[Span]:
        """The name, date and number candidates of ``question``'s best sentences, with the features of
        :mod:`retrieval.ranker` (what ``scripts/train_answer_scorer.py`` trains and measures the learned span
        scorer on; see that module for why the rules still pick the answer).

        Empty when something else answers it: a graph fact, the whole sentence (why/how/what was said), or an
        abstention because the question names something no article mentions.
        """
        view = self._request()
        q = view._analyze(question)
        evidence = view.retriever.graph_evidence(q)
        ranked = view.retriever.rank(q, evidence, k=20)
        if q.expected not in _TYPED or q.is_list or view._unknown_name(q):
            return []
        if any(strategy(q, evidence, ranked) is not None for strategy in view._graph_strategies()):
            return []
        return view._spans(q, ranked)

    # --- steps ------------------------------------------------------------------------

    def _analyze(self, question: str) -> Question:
        text = " ".join(str(question).split())
        if not text:
            raise ValueError("the question is empty")
        if len(text) > 2000:
            raise ValueError(f"the question is {len(text)} characters long; the limit is 2000")
        return analyze(text, self.retriever.names)

    def _context(self, ranked: list[Candidate], answer: Answer) -> list[Citation]:
        """What an LLM may cite: the answer's citations, then the next best sentences."""
        cited = {(c.article, c.start) for c in answer.citations}
        extra = [c for c in ranked if (c.doc.metadata["article"], c.doc.metadata["start"]) not in cited][:5]
        n = len(answer.citations)
        return answer.citations + [citation_from_document(n + i + 1, c.doc) for i, c in enumerate(extra)]

    def _number(self, draft: Draft | None, ranked: list[Candidate]) -> Answer:
        if draft is None or draft.confidence < self.settings.abstain_below:
            return Answer(answer=NO_ANSWER, abstained=True, confidence=draft.confidence if draft else 0.0,
                          sparql=draft.sparql if draft else None)
        index = self.retriever.index
        citations: list[Citation] = []
        numbers: dict[str, int] = {}
        for iri in draft.sentences:
            row = index.row_of(iri)
            if row is None or iri in numbers:
                continue
            numbers[iri] = len(citations) + 1
            citations.append(citation_from_document(numbers[iri], index.docs[row]))
        facts = [FactRef(s, p, o, numbers[iri]) for s, p, o, iri in draft.facts if iri in numbers]
        text = balanced_quotes(draft.text)
        comments = [c for c in citations if c.section == "comment"]
        if comments and len(comments) == len(citations) and not draft.about_comment:
            text += f" (from a reader's comment by {comments[0].commenter or 'an anonymous reader'}, not the article)"
        return Answer(answer=text, abstained=False, confidence=round(min(1.0, draft.confidence), 4),
                      citations=citations, facts=facts,
                      sparql=facts_only(draft.sparql, [iri for _, _, _, iri in draft.facts if iri in numbers]))

    def _draft(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        if self._unknown_name(q):
            return None  # the question is about someone or something no stored sentence mentions
        for strategy in self._graph_strategies():
            draft = strategy(q, evidence, ranked)
            if draft is not None:
                return draft
        return self._extractive(q, evidence, ranked)

    def _graph_strategies(self):  # type: ignore[no-untyped-def]
        """The answers read from graph facts, tried in this order before the sentences' spans."""
        return (self._writer, self._comment_count, self._acronym, self._post_holder, self._post_of, self._speaker,
                self._quote, self._quoted_list)

    def _unknown_name(self, q: Question) -> str | None:
        """A capitalised word in the question (not its first) that no stored sentence contains, even misspelt.

        "What is the capital of Australia?" over articles that never mention
        Australia can only be answered by a guess, so kgqa abstains.
        """
        index = self.retriever.index
        linked = {w.lower() for e in q.entities for w in tokens(e.text)}  # the alias table knows these
        for m in _NAME.finditer(q.text):
            if m.start() == 0 or m.group(0).lower() in linked or m.group(0).lower() in MONTH_NAMES:
                continue
            for word in bm25_tokens(re.sub(r"['’]s$", "", m.group(0))):
                if index.document_frequency(word) or (len(word) >= 5 and _near(word, index.vocabulary())):
                    continue
                return m.group(0)
        return None

    # --- graph answers ----------------------------------------------------------------

    def _writer(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """Who wrote the article / the comment."""
        if not re.search(r"\bwho (?:wrote|writes|authored|penned|posted|made)\b", q.text, re.I) or not ranked:
            return None
        top = ranked[0]
        if q.section == "comment":
            name = top.doc.metadata.get("commenter")
            if top.doc.metadata["section"] != "comment" or not name:
                return None
            return Draft(name, [top.sentence], 0.9, [(name, "kgqa:commenter", _short(top.doc.page_content), top.sentence)],
                         _sentence_query(top.sentence), "graph", about_comment=True)
        authors = self.facts.authors(top.doc.metadata["article"])
        names = list(authors)
        if not names:
            return None
        index = self.retriever.index
        article = top.doc.metadata["article_id"]
        rows = [r for r in index.article_rows(article) if any(n.split()[-1] in index.docs[r].page_content for n in names)]
        bylines = [r for r in rows if index.docs[r].metadata["section"] == "byline"] or rows
        sentence = index.docs[bylines[0]].metadata["sentence"] if bylines else top.sentence
        return Draft(join_names(names), [sentence], 0.9, [(top.doc.metadata["headline"], "schema:author", n, sentence)
                                                    for n in names], authors.query, "graph")

    def _comment_count(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """How many (reader) comments an article has: counted in the graph."""
        if q.expected != "number" or not re.search(r"\bcomments\b", q.text, re.I) or not ranked:
            return None
        article = ranked[0].doc.metadata["article"]
        found = self.facts.comment_count(article)
        (counted,) = found
        count, first = counted.count, counted.first
        if first is None:
            return Draft(f"{ranked[0].doc.metadata['headline'] or 'The article'} has no reader comments", [ranked[0].sentence],
                         0.6, [], found.query, "graph")
        return Draft(f"{count} reader comment{'s' if count != 1 else ''}", [first], 0.85,
                     [(ranked[0].doc.metadata["headline"], "kgqa:commentCount", str(count), first)],
                     found.query, "graph", about_comment=True)

    def _acronym(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        if not q.acronym:
            return None
        found = self.facts.acronym(q.acronym)
        sparql = found.query
        with_sentence = [a for a in found if a.sentence]
        if with_sentence:
            a = with_sentence[0]
            return Draft(a.label, [a.sentence], 0.95, [(a.label, "skos:altLabel", a.short, a.sentence)], sparql, "graph")
        if found:
            a = found[0]
            hits = [c for c in ranked if q.acronym in c.doc.page_content]
            if hits:
                return Draft(a.label, [hits[0].sentence], 0.8, [(a.label, "skos:altLabel", a.short, hits[0].sentence)],
                             sparql, "graph")
        # A definition question the graph cannot answer: say so rather than guess.
        return Draft(NO_ANSWER, [], 0.1, sparql=sparql)

    def _titles_in(self, q: Question) -> list[str]:
        words = q.tokens
        titles = self.facts.post_titles
        # The question's runs of words, of each length a title has, against the titles: one set lookup a title,
        # where matching every title against every run took 2.3 ms a question on the BBC store (911 titles), now 0.1.
        runs = {tuple(words[i : i + n]) for n in {len(key) for key in titles} if n for i in range(len(words) - n + 1)}
        found = [title for key, title in titles.items() if key in runs]
        # "defense minister" beats "minister" when both are titles.
        return [t for t in found if not any(t != o and set(tokens(t)) < set(tokens(o)) for o in found)]

    def _post_holder(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """Who is ORG's TITLE / who heads ORG."""
        if q.expected != "person" or q.cue is not None:
            return None
        focus = self.retriever.focus_iris(q)
        titles = self._titles_in(q)
        heads = bool(_HEAD_VERBS & set(q.tokens))
        if titles:
            titled = self.facts.posts_titled(titles)
            posts, sparql = list(titled), titled.query
        elif heads and focus:
            # "Who runs the UK company Umbro?": the organisation is what is run, not the country it is in.
            orgs = [self.retriever.entity_iri(e.kind, e.label) for e in q.entities if e.kind in {"organization", "group"}]
            posts = [p for p in evidence.posts if set(tokens(p.title)) & _HEAD_TITLES and p.org in (orgs or focus)]
            if not posts:
                return self._post_in_sentences(q, ranked)
            sparql = evidence.queries[0] if evidence.queries else None  # the query of the entities' posts
        else:
            return self._post_in_sentences(q, ranked)
        if focus:
            posts = [p for p in posts if self._org_of_question(p, q, focus) or p.holder in focus]
        named = set() if focus else _named_constraint(q)  # a linked name constrains by its IRI, above
        if named:
            # "of NatWest": only posts whose organisation or sentence names it; never other companies' holders.
            posts = [p for p in posts if self._post_names(p, named)]
            if not posts:
                return self._post_in_sentences(q, ranked)  # no such post for it in the graph: the sentences may say
        holders: dict[str, list[Post]] = {}
        for p in posts:
            holders.setdefault(p.holder_label, []).append(p)
        if not holders:
            # The title is known, but not for this organisation: the best sentences may hold it without naming the
            # organisation ("Chief executive Peter McGuigan said the firm ..."); else "not said", not a near miss.
            return self._post_in_sentences(q, ranked) or Draft(NO_ANSWER, [], 0.15, sparql=sparql, kind="graph")
        if len(holders) > _MOST_HOLDERS and not q.is_list:
            # "Who chairs Wembley?" with only "UK" to hold the post in: a country's many chairmen are no answer.
            return self._post_in_sentences(q, ranked) or Draft(NO_ANSWER, [], 0.15, sparql=sparql, kind="graph")
        names = list(holders)
        sentences = [ps[0].sentence for ps in holders.values()]
        facts = [(p.holder_label, "org:holds", p.label, p.sentence) for ps in holders.values() for p in ps[:1]]
        text = join_names(names)
        return Draft(text, sentences, 0.95 if len(names) == 1 else 0.8, facts, sparql, "graph")

    def _post_in_sentences(self, q: Question, ranked: list[Candidate]) -> Draft | None:
        """The holder of a post the question names, read from the posts of its best sentences.

        For when the graph's posts of the question's organisation do not answer: the article calls its chief
        executive "Chief executive Peter McGuigan", and "the firm" is all it says of the company. A post
        counts when its title is the question's ("general secretary"), or the question asks who leads or runs
        something and the title is a head's (chairman, chief executive, boss); another organisation's post,
        or one held by someone the question names, never does.
        """
        if q.expected != "person" or q.cue is not None or q.is_list or not ranked:
            return None
        leads = bool((_HEAD_VERBS | _HEAD_TITLES) & set(q.tokens))
        asked = set(q.tokens)
        top = ranked[:_POST_SENTENCES]
        found = self.facts.posts_in([c.sentence for c in top])
        posts, sparql = list(found), found.query
        focus = set(self.retriever.focus_iris(q))
        place = {c.sentence: n for n, c in enumerate(top)}
        scored = []
        for p in posts:
            words = set(content_tokens(p.title)) or set(tokens(p.title))
            if p.holder in focus or not words or (focus and p.org and not self._org_of_question(p, q, focus)):
                continue
            match = 1.0 if words <= asked else 0.7 if leads and words & _HEAD_TITLES else 0.0
            if match:
                scored.append((match, -place[p.sentence], p))
        if not scored:
            return None
        match, neg_place, best = max(scored, key=lambda x: (x[0], x[1]))
        sentence = top[-neg_place]
        confidence = 0.35 + 0.3 * match + 0.2 * sentence.coverage
        return Draft(best.holder_label, [best.sentence], confidence,
                     [(best.holder_label, "org:holds", best.label, best.sentence)], sparql, "graph")

    @staticmethod
    def _org_of_question(post: Post, q: Question, focus: Iterable[str]) -> bool:
        """Whether the post's organisation is one the question links, by IRI or by every word of its name: an
        article's "British British Casino Association" (a typo) is still the question's "British Casino
        Association"."""
        if post.org in focus:
            return True
        org_words = set(tokens(post.org_label or ""))
        return any(words and words <= org_words for words in
                   (set(tokens(e.label)) for e in q.entities if e.kind in {"organization", "group", "place"}))

    def _post_names(self, post: Post, words: set[str]) -> bool:
        """Whether the post's organisation, or the sentence it was read from, names all of ``words``."""
        if words <= set(tokens(post.org_label or "")):
            return True
        row = self.retriever.index.row_of(post.sentence)
        return row is not None and words <= set(tokens(self.retriever.index.docs[row].page_content))

    def _post_of(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """What post does X hold / who was X / what is X's role."""
        people = {self.retriever.entity_iri(e.kind, e.label) for e in q.entities if e.kind == "person"}
        if q.expected != "post" or not people:
            return None
        posts = [p for p in evidence.posts if p.holder in people]
        if not posts:
            return None
        posts.sort(key=lambda p: (p.rank == p.title, p.sentence))
        labels = list(dict.fromkeys(p.label for p in posts))
        facts = [(p.holder_label, "org:holds", p.label, p.sentence) for p in posts]
        return Draft(f"{posts[0].holder_label}: {'; '.join(labels)}", list(dict.fromkeys(p.sentence for p in posts)),
                     0.9, facts, evidence.queries[0] if evidence.queries else None, "graph")

    def _speaker(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """Who said X."""
        if not q.speaker_wanted:
            return None
        top = ranked[:5]
        found = self.facts.quotes_in([c.sentence for c in top])
        quotes, sparql = list(found), found.query
        by_sentence: dict[str, list[Quotation]] = {}
        for quote in quotes:
            by_sentence.setdefault(quote.sentence, []).append(quote)
        asked = set(q.tokens)
        for c in top:
            if c.sentence not in by_sentence or c.coverage < _SPEAKER_COVERAGE:
                continue
            for quote in sorted(by_sentence[c.sentence], key=lambda x: -word_overlap(q, x.text)):
                name = speaker_name(quote, asked)
                if name:
                    return Draft(name, [c.sentence], 0.6 + 0.35 * c.coverage,
                                 [(name, "schema:creator", _short(quote.text), c.sentence)], sparql, "graph")
        # The sentence that holds the claim names no usable speaker ("he", a continuation, or no statement at
        # all): the article's statement ranked next to it, with less confidence.
        best = max(top, key=lambda c: c.coverage)
        if best.coverage < _SPEAKER_COVERAGE:
            return None
        article = best.doc.metadata["article"]
        for c in top:
            if c.doc.metadata["article"] != article:
                continue
            for quote in by_sentence.get(c.sentence, ()):
                name = speaker_name(quote, asked)
                if name:
                    return Draft(name, [c.sentence, best.sentence] if c is not best else [c.sentence],
                                 0.45 + 0.3 * best.coverage,
                                 [(name, "schema:creator", _short(quote.text), c.sentence)], sparql, "graph")
        return None

    def _quote(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """What did X say / add / warn against."""
        if q.cue is None or q.speaker_wanted or not evidence.quotes or q.expected not in {"quote", "any", "post"}:
            return None
        scores = {c.sentence: c.score for c in ranked}
        quotes = [x for x in evidence.quotes if x.sentence in scores]
        if not quotes:
            return None
        # A headline ("Mandelson warns BBC on Campbell") sums a statement up; the body says what was said.
        sections = {c.sentence: c.doc.metadata.get("section") for c in ranked}
        quotes = [x for x in quotes if sections[x.sentence] != "headline"] or quotes
        # "What did Mandelson warn the BBC against doing to Campbell?": Mandelson's words, not Campbell's.
        speaker = next((e for e in q.entities if e.kind == "person"), None)
        if speaker is not None:
            iri = self.retriever.entity_iri(speaker.kind, speaker.label)
            quotes = [x for x in quotes if x.creator == iri] or quotes
        specific = q.cue not in {"say", "according to", "quote"}
        best = max(quotes, key=lambda x: (specific and x.cue == q.cue, scores[x.sentence] + 0.1 * word_overlap(q, x.text)))
        candidate = next(c for c in ranked if c.sentence == best.sentence)
        said = _strip_that(best.text)
        if len(said.split()) < _SHORTEST_QUOTE:
            said = candidate.doc.page_content  # "The BBC" is the parse's fragment; the sentence is what was said
        return Draft(said, [best.sentence], 0.55 + 0.4 * candidate.coverage,
                     [(best.creator_label or best.speaker_text, "schema:creator", _short(best.text), best.sentence)],
                     evidence.queries[-1] if evidence.queries else None, "graph")

    def _quoted_list(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """Which (Iranian) officials are quoted."""
        if not (q.is_list and q.expected == "person" and _QUOTED & set(q.tokens)):
            return None
        found = self.facts.quotes_in([c.sentence for c in self.retriever.rank(q, evidence, k=40, pool=60)])
        quotes, sparql = list(found), found.query
        people = [x for x in quotes if x.creator and "/entity/person/" in x.creator and x.cue != "comment"]
        places = [e for e in q.entities if e.kind in {"place", "group"}]
        if places:
            holders = {p.holder for p in self.facts.posts_of([self.retriever.entity_iri(e.kind, e.label) for e in places])}
            people = [x for x in people if x.creator in holders
                      or any(set(tokens(e.text)) & set(tokens(x.speaker_text)) for e in places)]
        if not people:
            return None
        seen: dict[str, Quotation] = {}
        for x in people:
            seen.setdefault(x.creator_label or "", x)
        facts = [(x.creator_label or "", "schema:creator", _short(x.text), x.sentence) for x in seen.values()]
        return Draft(join_names(list(seen)), [x.sentence for x in seen.values()], 0.8, facts, sparql, "graph")

    # --- extractive ---------------------------------------------------------------------

    def _spans(self, q: Question, ranked: list[Candidate]) -> list[Span]:
        vetoed = self._vetoed_people(q)
        top = ranked[:_SPAN_SENTENCES]
        picks = {c.sentence: pick for c in top for pick in [extract_answer(q, c, vetoed)] if pick[0] is not None}
        return [s for s in candidates(q, top, k=_SPAN_SENTENCES, rule_picks=picks) if s.entity not in vetoed]

    def _extractive(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        if not ranked:
            return None
        vetoed = self._vetoed_people(q)
        best: tuple[bool, float, Draft] | None = None
        for c in ranked[:3]:
            text, typed = extract_answer(q, c, vetoed)
            if text is None:
                continue
            confidence = span_confidence(q, c, typed)
            draft = Draft(text, [c.sentence], confidence, [], _sentence_query(c.sentence))
            # Rank order wins unless a lower sentence has the asked-for type and this one not, or is far surer by
            # the hand-set measure; once the cross-encoder has read them, its order stands.
            surer = c.cross is None and confidence > best[1] + 0.15 if best is not None else False
            if best is None or (typed and not best[0]) or (typed == best[0] and surer):
                best = (typed, confidence, draft)
            if best[1] >= 0.6 and best[0]:
                break
        return best[2] if best else Draft(NO_ANSWER, [], 0.0)

    def _vetoed_people(self, q: Question) -> set[str]:
        """People who hold the asked-for title somewhere else: never the answer to "who is X's TITLE"."""
        titles = self._titles_in(q) if q.expected == "person" else []
        return {p.holder for p in self.facts.posts_titled(titles)} if titles else set()


_OF_NAME = re.compile(r"\b(?:of|at|for|in)\s+(?:the\s+)?((?:[A-Z][\w&'’-]*\s?){1,4})|\b((?:[A-Z][\w&-]*\s?){1,3})['’]s\b")


def _named_constraint(q: Question) -> set[str]:
    """Words of the organisation or place a post question names ("of NatWest", "BP's"), for when none is linked.

    >>> from kg import AliasTable
    >>> sorted(_named_constraint(analyze("Who is the chief executive of NatWest?", AliasTable())))
    ['natwest']
    >>> _named_constraint(analyze("Who is the defence minister?", AliasTable()))
    set()
    """
    for m in _OF_NAME.finditer(q.text):
        phrase = (m.group(1) or m.group(2) or "").strip()
        words = set(tokens(phrase))
        if words:
            return words
    return set()


_PROJECTS_SENTENCE = re.compile(r"\bSELECT\b[^{]*\?sentence\b[^{]*\bWHERE\s*\{", re.IGNORECASE)


def facts_only(sparql: str | None, sentences: list[str]) -> str | None:
    """kgqa's own lookup query narrowed to the sentences the answer's facts come from, so "Open this answer's
    SPARQL" returns those facts and no others (the lookup itself finds every holder of the title).

    >>> print(facts_only("SELECT ?holder ?sentence WHERE { GRAPH ?g { ?f prov:wasDerivedFrom ?sentence } }",
    ...                  ["http://x/s#char=1,2"]))
    SELECT ?holder ?sentence WHERE { VALUES ?sentence { <http://x/s#char=1,2> }  GRAPH ?g { ?f prov:wasDerivedFrom ?sentence } }
    """
    if not sparql or not sentences:
        return sparql
    where = _PROJECTS_SENTENCE.search(sparql)
    if where is None:  # the query does not say which sentence a row comes from: shown as it ran
        return sparql
    values = " ".join(f"<{iri}>" for iri in dict.fromkeys(sentences))
    return f"{sparql[:where.end()]} VALUES ?sentence {{ {values} }} {sparql[where.end():]}"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentence_query(sentence: str) -> str:
    return (
        "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n"
        "PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?text ?mention ?entity ?label WHERE {\n"
        f"  <{sentence}> nif:anchorOf ?text .\n"
        f"  OPTIONAL {{ ?m nif:sentence <{sentence}> ; nif:anchorOf ?mention ; itsrdf:taIdentRef ?entity .\n"
        "             ?entity rdfs:label ?label }\n}"
    )
