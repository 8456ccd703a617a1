"""Posts and roles from three constructions: pre-modifiers, appositions and copulas.

- pre-modifier: "Iran's Defense Minister Brigadier General Amir Hatami", "IRGC Qods Force chief Qassem Soleimani"
- apposition: "Imad Mughniyeh, Hezbollah's international operations chief", "Aziz Asber, the director of X"
- copula: "Amir Toumaj is an independent analyst and contributor to FDD's Long War Journal"

A title must be headed by a role noun (``_lexicon.ROLE_HEADS``); the organisation
is an entity in the title's possessive or after "of/at/for/to" (a nationality
adjective stands for its country); ranks ("Brigadier General") are kept apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


from ._lexicon import DEMONYMS, HONORIFICS, NAME_TITLES, RANKS, is_role_noun
from ._types import Post

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["find_posts"]

Key = tuple[str, str]
_CONNECTORS = frozenset({"and", "to", "of", "for", "at"})
_ORG_PREPS = frozenset({"of", "at", "for", "to", "in"})
_COPULAS = frozenset({"be", "become", "remain"})
# Words before a title that say when or how well it was held, not what it is: "new boss", "former leader",
# "youngest premier", "But Prime Minister" (a sentence's first word is capitalised like a title).
_TENURE = frozenset({"new", "former", "ex", "then", "acting", "interim", "outgoing", "incoming", "current",
                     "late", "future", "newly", "recently", "longtime", "long-time", "serving", "sitting"})
_NOT_TITLE_POS = frozenset({"CCONJ", "SCONJ", "ADV", "INTJ", "DET", "PRON", "ADP", "PART", "NUM"})


def _bare(words: list[Token]) -> list[Token]:
    """A title's words without the tenure words, superlatives and function words in front of it."""
    while len(words) > 1 and (words[0].lower_ in _TENURE or words[0].tag_ in {"JJS", "RBS"}
                              or words[0].pos_ in _NOT_TITLE_POS or words[0].lower_.startswith("ex-")):
        words = words[1:]
    return words


def _org_key(key: Key | None) -> Key | None:
    """Organisations and places own posts; a nationality group stands for its country."""
    if key is None or key[0] == "person":
        return None
    if key[0] == "group":
        for adjective, (country, people) in DEMONYMS.items():
            if people == key[1]:
                return ("place", country)
        return None
    return key


def _person_spans(ents: dict[int, Key], doc: Doc) -> list[tuple[int, int, Key]]:
    spans: list[tuple[int, int, Key]] = []
    for i in range(len(doc)):
        key = ents.get(i)
        if key and key[0] == "person":
            if spans and spans[-1][1] == i and spans[-1][2] == key:
                spans[-1] = (spans[-1][0], i + 1, key)
            else:
                spans.append((i, i + 1, key))
    return spans


def _title(head: Token, ents: dict[int, Key]) -> str:
    """The role noun with its own modifiers ("international operations chief"), no determiners or owners."""
    words = [t for t in head.subtree if t.i <= head.i and t.dep_ not in {"det", "poss", "case", "punct"}
             and t.i not in ents and not any(a.dep_ == "poss" for a in t.ancestors if a.i < head.i and a != head)]
    words = [t for t in words if not (t.dep_ == "prep" or t.head.dep_ == "prep" and t.head.i < head.i)]
    words = [t for t in words if t.i >= min((w.i for w in words), default=head.i)]
    return " ".join(t.text for t in _bare(words))


def _org_near(head: Token, ents: dict[int, Key]) -> Key | None:
    """An owner of a role noun: its possessive ("Hezbollah's chief") or its "of/at/for X"."""
    for child in head.children:
        if child.dep_ == "poss":
            for t in child.subtree:
                if _org_key(ents.get(t.i)):
                    return _org_key(ents.get(t.i))
        if child.dep_ in {"compound", "amod", "nmod"} and _org_key(ents.get(child.i)):
            return _org_key(ents.get(child.i))
    later = [c for c in head.conjuncts if c.i > head.i]
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in _ORG_PREPS and not any(c.i < child.i for c in later):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and _org_key(ents.get(objects[0].i)):
                return _org_key(ents.get(objects[0].i))
            for appos in (c for o in objects for c in o.children if c.dep_ == "appos"):
                if _org_key(ents.get(appos.i)):  # "founder of rights group the Simon Wiesenthal Center"
                    return _org_key(ents.get(appos.i))
            for t in child.subtree:
                if _org_key(ents.get(t.i)):
                    return _org_key(ents.get(t.i))
    if head.dep_ == "conj" and head.i > head.head.i:  # "analyst and contributor to X": X is the later one's
        for child in head.head.children:
            if child.dep_ == "prep" and child.lower_ in _ORG_PREPS and child.i > head.i:
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects and _org_key(ents.get(objects[0].i)):
                    return _org_key(ents.get(objects[0].i))
    return None


