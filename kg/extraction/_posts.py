"""Posts and roles a sentence states, from five constructions.

- pre-modifier: "Iran's Defense Minister Brigadier General Amir Hatami", "IRGC Qods Force chief Qassem Soleimani"
- apposition: "Imad Mughniyeh, Hezbollah's international operations chief", "Aziz Asber, the director of X"
- copula: "Amir Toumaj is an independent analyst and contributor to FDD's Long War Journal"
- "as" and appointing verbs: "joined Tesco as finance director", "was created a life peer"
- team positions: "Tom Shanklin is expected to continue at centre"

A title must be headed by a role noun (``_lexicon.ROLE_HEADS``); the organisation
is an entity in the title's possessive or after "of/at/for/with" (a nationality
adjective stands for its country); ranks ("Brigadier General") are kept apart.
How a title's words and organisation are read is in :mod:`._post_phrases`; posts
that need the whole article (a role phrase referring back, an organisation named
elsewhere) in :mod:`._post_orgs` and :mod:`._role_refs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lexicon import HONORIFICS, RANKS
from ._post_words import (
    APPOINTING, AS_VERBS, CONNECTORS, COPULAS, HYPOTHETICAL, MODALS, NAME_ONLY, NAME_ORG_PREPS, PERSONAL,
    POSITION_VERBS, POSITIONS, RELATIVES, SHIRT_NUMBERS, TEMPORAL, TENURE, TITLE_GENERAL,
)
from ._post_phrases import (
    bare, is_role, judged, negated, org_key, org_near, org_starting, possessed_by, title_of,
)
from ._types import Post

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["find_posts", "org_key"]  # org_key: see ._post_phrases

Key = tuple[str, str]


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


def _premodifier_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    posts: list[Post] = []
    for first, end, holder in _person_spans(ents, doc):
        chain: list[Token] = []
        i = first - 1
        while i >= 0:
            t = doc[i]
            if ents.get(i, ("",))[0] == "person":
                break
            ok = (
                t.i in ents or t.is_title or t.text in {"'s", "’s", "(", ")"} or is_role(t)
                or t.lower_ in RANKS
                or (t.lower_ in CONNECTORS and chain and i > 0 and doc[i - 1].lower_ != "according")
                or (t.lower_ == "number" and chain and chain[0].lower_ in SHIRT_NUMBERS)
                or ((t.pos_ in {"ADJ", "NOUN"} or t.tag_ in {"VBG", "VBN"}) and t.is_lower and chain and t.head.i > t.i
                    and t.head.i <= first)
            )
            if not ok or t.lower_ in {"the", "a", "an"}:
                break
            chain.insert(0, t)
            i -= 1
        chain = _after_held_for(_own_part(chain, doc[first:end].root, ents))
        while chain and (chain[0].lower_ in CONNECTORS or chain[0].text in {"'s", "’s", ")"}):
            chain.pop(0)
        if _object_of_preposition(chain):
            continue  # "a spokesman for Mr Blair", "adviser to Mr Brown": the post is someone else's
        if not chain or all(t.lower_ in NAME_ONLY for t in chain):
            continue  # "Prince Harry", "Rabbi Marvin Hier": part of how the name is written
        start = chain[0].i
        found = _chain_posts(list(chain), _without_tenure_names(chain, ents), holder, si)
        if start > 0 and doc[start - 1].lower_ in {"its", "their"}:
            # "its founder Mikhail Khodorkovsky": "its" is the organisation named before it in the sentence.
            owner = next((org_key(ents[i]) for i in range(start - 1, -1, -1)
                          if i in ents and ents[i][0] == "organization"), None)
            found = [Post(p.holder, p.title, p.org or owner, p.rank, p.sentence, p.source) for p in found]
        if end < len(doc) and doc[end].lower_ in NAME_ORG_PREPS and (after := org_starting(end + 1, doc, ents)):
            # "economist Marie-Pierre Ripert at IXIS", "analyst Orin Middleton of Barclays Capital"
            found = [Post(p.holder, p.title, p.org or after, p.rank, p.sentence, p.source) for p in found]
        posts.extend(found)
    return posts


def _without_tenure_names(chain: list[Token], ents: dict[int, Key]) -> dict[int, Key]:
    """``ents`` without a name the tagger made of a sentence's capitalised first word and a title's first words:
    "New Home Secretary Charles Clarke" (not an organisation "New Home" owning a "Secretary")."""
    if not chain or not chain[0].is_sent_start or chain[0].lower_ not in TENURE or chain[0].i not in ents:
        return ents
    name = ents[chain[0].i]
    return {i: k for i, k in ents.items() if not (k == name and chain[0].i <= i <= chain[-1].i)}


def _own_part(chain: list[Token], name: Token, ents: dict[int, Key]) -> list[Token]:
    """The chain after the last "and" that joins another person's post to this one: "the prime minister and
    Chancellor Gordon Brown" (the name is coordinated with "minister"), "presenter Tess Daly and actress Anita
    Dobson" (a role noun right before a name); "Iran's military attaché to Syria and IRGC Brigadier General"
    stays whole."""
    for k in range(len(chain) - 1, -1, -1):
        if chain[k].lower_ != "and":
            continue
        before = chain[:k]
        coordinated = name.dep_ == "conj" and any(name.head == t for t in before)
        named = any(is_role(a) and b.i in ents and b.i == a.i + 1 for a, b in zip(before, before[1:]))
        if coordinated or named:
            return chain[k + 1 :]
    return chain


def _after_held_for(chain: list[Token]) -> list[Token]:
    """The chain after a role's "to/for/at" when a title follows it: in "a senior adviser to President Carter",
    the adviser is someone else and Carter is the President; "Secretary of State Condoleezza Rice" (no role
    after "of") and "attaché to Syria and IRGC Brigadier General" (two posts, split later) stay whole."""
    for k in range(len(chain) - 1, 0, -1):
        rest = chain[k + 1 :]
        if chain[k].lower_ in CONNECTORS - {"and"} and is_role(chain[k - 1]) and rest and not any(
                t.lower_ == "and" for t in rest) and any(is_role(t) and t.lower_ not in RANKS for t in rest):
            return rest
    return chain


def _object_of_preposition(chain: list[Token]) -> bool:
    """Whether the name after ``chain`` is a preposition's object ("spokesman for Mr Blair"), only courtesy
    titles between: then the role noun before it is held by someone else, not by the name."""
    words = [t for t in chain if t.lower_ not in HONORIFICS]
    return bool(words) and words[-1].lower_ in CONNECTORS and words[-1].lower_ != "and"


def _chain_posts(chain: list[Token], ents: dict[int, Key], holder: Key, si: int) -> list[Post]:
    """Split "Iran's military attaché to Syria and IRGC Brigadier General" into its posts."""
    rank_words: list[str] = []
    while chain and chain[-1].lower_ in RANKS and not (
            chain[-1].lower_ == "general" and len(chain) > 1 and chain[-2].lower_ in TITLE_GENERAL):
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
        roles = [t for t in part if is_role(t) and t.i not in ents]
        orgs = [org_key(ents.get(t.i)) for t in part if org_key(ents.get(t.i))]
        org = orgs[0] if orgs else None
        last_part = n == len(parts) - 1
        if roles:
            end = roles[-1].i
            start = max((t.i for t in part if t.i < end and (t.i in ents or t.text in {"'s", "’s"})), default=-1)
            words = bare([t for t in part if start < t.i <= end and t.text not in {"'s", "’s"}])
            rest = [t for t in part if t.i > end]
            if rest and rest[0].lower_ in {"of", "for"} and len(rest) > 1 and all(
                    t.i not in ents and (t.is_title or t.lower_ == "the") for t in rest[1:]):
                words += rest  # "US Secretary of State Condoleezza Rice"
            posts.append(Post(holder, " ".join(t.text for t in words), org, rank if last_part else None, si,
                              "premodifier"))
        elif org and rank and last_part:
            posts.append(Post(holder, rank, org, rank, si, "premodifier"))
    if rank and not any(p.rank for p in posts) and posts:
        first = posts[0]
        posts[0] = Post(first.holder, first.title, first.org, rank, si, first.source)
    return posts


def _apposition_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    """"Jeff Ravencraft, technology strategist at Intel and chairman of X", "the founder of Y, Z"."""
    posts: list[Post] = []
    for t in doc:
        pairs = ((t.head, t), (t, t.head)) if t.dep_ == "appos" else ()
        if pairs and (role := _role_owning(t.head, ents)) is not None and ents.get(t.i, ("",))[0] == "person":
            pairs = ((t, role),)  # "Chief executive of Tesco, Terry Leahy": the name is the role's, not Tesco's
        for person_tok, role in pairs or _misparsed_apposition(doc, t, ents):
            holder = ents.get(person_tok.i)
            if not (holder and holder[0] == "person"):
                continue
            for r in [role] + [c for c in role.conjuncts if c.i > role.i]:
                if is_role(r) and r.i not in ents and not judged(r) and not possessed_by(r, holder, ents):
                    posts.append(Post(holder, title_of(r, ents), org_near(r, ents), None, si, "apposition"))
    return posts


def _role_owning(org: Token, ents: dict[int, Key]) -> Token | None:
    """The role noun whose "of/at" object ``org`` (an organisation or place) is, if any."""
    prep = org.head
    if org.dep_ != "pobj" or not org_key(ents.get(org.i)) or prep.lower_ not in {"of", "at"}:
        return None
    return prep.head if is_role(prep.head) and prep.head.i not in ents else None


def _misparsed_apposition(doc: Doc, role: Token, ents: dict[int, Key]) -> tuple[tuple[Token, Token], ...]:
    """"insulting the founder of Iran's Islamic Republic, Ayatollah Ruhollah Khomenei": a role noun's phrase,
    a comma and a name the parser made the role's sibling (the same head and relation), not its apposition."""
    if not is_role(role) or role.i in ents or role.dep_ in {"compound", "ROOT"}:
        return ()
    comma = role.right_edge.i if role.right_edge.text == "," else role.right_edge.i + 1
    if comma + 1 >= len(doc) or doc[comma].text != ",":
        return ()
    first = doc[comma + 1]
    key = ents.get(first.i)
    if not key or key[0] != "person":
        return ()
    last = first.i
    while last + 1 < len(doc) and ents.get(last + 1) == key:
        last += 1
    name = doc[first.i : last + 1].root
    if name.head == role.head and name.dep_ == role.dep_ and name.i != role.head.i:
        return ((name, role),)
    return ()


