"""A post's organisation from its article, where its sentence names it but the tagger did not.

The post rules read one parsed sentence, so "Wales coach Mike Ruddock told BBC
Sport Wales" gives no organisation when the tagger missed "Wales" in that
sentence, although the article names Wales elsewhere. This pass looks at the
words just before the title ("Wales coach", "Labour's head of ...") or leading
it ("Conservative leader", when "Conservative" was taken into the title) and
takes them as the organisation when they are the name or an alias of one of
the article's organisations, places or parties.

>>> from ._types import Entity, Post
>>> from ..model import Sentence
>>> wales = Entity("organization", "Wales")
>>> s = [Sentence(0, 0, 44, "Wales coach Mike Ruddock told BBC Sport Wales", "body", None, None)]
>>> [(p.title, p.org) for p in fill_orgs([Post(("person", "Mike Ruddock"), "coach", None, None, 0, "premodifier")],
...                                       s, {wales.key: wales})]
[('coach', ('organization', 'Wales'))]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..model import Sentence
from ._aliases import norm
from ._post_words import POSITIONS
from ._posts import org_key
from ._role_refs import role_posts
from ._titles import canonical_title
from ._types import Entity, Post

__all__ = ["fill_orgs"]

#: At most this many capitalised words before a title are tried as its organisation ("New York Stock Exchange").
_OWNER_WORDS = 4
_WORD = re.compile(r"[A-Z][\w&./-]*")
_PARTY = " party"
_POSSESSOR = re.compile(r"(?<![\w-])[A-Z][\w&.-]*['’]s\s+(?:\w+\s+){0,2}$")
#: Canonical titles that only a company (or a body run like one) has: a holder named with one of these and no
#: organisation works for the firm the article is about ("The firm collapsed ... and new boss Enrico Bondi").
COMPANY_ROLES = frozenset({"chief executive", "boss", "chair", "managing director", "finance director",
                           "chief financial officer", "chief operating officer", "chief technology officer",
                           "founder", "co founder", "group chief executive"})
#: Canonical titles (or last words) that only a team has: its positions, its captain and coach.
TEAM_TITLES = frozenset({"number eight", "captain", "skipper", "coach", "manager", "winger", "forward", "midfielder",
                         "defender", "goalkeeper", "keeper", "striker"}
                        | {canonical_title(p) for p in POSITIONS})
#: The article is about one organisation when it names it this many times more often than any other, and at
#: least ``_MIN_MENTIONS`` times (a firm named once is not what the article is about).
_DOMINANCE = 2
_MIN_MENTIONS = 2


def _owners(entities: Mapping[tuple[str, str], Entity]) -> dict[str, tuple[str, str]]:
    """Normalised name or alias -> the organisation, place or party it names in this article."""
    out: dict[str, tuple[str, str]] = {}
    for e in entities.values():
        key = org_key(e.key)
        if key is None:
            continue
        for name in (e.label, *sorted(e.aliases)):
            out.setdefault(norm(name), key)
            if norm(name).endswith(_PARTY):  # "Labour's head of elections strategy": the Labour Party
                out.setdefault(norm(name)[: -len(_PARTY)], key)
    return out


def _owner_before(text: str, title: str, owners: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The organisation named by the capitalised words right before ``title`` in ``text`` (longest first)."""
    for m in re.finditer(rf"(?<![\w-]){re.escape(title)}(?![\w-])", text):
        before = re.sub(r"['’]s\s*$", "", text[: m.start()].rstrip()).split()
        words: list[str] = []
        for w in reversed(before[-_OWNER_WORDS:]):
            if not _WORD.fullmatch(w):
                break
            words.insert(0, w)
        for k in range(len(words)):
            key = owners.get(norm(" ".join(words[k:])))
            if key is not None:
                return key
    return None


def _owner_leading(title: str, owners: dict[str, tuple[str, str]]) -> tuple[tuple[str, str], str] | None:
    """The organisation named by the title's own first words, and the title without them."""
    words = title.split()
    for k in range(min(len(words) - 1, _OWNER_WORDS), 0, -1):
        key = owners.get(norm(" ".join(words[:k])))
        if key is not None:
            return key, " ".join(words[k:])
    return None


