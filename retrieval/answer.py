"""The answerer: a question in; a short answer with numbered cited sentences, or an honest abstention.

Graph answers come first (posts, speakers, acronyms, lists of people quoted);
otherwise the answer is extracted from the best sentence: the entity, date or
number the question asks for, or the whole sentence for why/how questions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg import Mention, Settings
from kg.extraction import demonym_country

from ._text import STOPWORDS, bm25_tokens, content_tokens, normalize_answer, stems, tokens
from .contract import NO_ANSWER, Answer, Citation, FactRef, citation_from_document
from .compound import combine, split_compound
from .followup import Turn, resolve_followup
from .graph_facts import Post, Quotation
from .question import MONTH_NAMES, Question, analyze
from .ranker import DATE_PHRASE, Span, candidates, quantities
from .retriever import Candidate, GraphEvidence, HybridRetriever
from .scoring import Weights, has_date

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
        self.retriever = HybridRetriever.from_library(library, weights=weights)
        self._generation = getattr(library, "generation", 0)
        if chat_model is None and self.settings.llm:
            from .llm import load_chat_model

            chat_model = load_chat_model(self.settings.llm)  # a ConfigError here names KGQA_LLM
        self.chat_model = chat_model

    @property
    def facts(self):  # type: ignore[no-untyped-def]
        return self.retriever.facts

    def _current(self) -> None:
        # After an ingest or delete the names and the index may be new: rebuild the retriever once.
        generation = getattr(self.library, "generation", 0)
        if generation != self._generation:
            self.retriever = HybridRetriever.from_library(self.library, weights=self._weights)
            self._generation = generation

    def _reading(self):  # type: ignore[no-untyped-def]
        lock = getattr(self.library, "lock", None)
        return lock.read() if lock is not None else contextlib.nullcontext()

    # --- public -------------------------------------------------------------------

    def resolve(self, question: str, history: Sequence[Turn] = ()) -> str:
        """The question with pronouns that lean on earlier turns spelled out (see :mod:`retrieval.followup`)."""
        with self._reading():
            self._current()
            return resolve_followup(question, history, self.retriever.names)

    def search(self, question: str, k: int = 10) -> list[Citation]:
        """The ``k`` best sentences for a question, as citations numbered from 1."""
        with self._reading():
            self._current()
            q = self._analyze(question)
            ranked = self.retriever.rank(q, self.retriever.graph_evidence(q), k=k)
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
        with self._reading():
            self._current()
            if len(parts) == 1:
                return self._answer_one(question)
            first, first_context = self._answer_one(parts[0])
            second_question = resolve_followup(parts[1], [Turn(parts[0], "" if first.abstained else first.answer)],
                                               self.retriever.names)
            second, second_context = self._answer_one(second_question)
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
        with self._reading():
            self._current()
            q = self._analyze(question)
            evidence = self.retriever.graph_evidence(q)
            ranked = self.retriever.rank(q, evidence, k=20)
            if q.expected not in _TYPED or q.is_list or self._unknown_name(q):
                return []
            if any(strategy(q, evidence, ranked) is not None for strategy in self._graph_strategies()):
                return []
            return self._spans(q, ranked)

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
        index = self.library.index
        citations: list[Citation] = []
        numbers: dict[str, int] = {}
        for iri in draft.sentences:
            row = index.row_of(iri)
            if row is None or iri in numbers:
                continue
            numbers[iri] = len(citations) + 1
            citations.append(citation_from_document(numbers[iri], index.docs[row]))
        facts = [FactRef(s, p, o, numbers[iri]) for s, p, o, iri in draft.facts if iri in numbers]
        text = draft.text
        comments = [c for c in citations if c.section == "comment"]
        if comments and len(comments) == len(citations) and not draft.about_comment:
            text += f" (from a reader's comment by {comments[0].commenter or 'an anonymous reader'}, not the article)"
        return Answer(answer=text, abstained=False, confidence=round(min(1.0, draft.confidence), 4),
                      citations=citations, facts=facts, sparql=draft.sparql)

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
        index = self.library.index
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
        names = self.facts.authors(top.doc.metadata["article"])
        if not names:
            return None
        index = self.library.index
        article = top.doc.metadata["article_id"]
        rows = [r for r in index.article_rows(article) if any(n.split()[-1] in index.docs[r].page_content for n in names)]
        bylines = [r for r in rows if index.docs[r].metadata["section"] == "byline"] or rows
        sentence = index.docs[bylines[0]].metadata["sentence"] if bylines else top.sentence
        return Draft(_join(names), [sentence], 0.9, [(top.doc.metadata["headline"], "schema:author", n, sentence)
                                                    for n in names], self.facts.last_query, "graph")

    def _comment_count(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """How many (reader) comments an article has: counted in the graph."""
        if q.expected != "number" or not re.search(r"\bcomments\b", q.text, re.I) or not ranked:
            return None
        article = ranked[0].doc.metadata["article"]
        count, first = self.facts.comment_count(article)
        if first is None:
            return Draft(f"{ranked[0].doc.metadata['headline'] or 'The article'} has no reader comments", [ranked[0].sentence],
                         0.6, [], self.facts.last_query, "graph")
        return Draft(f"{count} reader comment{'s' if count != 1 else ''}", [first], 0.85,
                     [(ranked[0].doc.metadata["headline"], "kgqa:commentCount", str(count), first)],
                     self.facts.last_query, "graph", about_comment=True)

    def _acronym(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        if not q.acronym:
            return None
        found = self.facts.acronym(q.acronym)
        sparql = self.facts.last_query
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
        found = []
        words = q.tokens
        for key, title in self.facts.post_titles.items():
            n = len(key)
            if n and any(tuple(words[i : i + n]) == key for i in range(len(words) - n + 1)):
                found.append(title)
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
            posts = self.facts.posts_titled(titles)
        elif heads and focus:
            # "Who runs the UK company Umbro?": the organisation is what is run, not the country it is in.
            orgs = [self.retriever.entity_iri(e.kind, e.label) for e in q.entities if e.kind in {"organization", "group"}]
            posts = [p for p in evidence.posts if set(tokens(p.title)) & _HEAD_TITLES and p.org in (orgs or focus)]
            if not posts:
                return self._post_in_sentences(q, ranked)
        else:
            return self._post_in_sentences(q, ranked)
        sparql = self.facts.last_query
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
        text = _join(names)
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
        posts = self.facts.posts_in([c.sentence for c in top])
        sparql = self.facts.last_query
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
        row = self.library.index.row_of(post.sentence)
        return row is not None and words <= set(tokens(self.library.index.docs[row].page_content))

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
        quotes = self.facts.quotes_in([c.sentence for c in top])
        sparql = self.facts.last_query
        by_sentence: dict[str, list[Quotation]] = {}
        for quote in quotes:
            by_sentence.setdefault(quote.sentence, []).append(quote)
        asked = set(q.tokens)
        for c in top:
            if c.sentence not in by_sentence or c.coverage < _SPEAKER_COVERAGE:
                continue
            for quote in sorted(by_sentence[c.sentence], key=lambda x: -_overlap(q, x.text)):
                name = _speaker_name(quote, asked)
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
                name = _speaker_name(quote, asked)
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
        best = max(quotes, key=lambda x: (specific and x.cue == q.cue, scores[x.sentence] + 0.1 * _overlap(q, x.text)))
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
        quotes = self.facts.quotes_in([c.sentence for c in self.retriever.rank(q, evidence, k=40, pool=60)])
        sparql = self.facts.last_query
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
        return Draft(_join(list(seen)), [x.sentence for x in seen.values()], 0.8, facts, sparql, "graph")

    # --- extractive ---------------------------------------------------------------------

    def _spans(self, q: Question, ranked: list[Candidate]) -> list[Span]:
        vetoed = self._vetoed_people(q)
        top = ranked[:_SPAN_SENTENCES]
        picks = {c.sentence: pick for c in top for pick in [_extract(q, c, vetoed)] if pick[0] is not None}
        return [s for s in candidates(q, top, k=_SPAN_SENTENCES, rule_picks=picks) if s.entity not in vetoed]

    def _extractive(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        if not ranked:
            return None
        vetoed = self._vetoed_people(q)
        best: tuple[bool, float, Draft] | None = None
        for c in ranked[:3]:
            text, typed = _extract(q, c, vetoed)
            if text is None:
                continue
            confidence = _confidence(q, c, typed)
            draft = Draft(text, [c.sentence], confidence, [], _sentence_query(c.sentence))
            # Rank order wins unless a lower sentence has the asked-for type and this one not, or is far surer.
            if best is None or (typed and not best[0]) or (typed == best[0] and confidence > best[1] + 0.15):
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


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _overlap(q: Question, text: str) -> float:
    words = set(q.words)
    return len(words & set(tokens(text))) / len(words) if words else 0.0


def _confidence(q: Question, c: Candidate, typed: bool) -> float:
    dense = min(1.0, max(0.0, (c.dense - 0.25) / 0.45))
    value = 0.55 * c.coverage + 0.3 * dense + 0.15 * (c.entity if q.entities else 1.0)
    if q.expected in {"person", "organization", "place", "date", "number", "duration"} and not typed:
        value *= 0.5
        if q.expected in {"place", "date", "number", "duration"}:
            value *= 0.5  # not a place, date or amount in it at all (a name the parser missed may still be there)
    if q.expected in {"number", "duration"} and c.missing:
        value *= 0.6  # a count means nothing without what was counted and what happened to it
    if q.head and stems([q.head])[0] not in stems(tokens(c.doc.page_content)):
        value *= 0.5  # "which hospital": a name from a sentence that says nothing of a hospital is a guess
    return round(value, 4)


def _extract(q: Question, c: Candidate, vetoed: set[str]) -> tuple[str | None, bool]:
    """The short answer inside one sentence, and whether it is of the expected type."""
    text = c.doc.page_content
    start0 = c.doc.metadata["start"]
    qwords = set(q.tokens)
    focus_words = {t for e in q.entities for t in tokens(e.text) + tokens(e.label)}

    def new(m: Mention) -> bool:
        # Mostly the question's own entity ("Gen Pervez Musharraf" for "President Musharraf") is not new.
        words = set(tokens(m.text))
        return bool(words) and not words <= (qwords | focus_words) and len(words & focus_words) * 2 <= len(words)

    if q.head and not q.is_list:
        named = _named_as(text, q.head, qwords | focus_words)
        if named:
            return named, True
    kinds = {"person": {"person"}, "organization": {"organization", "group"}, "place": {"place"},
             "date": {"date"}}.get(q.expected)
    if q.expected == "place" and not q.is_list:
        # "Where does he come from?" is answered by "from Omaha"; elsewhere "from" names a source, not a place.
        preps = "in|at|near|from" if "from" in qwords else "in|at|near"
        for hit in re.finditer(rf"\b(?:(?:north|south|east|west)(?:ern)? of|{preps}) (?:the )?[A-Z][\w-]+(?: [A-Z][\w-]+)*", text):
            if not set(tokens(hit.group(0))) <= (qwords | focus_words | {"in", "at", "near", "from", "the", "of"}):
                return hit.group(0), True
    if kinds:
        found = [m for m in c.mentions if m.kind in kinds and new(m) and m.entity not in vetoed]
        if q.expected == "organization":
            # "Which company ...": a company before a body of people, and never a nationality ("Indian").
            found = [m for m in found if not (m.kind == "group" and demonym_country(m.text))]
            found = [m for m in found if m.kind == "organization"] or found
        if q.expected == "date":
            found = [m for m in found if not re.fullmatch(r"\d{1,3}", m.text.strip())]  # "59": an age, not a date
            if "year" in q.tokens:  # "in what year": a date with its year, not "two years"
                found = [m for m in found if re.search(r"\b(?:1[5-9]|20)\d\d\b", _whole_date(text, m, start0))]
            if {"date", "day"} & set(q.tokens):  # "on what date": the day, not just its month or year
                with_day = [m for m in found if re.search(r"(?<!\d)\d{1,2}\b", _whole_date(text, m, start0))]
                if found and not with_day:  # "in 2000" half answers it; a lower sentence may give the day
                    m = min(found, key=lambda m: abs((m.start - start0) - _anchor(q, text)))
                    return _whole_date(text, m, start0), False
                found = with_day
        if q.expected == "person" and not found and not q.is_list:
            name = _unrecognised_name(text, c.mentions, start0, qwords | focus_words)
            if name:
                return name, True
            found = ([m for m in c.mentions if m.kind in {"organization", "place"} and new(m)]
                     or [m for m in c.mentions if m.kind == "group" and new(m)])
        # "FDD's Long War Journal": the owner is not the thing asked for.
        found = [m for m in found if not any(re.match(r"['’]s\s", text[m.end - start0:]) and o.start - m.end <= 3
                                             and o.start > m.start for o in found)] or found
        if found:
            anchor = _anchor(q, text)
            if q.is_list:
                names = list(dict.fromkeys(m.text for m in found))
                return _join(names), True
            m = min(found, key=lambda m: abs((m.start - start0) - anchor))
            if q.expected == "date":
                return _whole_date(text, m, start0), True
            if q.expected == "place":
                before = text[: m.start - start0]
                direction = re.search(r"((?:north|south|east|west)(?:ern)? of (?:the )?)$", before)
                if direction:
                    return direction.group(1) + m.text, True
            return m.text, True
        if q.expected == "date":
            for pattern in (r"\b(?:in |since |by )?(?:the end of )?(?:1[5-9]\d\d|20\d\d)\b", r"\b(?:this|last|next) (?:week|month|year)\b"):
                hit = re.search(pattern, text)
                if hit:
                    return hit.group(0), True
        return text, False
    if q.expected in {"number", "duration"}:
        hits = [(amount, offset) for amount, offset in quantities(text) if normalize_answer(amount) not in qwords]
        # A year is a date, not an amount, unless the sentence has nothing else.
        hits = [h for h in hits if not re.fullmatch(r"(?:1[5-9]|20)\d\d", h[0])] or hits
        unit = _unit_wanted(q)
        if unit is not None:
            # "What share": a percentage; "how much was he paid": money; "how many flights": a plain count.
            # A sentence without an amount of that kind does not answer, however many numbers it has.
            hits = [h for h in hits if _unit_of(h[0]) == unit]
        if hits:
            anchor = _anchor(q, text)
            amount, offset = min(hits, key=lambda h: abs(h[1] - anchor))
            counted = re.match(r"(?:\s+(?:of\s+)?[a-z][\w-]*){1,2}", text[offset + len(amount):])
            return amount + (counted.group(0) if counted else ""), True
        return text, False
    return text, q.expected not in {"date"} or has_date(text)


_PERCENT_WORDS = frozenset("share percentage proportion stake percent rate".split())
_MONEY_WORDS = frozenset("""cost costs pay paid fee fees salary price worth donate donated donation spend spent profit
profits revenue revenues sales compensation damages bid earn earned earns fine fined value valued raise raised
money loss losses""".split())


def _unit_wanted(q: Question) -> str | None:
    """The kind of amount a number question asks for: ``percent``, ``money``, ``count``; None when unclear."""
    words = set(q.tokens)
    if words & _PERCENT_WORDS:
        return "percent"
    if words & _MONEY_WORDS or "money" in words:
        return "money"
    if q.wh == "how many" and re.match(r"(?i)how many\b", q.text.lstrip()):
        return "count"
    return None


def _unit_of(amount: str) -> str:
    if re.search(r"%|per\s?cent", amount, re.I):
        return "percent"
    if re.search(r"[£$€¥]", amount):
        return "money"
    return "count"


_NAME_WORDS = r"[A-Z][\w'’&-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z0-9][\w'’&-]*){0,4}"


def _named_as(text: str, noun: str, asked: set[str]) -> str | None:
    """The name the sentence gives to what it calls ``noun``: "a drugs charity, Addaction", "the shantytown
    of Kibera", "new owner Yeahronimo Media Ventures", "the Waldorf Astoria hotel".

    >>> _named_as("She backs a drugs charity, Addaction, which she supports.", "charity", {"drugs", "charity"})
    'Addaction'
    >>> _named_as("U2 were inducted at the Waldorf Astoria hotel in New York.", "hotel", {"hotel", "u2"})
    'Waldorf Astoria'
    >>> _named_as("Shochiku film studios, founded 110 years ago, will receive it.", "studio", {"film", "studio"})
    'Shochiku'
    >>> _named_as("The charity said nothing.", "charity", {"charity"}) is None
    True
    """
    word = re.escape(noun)
    # The name before the noun may have one word between them: "Shochiku film studios".
    for pattern in (rf"\b{word}s?,?\s+(?:of\s+)?(?:the\s+)?({_NAME_WORDS})",
                    rf"\b(?:the\s+)?({_NAME_WORDS})\s+(?:[a-z]+\s+)?{word}s?\b"):
        for hit in re.finditer(pattern, text):
            name = hit.group(1).strip()
            # "Kenya's biggest shantytown" names the owner, not the shantytown.
            if set(tokens(name)) - asked and not re.match(r"(?:The|A|An|It|He|She|They)\b", name) \
                    and not re.search(r"['’]s$", name):
                return name
    return None


def _whole_date(text: str, m: Mention, start0: int) -> str:
    """A date mention with the day or year the sentence writes next to it ("March" of "11 March 2005")."""
    start, end = m.start - start0, m.end - start0
    for hit in DATE_PHRASE.finditer(text):
        if hit.start() <= start < hit.end() or start <= hit.start() < end:
            return text[min(start, hit.start()):max(end, hit.end())]
    return m.text


#: Fewest words of a statement's text worth showing as what was said; a shorter one is a parse fragment.
_SHORTEST_QUOTE = 4
#: Share of the question's weighted words a sentence must hold before its statement's speaker answers "who said".
_SPEAKER_COVERAGE = 0.5
_NAME_RUN = re.compile(r"(?<![\w’'-])[A-Z][a-z][\w’'-]*(?: [A-Z][a-z][\w’'-]*){1,3}(?![\w’'-])")


def _unrecognised_name(text: str, mentions: Sequence[Mention], start0: int, known: set[str]) -> str | None:
    """Two to four capitalised words that no mention covers and the question does not use: a person the
    parser missed. spaCy's small model tags "Ilse Marrow" as nothing, a date or a company depending on the
    words around it; a name it tagged as something else stays that thing.

    >>> _unrecognised_name("The ferry captain of Oskarvik is Ilse Marrow.", [], 0, {"oskarvik"})
    'Ilse Marrow'
    """
    covered = [(m.start - start0, m.end - start0) for m in mentions]
    for hit in _NAME_RUN.finditer(text):
        words = hit.group(0).split()
        if hit.start() == 0 and words[0].lower() in STOPWORDS:
            words = words[1:]  # "The Ferry ...": the sentence's first word, not a name
        if len(words) < 2 or any(w.lower() in STOPWORDS or w.lower() in MONTH_NAMES for w in words):
            continue
        if any(s < hit.end() and hit.start() < e for s, e in covered) or set(tokens(" ".join(words))) & known:
            continue
        return " ".join(words)
    return None


def _speaker_name(quote: Quotation, asked: set[str]) -> str | None:
    """Who made a statement, for "who said ...": its speaker's entity, unless the question already names that
    entity ("Which Forrester analyst ..." is not answered by "Forrester"); then a person's name in the words
    that introduce the statement ("Simon Yates, a senior analyst for Forrester").
    """
    label = quote.creator_label
    if label and not set(tokens(label)) <= asked:
        return label
    return _unrecognised_name(quote.speaker_text, [], 0, asked)


def _anchor(q: Question, text: str) -> int:
    """Character offset in ``text`` around which the question's words match."""
    lowered = text.lower()
    spots = [lowered.find(w) for w in q.words if lowered.find(w) >= 0]
    return int(sum(spots) / len(spots)) if spots else len(text) // 2


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
