"""Answer candidates read from graph facts: posts, speakers, quotations, acronyms, writers, comment counts.

Each generator looks at the analysed question, the graph evidence of its
linked entities and the ranked sentences, and returns a :class:`Draft` or
``None`` when the question is not its kind. A draft with no sentences is a
refusal: the generator knows where the answer would be and it is not there
("not said" beats a near miss). The answer scorer (:mod:`retrieval.answer_scoring`)
weighs every generator's draft against the sentences' spans.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ._spans import join_names, speaker_name, word_overlap
from ._text import content_tokens, tokens
from .compose import sentence_query, short_text
from .contract import NO_ANSWER
from .draft import Draft
from .graph_facts import GraphFacts, Post, Quotation
from .question import Question
from .retriever import Candidate, GraphEvidence, HybridRetriever

__all__ = ["GraphAnswers", "GRAPH_GENERATORS", "named_constraint"]

_HEAD_VERBS = {"head", "heads", "headed", "lead", "leads", "led", "run", "runs", "ran", "command", "commands",
               "commanded", "chair", "chairs", "chaired", "direct", "directs", "directed"}
_HEAD_TITLES = {"chief", "head", "leader", "commander", "director", "chairman", "chairwoman", "chair", "president",
                "secretary", "boss", "ceo"}
_QUOTED = {"quoted", "quote", "quotes", "cited", "spoke", "speak"}
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

#: The graph generators by name, in the order the hand-written rules tried them (the first draft won).
GRAPH_GENERATORS = ("writer", "comment_count", "acronym", "post_holder", "post_of", "speaker", "quote", "quoted_list")

Generator = Callable[[Question, GraphEvidence, list[Candidate]], "Draft | None"]


def _strip_that(text: str) -> str:
    text = re.sub(r"^(?:that|on\s+\S+\s+\S+\s+against|against)\s+", "", text.strip(), flags=re.I)
    return text.strip(" “”\"',.")


@dataclass(frozen=True)
class GraphAnswers:
    """The graph generators over one retriever (one snapshot); immutable, one per request."""

    retriever: HybridRetriever

    @property
    def facts(self) -> GraphFacts:
        return self.retriever.facts

    def generators(self) -> list[tuple[str, Generator]]:
        """(name, generator) in :data:`GRAPH_GENERATORS` order."""
        return [(name, getattr(self, f"_{name}")) for name in GRAPH_GENERATORS]

    def drafts(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> list[Draft]:
        """Every graph generator's draft for the question, in :data:`GRAPH_GENERATORS` order."""
        out = []
        for name, generate in self.generators():
            draft = generate(q, evidence, ranked)
            if draft is not None:
                out.append(draft if draft.generator != "graph" else dataclasses.replace(draft, generator=name))
        return out

    def _writer(self, q: Question, evidence: GraphEvidence, ranked: list[Candidate]) -> Draft | None:
        """Who wrote the article / the comment."""
        if not re.search(r"\bwho (?:wrote|writes|authored|penned|posted|made)\b", q.text, re.I) or not ranked:
            return None
        top = ranked[0]
        if q.section == "comment":
            name = top.doc.metadata.get("commenter")
            if top.doc.metadata["section"] != "comment" or not name:
                return None
            return Draft(name, [top.sentence], 0.9, [(name, "kgqa:commenter", short_text(top.doc.page_content), top.sentence)],
                         sentence_query(top.sentence), "graph", about_comment=True)
        authors = self.facts.authors(top.doc.metadata["article"])
        names = list(authors)
        if not names:
            return None
        index = self.retriever.index
        docs = index.docs  # one reader for the rows below
        article = top.doc.metadata["article_id"]
        rows = [r for r in index.article_rows(article) if any(n.split()[-1] in docs[r].page_content for n in names)]
        bylines = [r for r in rows if docs[r].metadata["section"] == "byline"] or rows
        sentence = docs[bylines[0]].metadata["sentence"] if bylines else top.sentence
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
        return Draft(NO_ANSWER, [], 0.1, sparql=sparql, generator="graph")

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
        named = set() if focus else named_constraint(q)  # a linked name constrains by its IRI, above
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
            return self._post_in_sentences(q, ranked) or Draft(NO_ANSWER, [], 0.15, sparql=sparql, generator="graph")
        if len(holders) > _MOST_HOLDERS and not q.is_list:
            # "Who chairs Wembley?" with only "UK" to hold the post in: a country's many chairmen are no answer.
            return self._post_in_sentences(q, ranked) or Draft(NO_ANSWER, [], 0.15, sparql=sparql, generator="graph")
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
        named = set() if focus else named_constraint(q)  # an unlinked "of Tesco" constrains by its words
        place = {c.sentence: n for n, c in enumerate(top)}
        scored = []
        for p in posts:
            words = set(content_tokens(p.title)) or set(tokens(p.title))
            if p.holder in focus or not words or (focus and p.org and not self._org_of_question(p, q, focus)):
                continue
            if named and not self._post_names(p, named):
                continue  # "chief executive of Tesco": never another firm's chief executive
            if focus and p.org is None and not self._article_names(p.sentence, q):
                continue  # a title with no organisation counts only in an article about the question's one
            match = 1.0 if words <= asked else 0.7 if leads and words & _HEAD_TITLES else 0.0
            if match:
                scored.append((match, -place[p.sentence], p))
        if not scored:
            return None
        match, neg_place, best = max(scored, key=lambda x: (x[0], x[1]))
        sentence = top[-neg_place]
        confidence = 0.35 + 0.3 * match + 0.2 * sentence.coverage
        return Draft(best.holder_label, [best.sentence], confidence,
                     [(best.holder_label, "org:holds", best.label, best.sentence)], sparql, "post_in_sentences")

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

    def _article_names(self, sentence: str, q: Question) -> bool:
        """Whether the article of ``sentence`` names an organisation, group or place the question links."""
        wanted = [set(tokens(e.text)) for e in q.entities if e.kind in {"organization", "group", "place"}]
        index = self.retriever.index
        row = index.row_of(sentence)
        if row is None or not wanted:
            return not wanted
        present: set[str] = set()
        docs = index.docs  # one reader for the rows below
        for r in index.article_rows(docs[row].metadata["article_id"]):
            present |= set(tokens(docs[r].page_content))
        return any(words and words <= present for words in wanted)

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
                                 [(name, "schema:creator", short_text(quote.text), c.sentence)], sparql, "graph")
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
                                 [(name, "schema:creator", short_text(quote.text), c.sentence)], sparql, "graph")
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
                     [(best.creator_label or best.speaker_text, "schema:creator", short_text(best.text), best.sentence)],
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
        facts = [(x.creator_label or "", "schema:creator", short_text(x.text), x.sentence) for x in seen.values()]
        return Draft(join_names(list(seen)), [x.sentence for x in seen.values()], 0.8, facts, sparql, "graph")

    def vetoed_people(self, q: Question) -> set[str]:
        """People who hold the asked-for title somewhere else: never the answer to "who is X's TITLE"."""
        titles = self._titles_in(q) if q.expected == "person" else []
        return {p.holder for p in self.facts.posts_titled(titles)} if titles else set()


_OF_NAME = re.compile(r"\b(?:of|at|for|in)\s+(?:the\s+)?((?:[A-Z][\w&'’-]*\s?){1,4})|\b((?:[A-Z][\w&-]*\s?){1,3})['’]s\b")


def named_constraint(q: Question) -> set[str]:
    """Words of the organisation or place a post question names ("of NatWest", "BP's"), for when none is linked.

    >>> from kg import AliasTable
    >>> from retrieval.question import analyze
    >>> sorted(named_constraint(analyze("Who is the chief executive of NatWest?", AliasTable())))
    ['natwest']
    >>> named_constraint(analyze("Who is the defence minister?", AliasTable()))
    set()
    """
    for m in _OF_NAME.finditer(q.text):
        phrase = (m.group(1) or m.group(2) or "").strip()
        words = set(tokens(phrase))
        if words:
            return words
    return set()