def fill_orgs(posts: Sequence[Post], sentences: Sequence[Sentence],
              entities: Mapping[tuple[str, str], Entity]) -> list[Post]:
    """``posts`` with the organisation filled where the article supports it (the rest unchanged)."""
    owners = _owners(entities)
    out: list[Post] = []
    for p in posts:
        if p.org is None and owners:
            leading = _owner_leading(p.title, owners)
            if leading is not None:
                p = Post(p.holder, leading[1], leading[0], p.rank, p.sentence, p.source)
            else:
                owner = _owner_before(sentences[p.sentence].text, p.title, owners)
                if owner is not None and owner != p.holder:
                    p = Post(p.holder, p.title, owner, p.rank, p.sentence, p.source)
        out.append(p)
    # Posts that a role phrase referring back states ("The 48-year-old actor") are found here, at the article
    # level, because the sentence alone does not say whom the phrase means.
    out += role_posts(out, sentences, entities)
    out = _shared(out, sentences, entities)
    return _from_holder(out, sentences, _subject_org(sentences, entities))


def _kind_of_title(title: str) -> str | None:
    """"company" or "team" for titles that only a firm or a team has, else ``None``."""
    canonical = canonical_title(title)
    if canonical in COMPANY_ROLES:
        return "company"
    if canonical in TEAM_TITLES or canonical.split()[-1:] and canonical.split()[-1] in TEAM_TITLES:
        return "team"
    return None


def _shared(posts: list[Post], sentences: Sequence[Sentence], entities: Mapping[tuple[str, str], Entity]) -> list[Post]:
    """A title coordinated after another titled name of the same kind (two company titles, two team positions)
    shares its organisation: "Wales centre Sonny Parker and number eight Ryan Jones", "Microsoft chairman Bill
    Gates and chief executive Steve Ballmer"; not "US president Bill Clinton and singer Harry Belafonte"."""
    out: list[Post] = []
    for p in posts:
        if p.org is None and _kind_of_title(p.title):
            text = sentences[p.sentence].text
            for q in posts:
                if q.sentence != p.sentence or q.org is None or q.holder == p.holder or _kind_of_title(
                        q.title) != _kind_of_title(p.title):
                    continue
                names = sorted({q.holder[1], *(entities[q.holder].aliases if q.holder in entities else ())},
                               key=len, reverse=True)
                pattern = (rf"(?<![\w-]){re.escape(q.title)}\s+(?:{'|'.join(re.escape(n) for n in names)})"
                           rf"\s+and\s+{re.escape(p.title)}(?![\w-])")
                if re.search(pattern, text):
                    p = Post(p.holder, p.title, q.org, p.rank, p.sentence, p.source)
                    break
        out.append(p)
    return out


def _unknown_owner(text: str, title: str) -> bool:
    """Whether a capitalised possessive the tagger did not take for an organisation comes right before
    ``title``: "Aston's chief executive", "May's chairman" name their own firm, not the article's."""
    return any(_POSSESSOR.search(text[: m.start()])
               for m in re.finditer(rf"(?<![\w-]){re.escape(title)}(?![\w-])", text))


def _from_holder(posts: list[Post], sentences: Sequence[Sentence], subject: tuple[str, str] | None) -> list[Post]:
    """Posts still without an organisation take the one the same holder's other posts name, when they name
    one only and it is the same title or a company's ("chief executive Geoff Dixon" after "Qantas boss Mr
    Dixon"); a company title left without one takes the organisation the article is about."""
    out: list[Post] = []
    for p in posts:
        if p.org is None:
            title = canonical_title(p.title)
            company = title in COMPANY_ROLES
            owners = {q.org for q in posts if q.holder == p.holder and q.org is not None and (
                canonical_title(q.title) == title or company and q.org[0] == "organization")}
            owner = next(iter(owners)) if len(owners) == 1 else None
            if company and not owners and not _unknown_owner(sentences[p.sentence].text, p.title):
                owner = subject
            if owner is not None and owner != p.holder:
                p = Post(p.holder, p.title, owner, p.rank, p.sentence, p.source)
        out.append(p)
    return out


def _subject_org(sentences: Sequence[Sentence], entities: Mapping[tuple[str, str], Entity]) -> tuple[str, str] | None:
    """The organisation the article names far more often than any other (counted by its names in the text)."""
    text = " ".join(s.text for s in sentences if s.kind != "comment")
    counts: list[tuple[int, tuple[str, str]]] = []
    for e in entities.values():
        if e.kind != "organization":
            continue
        names = sorted({e.label, *e.aliases}, key=len, reverse=True)
        pattern = "|".join(re.escape(n) for n in names if n)
        if pattern:
            counts.append((len(re.findall(rf"(?<![\w-])(?:{pattern})(?![\w-])", text)), e.key))
    counts.sort(reverse=True)
    if not counts or counts[0][0] < _MIN_MENTIONS:
        return None
    if len(counts) > 1 and counts[0][0] < _DOMINANCE * counts[1][0]:
        return None
    return counts[0][1]