def _copula_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    """"Amir Toumaj is an independent analyst", "Brown, who is chairman of the group"."""
    posts: list[Post] = []
    for verb in doc:
        if verb.lemma_ not in COPULAS or any(c.dep_ == "mark" and (c.lower_ in HYPOTHETICAL or c.lower_ in
                                                                    TEMPORAL and verb.tag_ in {"VBZ", "VBP"})
                                              or c.dep_ == "aux" and c.lower_ in MODALS for c in verb.children):
            continue  # "if he became king", "would be the supreme governor", "after he becomes king": not (yet) held
        holder = next((h for s in verb.children if s.dep_ == "nsubj" and (h := _holder(s, ents, doc))), None)
        if holder is None or negated(verb):
            continue
        roles = [c for c in verb.children if c.dep_ == "attr"]
        roles += [c for r in list(roles) for c in r.conjuncts]
        for role in roles:
            if is_role(role) and role.i not in ents and not judged(role, praise=True) and not negated(role):
                posts.append(Post(holder, title_of(role, ents), org_near(role, ents), None, si, "copula"))
    return posts


def _holder(subject: Token, ents: dict[int, Key], doc: Doc) -> Key | None:
    """The person a subject or possessor names: a name, "who" of a relative clause after a name, or "he"/"his"
    when a clause it is part of has a named person as its subject ("Bush will display ... as he begins his
    second term as US President"); ``None`` when the nearest subject above it is anyone else ("I", "she")."""
    key = ents.get(subject.i)
    if key:
        return key if key[0] == "person" else None
    if subject.lower_ in {"who", "that"}:
        clause = next((a for a in subject.ancestors if a.dep_ == "relcl"), None)
        key = ents.get(clause.head.i) if clause is not None else None
        return key if key and key[0] == "person" else None
    if subject.lower_ not in PERSONAL:
        return None
    for above in subject.ancestors:
        for other in above.children:
            if other.dep_ not in {"nsubj", "nsubjpass"} or other == subject or other.i > subject.i:
                continue
            key = ents.get(other.i)
            if key and key[0] == "person" and not any(
                    ents.get(i, ("",))[0] == "person" and ents[i] != key for i in range(other.i + 1, subject.i)):
                return key  # and no other person named between: "accused Lord Butler of ... when he was"
            if key or PERSONAL.get(other.lower_) != PERSONAL[subject.lower_]:
                return None
    return None


