"""Relations between entities from the dependency parse: subject, verb, object or prepositional object.

The predicate is the verb lemma plus the words on the path to the object:
"Syria depends on Iran" gives ``depend on``; "officials have been in talks with
Damascus" gives ``be in talk with``; "the US and Israel demand the withdrawal of
... from Syria" gives ``demand withdrawal from`` for both subjects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


from ._lexicon import is_role_noun
from ._types import Relation

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["find_relations"]

Key = tuple[str, str]
#: Heads of subjects that stand for the group or country modifying them ("Kurdish officials").
_GROUP_HEADS = frozenset("""official leader minister force troop source authority government diplomat soldier
fighter militant rebel police army navy military delegation team side""".split())
_MAX_WORDS = 5


def _entity(t: Token, ents: dict[int, Key], subject: bool) -> Key | None:
    if t.i in ents:
        return ents[t.i]
    if subject and t.lemma_.lower() in _GROUP_HEADS:
        for c in t.children:
            if c.dep_ in {"amod", "compound", "nmod"} and c.i in ents:
                return ents[c.i]
    return None


def _with_conjuncts(t: Token) -> list[Token]:
    return [t, *t.conjuncts]


def _objects(verb: Token, ents: dict[int, Key]) -> list[tuple[list[str], Key]]:
    """(path words, entity) for each entity the verb reaches through dobj/attr/prep chains."""
    found: list[tuple[list[str], Key]] = []

    def walk(node: Token, words: list[str], depth: int) -> None:
        for c in node.children:
            if c.dep_ in {"dobj", "attr", "pobj", "dative", "oprd"}:
                for o in _with_conjuncts(c):
                    key = ents.get(o.i) or next(  # "bought the Yugansk unit"
                        (ents[m.i] for m in o.children if m.dep_ == "compound" and m.i in ents
                         and ents[m.i][0] == "organization"), None)
                    if key is not None:
                        found.append((words, key))
                    elif depth < 2 and o.pos_ in {"NOUN"}:
                        walk(o, [*words, o.lemma_.lower()], depth + 1)
            elif c.dep_ in {"prep", "agent"} and depth < 3:
                walk(c, [*words, c.lower_], depth + 1)

    walk(verb, [], 0)
    return found


def find_relations(doc: Doc, ents: dict[int, Key], si: int) -> list[Relation]:
    out: list[Relation] = []
    for verb in doc:
        if verb.pos_ not in {"VERB", "AUX"}:
            continue
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if not subjects and verb.dep_ == "conj":
            subjects = [c for c in verb.head.children if c.dep_ == "nsubj"]
        negated = any(c.dep_ == "neg" for c in verb.children)
        subject_keys = [k for s in subjects for t in _with_conjuncts(s) if (k := _entity(t, ents, True))]
        if not subject_keys:
            continue
        for words, obj in _objects(verb, ents):
            predicate = " ".join([verb.lemma_.lower(), *words])
            if len(predicate.split()) > _MAX_WORDS or verb.lemma_ == "be" and (
                    not words or any(is_role_noun(w) for w in words)):
                continue  # "X is Y" and "X is an analyst at Y" are posts, not relations
            for subj in subject_keys:
                if subj != obj:
                    out.append(Relation(subj, predicate, obj, si, negated))
    return list(dict.fromkeys(out))