def _premodifier_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    posts: list[Post] = []
    for first, _, holder in _person_spans(ents, doc):
        chain: list[Token] = []
        i = first - 1
        while i >= 0:
            t = doc[i]
            if ents.get(i, ("",))[0] == "person":
                break
            ok = (
                t.i in ents or t.is_title or t.text in {"'s", "’s", "(", ")"} or is_role_noun(t.text)
                or t.lower_ in RANKS
                or (t.lower_ in _CONNECTORS and chain and i > 0 and doc[i - 1].lower_ != "according")
                or (t.pos_ in {"ADJ", "NOUN", "VERB"} and t.is_lower and chain and t.head.i > t.i
                    and t.head.i <= first)
            )
            if not ok or t.lower_ in {"the", "a", "an"}:
                break
            chain.insert(0, t)
            i -= 1
        while chain and (chain[0].lower_ in _CONNECTORS or chain[0].text in {"'s", "’s", ")"}):
            chain.pop(0)
        if _object_of_preposition(chain):
            continue  # "a spokesman for Mr Blair", "adviser to Mr Brown": the post is someone else's
        if not chain or all(t.lower_ in NAME_TITLES for t in chain):
            continue  # "Prince Harry", "Rabbi Marvin Hier": part of how the name is written
        start = chain[0].i
        found = _chain_posts(list(chain), ents, holder, si)
        if start > 0 and doc[start - 1].lower_ in {"its", "their"}:
            # "its founder Mikhail Khodorkovsky": "its" is the organisation named before it in the sentence.
            owner = next((_org_key(ents[i]) for i in range(start - 1, -1, -1)
                          if i in ents and ents[i][0] == "organization"), None)
            found = [Post(p.holder, p.title, p.org or owner, p.rank, p.sentence, p.source) for p in found]
        posts.extend(found)
    return posts


def _object_of_preposition(chain: list[Token]) -> bool:
    """Whether the name after ``chain`` is a preposition's object ("spokesman for Mr Blair"), only courtesy
    titles between: then the role noun before it is held by someone else, not by the name."""
    words = [t for t in chain if t.lower_ not in HONORIFICS]
    return bool(words) and words[-1].lower_ in _CONNECTORS and words[-1].lower_ != "and"


def _chain_posts(chain: list[Token], ents: dict[int, Key], holder: Key, si: int) -> list[Post]:
    """Split "Iran's military attaché to Syria and IRGC Brigadier General" into its posts."""
    rank_words: list[str] = []
    while chain and chain[-1].lower_ in RANKS:
        rank_words.insert(0, chain.pop().text)
    rank = " ".join(rank_words) or None
    parts: list[list[Token]] = [[]]
    for t in chain:
        if t.lower_ == "and":
            parts.append([])
        else:
            parts[-1].append(t)
    posts: list[Post] = []
    for n, part in enumerate(parts):
        part = [t for t in part if t.text not in {"(", ")"}]
        roles = [t for t in part if is_role_noun(t.text) and t.i not in ents]
        orgs = [_org_key(ents.get(t.i)) for t in part if _org_key(ents.get(t.i))]
        org = orgs[0] if orgs else None
        last_part = n == len(parts) - 1
        if roles:
            end = roles[-1].i
            start = max((t.i for t in part if t.i < end and (t.i in ents or t.text in {"'s", "’s"})), default=-1)
            words = _bare([t for t in part if start < t.i <= end and t.text not in {"'s", "’s"}])
            posts.append(Post(holder, " ".join(t.text for t in words), org, rank if last_part else None, si,
                              "premodifier"))
        elif org and rank and last_part:
            posts.append(Post(holder, rank, org, rank, si, "premodifier"))
    if rank and not any(p.rank for p in posts) and posts:
        first = posts[0]
        posts[0] = Post(first.holder, first.title, first.org, rank, si, first.source)
    return posts


def _apposition_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    posts: list[Post] = []
    for t in doc:
        if t.dep_ != "appos":
            continue
        for person_tok, role in ((t.head, t), (t, t.head)):
            holder = ents.get(person_tok.i)
            if holder and holder[0] == "person" and is_role_noun(role.text) and role.i not in ents:
                posts.append(Post(holder, _title(role, ents), _org_near(role, ents), None, si, "apposition"))
    return posts


def _copula_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    posts: list[Post] = []
    for verb in doc:
        if verb.lemma_ not in _COPULAS:
            continue
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        holder = next((ents[s.i] for s in subjects if ents.get(s.i, ("",))[0] == "person"), None)
        if holder is None:
            continue
        roles = [c for c in verb.children if c.dep_ == "attr"]
        roles += [c for r in list(roles) for c in r.conjuncts]
        for role in roles:
            if is_role_noun(role.text) and role.i not in ents:
                posts.append(Post(holder, _title(role, ents), _org_near(role, ents), None, si, "copula"))
    return posts


def find_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    """Every post one sentence states, each once."""
    found = _premodifier_posts(doc, ents, si) + _apposition_posts(doc, ents, si) + _copula_posts(doc, ents, si)
    out: list[Post] = []
    for p in sorted(found, key=lambda p: (-len(p.title), p.org is None)):
        same = [q for q in out if q.holder == p.holder and q.title.lower().endswith(p.title.lower())]
        if p.title and not same:
            out.append(p)
        elif same and same[0].org is None and p.org is not None:
            q = same[0]
            out[out.index(q)] = Post(q.holder, q.title, p.org, q.rank or p.rank, q.sentence, q.source)
    return sorted(out, key=lambda p: found.index(next(f for f in found if f.holder == p.holder)))
