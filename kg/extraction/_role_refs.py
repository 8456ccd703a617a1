"""Posts stated by a role phrase that refers back to someone: "The 48-year-old actor crossed a bridge".

News articles name a person once and then call them by their job, often with an
age: "Tom Hanks ... The 48-year-old actor crossed ...". The role phrase states
the post, but the per-sentence rules see no name in that sentence. This pass
reads the article's sentences in order and gives such a phrase (a clause's
subject: "the", an optional age and up to two modifiers, a role noun, then a
verb) to the person it can only mean:

- with an age ("The 48-year-old actor"), the person the article has named most
  often so far (the most recent of them on a tie): reporters use an age to
  refer back to whom the story is about, not to whoever was named last ("a US
  record executive, Steve Greenberg. The 17-year-old singer", Joss Stone);
- without one, the only person the article has named so far.

Nothing is emitted when another person already holds that title in the article
("the centre" after "Wales centre Sonny Parker" may mean someone else), when
the person already has it, or when the phrase may start a new person ("the
chairman of X").

>>> from ._types import Entity
>>> from ..model import Sentence
>>> hanks = Entity("person", "Tom Hanks", {"Hanks"})
>>> s = [Sentence(0, 0, 10, "Tom Hanks was in London.", "body"),
...      Sentence(1, 11, 50, "The 48-year-old actor crossed a bridge.", "body")]
>>> [(p.holder[1], p.title) for p in role_posts([], s, {hanks.key: hanks})]
[('Tom Hanks', 'actor')]
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from ..model import Sentence
from ._lexicon import ROLE_HEADS
from ._post_words import MORE_ROLES, NOT_POSTS
from ._titles import canonical_title
from ._types import Entity, Post

__all__ = ["role_posts"]

log = logging.getLogger(__name__)

Key = tuple[str, str]
_NO_FACTS_IN = frozenset({"comment"})  # readers' comments state no facts (as in the per-sentence rules)
# Words after the role noun that show it is a clause's subject: an auxiliary or a verb in the past or the
# third person ("crossed", "says"); a name of its own or "of" would make it a new person ("the chairman of X").
_AUXILIARIES = ("has|had|have|was|is|were|will|would|could|can|may|might|must|should|did|does|"
                "also|then|later|now|still|already|insisted|admitted")
# Not "general", a rank as much as a role noun ("the market in general had slowed").
_ROLES = sorted((ROLE_HEADS | MORE_ROLES) - NOT_POSTS - {"general"}, key=len, reverse=True)
_FUNCTION_WORDS = frozenset({"in", "of", "for", "at", "to", "on", "with", "by", "from", "and", "or", "but", "as"})
_PHRASE = re.compile(
    r"(?:^|(?<=[,;:] )|(?<=\band )|(?<=\bbut )|(?<=\bthat )|(?<=\bwhile )|(?<=\bwhen )|(?<=\bas ))"
    r"[Tt]he (?P<age>\d+-year-old )?(?P<mods>(?:[a-z][\w-]* ){0,2}?)"
    rf"(?P<role>(?:prime minister|number eight|{'|'.join(re.escape(r) for r in _ROLES)}))"
    rf" (?:{_AUXILIARIES}|[a-z]+ed|[a-z]+[^s']s)\b"
)
# Modifiers that make the phrase someone not yet named: "the new chairman", "the first minister".
_NEW_PERSON = frozenset({"new", "next", "first", "last", "other", "former", "then", "same", "current", "acting",
                         "interim", "incoming", "outgoing", "late", "two", "three", "four", "both", "future"})


def _names(entities: Mapping[Key, Entity]) -> list[tuple[Key, re.Pattern[str]]]:
    """Each person with a pattern matching any of their names as a whole word."""
    out = []
    for e in entities.values():
        if e.kind != "person":
            continue
        names = sorted({e.label, *e.aliases}, key=len, reverse=True)
        out.append((e.key, re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names if n) + r")(?![\w-])")))
    return out


def role_posts(posts: Sequence[Post], sentences: Sequence[Sentence], entities: Mapping[Key, Entity]) -> list[Post]:
    """Posts the article's back-referring role phrases state (none that ``posts`` already hold)."""
    people = _names(entities)
    if not people:
        return []
    out: list[Post] = []
    named: list[Key] = []  # people in the order the article last named them, the latest last
    times: Counter[Key] = Counter()  # how often the article has named each so far
    first: dict[Key, int] = {}  # the order in which the article first named them
    for si, s in enumerate(sentences):
        if s.kind in _NO_FACTS_IN:
            continue
        for m in _PHRASE.finditer(s.text):
            if set(m["mods"].split()) & (_NEW_PERSON | _FUNCTION_WORDS):
                continue
            before = [(hit.start(), key) for key, pattern in people for hit in pattern.finditer(s.text[: m.start()])]
            order = [k for k in named if k not in {key for _, key in before}] + [k for _, k in sorted(before)]
            counts = times.copy()
            counts.update(k for _, k in before)
            for _, k in sorted(before):
                first.setdefault(k, len(first))
            if not order:
                continue
            if m["age"]:
                holder = max(order, key=lambda k: (counts[k], -first[k]))  # on a tie, whom the article named first
            elif len(set(order)) == 1:
                holder = order[0]
            else:
                continue
            title = (m["mods"] + m["role"]).strip()
            canonical = canonical_title(m["role"])
            holders = {p.holder for p in [*posts, *out] if canonical_title(p.title).endswith(canonical)}
            if holders:
                continue  # someone holds it already: a second post would be the same one or a guess
            log.debug("%r refers to %s", m.group(0), holder[1])
            out.append(Post(holder, title, None, None, si, "role reference"))
        seen = [(hit.start(), key) for key, pattern in people for hit in pattern.finditer(s.text)]
        times.update(key for _, key in seen)
        for _, key in sorted(seen):
            first.setdefault(key, len(first))
        for _, key in sorted(seen):
            if key in named:
                named.remove(key)
            named.append(key)
    return out