def _as_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    """Posts a verb or a noun gives "as" or as its complement: "his second term as US President", "joined
    Tesco as finance director", "was appointed chief executive of X", "named Y chief executive"."""
    posts: list[Post] = []
    for t in doc:
        if t.lower_ == "as" and t.dep_ == "prep":
            roles = [c for c in t.children if c.dep_ == "pobj"]
            gov = t.head
        elif t.dep_ == "oprd" and t.head.lemma_ in APPOINTING:
            roles, gov = [t], t.head
        else:
            continue
        roles += [c for r in list(roles) for c in r.conjuncts]
        roles = [r for r in roles if is_role(r) and r.i not in ents and not judged(r)]
        if not roles:
            continue
        holder: Key | None = None
        owner: Key | None = None
        if gov.pos_ in {"NOUN", "PROPN"} and gov.lemma_ not in RELATIVES:
            holder = next((h for c in gov.children if c.dep_ == "poss" and (h := _holder(c, ents, doc))), None)
        elif gov.pos_ in {"VERB", "AUX"} and gov.lemma_ in AS_VERBS | APPOINTING:
            deps = {"dobj", "nsubjpass"} if gov.lemma_ in APPOINTING else {"nsubj", "nsubjpass"}
            candidates = [c for c in gov.children if c.dep_ in deps]
            candidates += [c for r in roles for c in r.children if c.dep_ in {"nmod", "compound", "npadvmod"}]
            holder = next((h for c in candidates if (h := _holder(c, ents, doc))), None)
            owners = [c for c in gov.children if c.dep_ in ({"nsubj"} if gov.lemma_ in APPOINTING else {"dobj"})]
            owner = next((org_key(ents.get(c.i)) for c in owners if org_key(ents.get(c.i))), None)
        if holder is None:
            continue
        for r in roles:
            posts.append(Post(holder, title_of(r, ents), org_near(r, ents) or owner, None, si, "as"))
    return posts


def _position_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    """A team position after "at" that a verb of playing gives its subject: "Tom Shanklin is expected to
    continue at centre", "Henson will start at fly-half" (no determiner: "at the centre" is a place)."""
    posts: list[Post] = []
    for t in doc:
        if t.lower_ not in POSITIONS or t.dep_ != "pobj" or t.head.lower_ != "at" or any(
                c.dep_ in {"det", "poss"} for c in t.children):
            continue
        verb = t.head.head
        clauses = [verb] + ([verb.head] if verb.dep_ in {"xcomp", "conj"} else [])
        if verb.lemma_ not in POSITION_VERBS:
            continue
        subjects = [c for v in clauses for c in v.children if c.dep_ in {"nsubj", "nsubjpass"}]
        holder = next((h for c in subjects if (h := _holder(c, ents, doc))), None)
        if holder is not None:
            posts.append(Post(holder, t.text, None, None, si, "position"))
    return posts


def find_posts(doc: Doc, ents: dict[int, Key], si: int) -> list[Post]:
    """Every post one sentence states, each once."""
    found = (_premodifier_posts(doc, ents, si) + _apposition_posts(doc, ents, si) + _copula_posts(doc, ents, si)
             + _as_posts(doc, ents, si) + _position_posts(doc, ents, si))
    out: list[Post] = []
    for p in sorted(found, key=lambda p: (-len(p.title), p.org is None)):
        same = [q for q in out if q.holder == p.holder and q.title.lower().endswith(p.title.lower())]
        if p.title and not same:
            out.append(p)
        elif same and same[0].org is None and p.org is not None:
            q = same[0]
            out[out.index(q)] = Post(q.holder, q.title, p.org, q.rank or p.rank, q.sentence, q.source)
    return sorted(out, key=lambda p: found.index(next(f for f in found if f.holder == p.holder)))
