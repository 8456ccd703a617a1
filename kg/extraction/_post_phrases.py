"""The words of a post in a parsed sentence: its title, its organisation and whether it is one at all.

Shared by the rules of :mod:`._posts`: a title is a role noun with its own
modifiers (``title_of``); its organisation is a possessive, a modifier or the
object of "of/at/for/with" (``org_near``); a nationality group stands for its
country (``org_key``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lexicon import DEMONYMS, is_role_noun
from ._post_words import (
    AFTER_NUMBER, DATE_WORDS, JUDGEMENTS, MORE_ROLES, NOT_POSTS, NOT_TITLE_POS, OPINION, ORG_NOUNS, ORG_PREPS, PRAISE,
    SHIRT_NUMBERS, TENURE, TITLE_PARTICIPLES,
)

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["bare", "is_role", "org_key", "title_of", "org_near", "org_starting", "possessed_by", "negated", "judged"]

Key = tuple[str, str]
_NEGATIONS = frozenset({"not", "never", "n't"})


def bare(words: list[Token]) -> list[Token]:
    """A title's words without what says when, how well or how old, rather than what the post is: tenure
    words anywhere ("Labour former minister"), an age ("22-year-old"), and in front superlatives, function
    words, praise ("legendary", "veteran") and participles ("Oscar-winning", "newly-appointed")."""
    words = [t for n, t in enumerate(words) if t.lower_ not in TENURE or n == len(words) - 1]
    for n in range(len(words) - 1, 0, -1):
        if words[n].lower_ == "old" and words[n - 1].lower_ in {"year", "years"}:
            words = words[n + 1 :]
            break
    while len(words) > 1 and (words[0].lower_ in TENURE or words[0].tag_ in {"JJS", "RBS"}
                              or words[0].lower_ in DATE_WORDS or words[0].lower_ in AFTER_NUMBER
                              or words[0].pos_ in NOT_TITLE_POS or words[0].lower_.startswith("ex-")
                              or words[0].is_punct or words[0].lower_ in PRAISE
                              or words[0].tag_ in {"VBN", "VBG"} and words[0].lower_ not in TITLE_PARTICIPLES
                              or _after_hyphen(words[0], words)):
        words = words[1:]
    return words


def _after_hyphen(word: Token, words: list[Token]) -> bool:
    """The second half of a hyphenated modifier whose first half the title lost: "topping" of "chart-topping
    singer", "hop" of "hip-hop artist"; not a title after "ex-" ("ex-chief executive")."""
    if word.i < 2 or word.doc[word.i - 1].text != "-" or word.doc[word.i - 1] in words:
        return False
    first_half = word.doc[word.i - 2].lower_
    return first_half not in TENURE and first_half not in {"ex", "vice", "co"}



def is_role(t: Token) -> bool:
    """A role noun that names a post (not a description such as "star")."""
    if t.lower_ in SHIRT_NUMBERS:
        return t.i > 0 and t.doc[t.i - 1].lower_ == "number"  # "number eight Ryan Jones"
    if t.pos_ == "VERB" and any(c.dep_ in {"aux", "dobj", "nsubj"} for c in t.children):
        return False  # "Cafod will host Mr Brown's speech" (but the tagger's verb "guitarist" has none of these)
    return (is_role_noun(t.text) or t.lower_ in MORE_ROLES) and t.lower_ not in NOT_POSTS



def org_key(key: Key | None) -> Key | None:
    """Organisations and places own posts; a nationality group stands for its country."""
    if key is None or key[0] == "person":
        return None
    if key[0] == "group":
        for adjective, (country, people) in DEMONYMS.items():
            if people == key[1]:
                return ("place", country)
        return key  # a party or movement ("Tory leader Michael Howard"): the group itself
    return key



def title_of(head: Token, ents: dict[int, Key]) -> str:
    """The role noun with its own modifiers ("international operations chief"), no determiners or owners, and
    the complement that belongs to the title ("Secretary of State", "vice president of product management")."""
    words = [t for t in head.subtree if t.i <= head.i and t.dep_ not in {"det", "poss", "case", "punct"}
             and t.i not in ents and not any(a.dep_ == "poss" for a in t.ancestors if a.i < head.i and a != head)]
    words = [t for t in words if t == head or not (t.dep_ == "prep" or t.head.dep_ == "prep" and t.head.i < head.i)]
    words = [t for t in words if t.i >= min((w.i for w in words), default=head.i)]
    return " ".join(t.text for t in bare(words) + _complement(head, ents))



def _complement(head: Token, ents: dict[int, Key]) -> list[Token]:
    """"of/for" and a short phrase naming a field, not an owner: "of State", "for Defence Procurement", "of the
    Exchequer", "of product management"; none when it names an entity, a person ("his") or an article-bound
    thing ("of the group", "of a company")."""
    after = head.doc[head.i + 1] if head.i + 1 < len(head.doc) else None
    if after is None or after.lower_ not in {"of", "for"} or after.head != head or after.dep_ != "prep":
        return []
    objects = [c for c in after.children if c.dep_ == "pobj"]
    if len(objects) != 1:
        return []
    phrase = list(objects[0].subtree)
    if len(phrase) > 4 or phrase[-1] != objects[0] or any(
            w.i in ents or w.dep_ in {"prep", "poss", "relcl", "acl", "case"} or w.pos_ in {"PRON", "NUM", "PUNCT"}
            for w in phrase):
        return []
    content = [w for w in phrase if w.lower_ != "the"]
    if not content or any(w.pos_ == "DET" for w in content):
        return []
    if phrase[0].lower_ == "the" and not all(w.is_title for w in content):
        return []  # "of the group": an owner the article names elsewhere
    if not (all(w.is_title for w in content) or all(w.is_lower and w.pos_ in {"NOUN", "ADJ"} for w in content)):
        return []
    return [after] + phrase



def org_near(head: Token, ents: dict[int, Key]) -> Key | None:
    """An owner of a role noun: its possessive ("Hezbollah's chief") or its "of/at/for X"."""
    for child in head.children:
        if child.dep_ == "poss":
            for t in child.subtree:
                if org_key(ents.get(t.i)):
                    return org_key(ents.get(t.i))
            if child.lower_ in ORG_NOUNS and any(c.lower_ == "the" for c in child.children):
                # "Tesco said Michael Smith, the firm's finance director, ...": the firm named before it
                return next((org_key(ents[i]) for i in range(child.i - 1, -1, -1)
                             if ents.get(i, ("",))[0] == "organization"), None)
        if child.dep_ in {"compound", "amod", "nmod"} and org_key(ents.get(child.i)):
            return org_key(ents.get(child.i))
    later = [c for c in head.conjuncts if c.i > head.i]
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ORG_PREPS and not any(c.i < child.i for c in later):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects and org_key(ents.get(objects[0].i)):
                return org_key(ents.get(objects[0].i))
            if not objects and (named := org_starting(child.i + 1, head.doc, ents)):
                return named  # "- the former chief executive of Tesco -": the parser left "of" without object
            for appos in (c for o in objects for c in o.children if c.dep_ == "appos"):
                if org_key(ents.get(appos.i)):  # "founder of rights group the Simon Wiesenthal Center"
                    return org_key(ents.get(appos.i))
            if objects and objects[0].i not in ents and (named := org_starting(objects[0].right_edge.i + 1, head.doc,
                                                                                ents)):
                return named  # the same, parsed as the person's apposition: not the group's "Jewish"
            for t in child.subtree:
                if org_key(ents.get(t.i)):
                    return org_key(ents.get(t.i))
    if head.dep_ == "conj" and head.i > head.head.i:  # "analyst and contributor to X": X is the later one's
        for child in head.head.children:
            if child.dep_ == "prep" and child.lower_ in ORG_PREPS and child.i > head.i:
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects and org_key(ents.get(objects[0].i)):
                    return org_key(ents.get(objects[0].i))
    return None



def org_starting(i: int, doc: Doc, ents: dict[int, Key]) -> Key | None:
    """The organisation or place whose name starts at token ``i`` (after an optional "the")."""
    if i < len(doc) and doc[i].lower_ == "the":
        i += 1
    return org_key(ents.get(i)) if i < len(doc) else None



def possessed_by(role: Token, holder: Key, ents: dict[int, Key]) -> bool:
    """"Sandy Climan, Mr Mann's former deputy": a role someone's name owns is not that person's own post."""
    return any(c.dep_ == "poss" and any(ents.get(t.i) == holder for t in c.subtree) for c in role.children)



def negated(word: Token) -> bool:
    """"she was a minister and not a secretary", "he is not the chairman"."""
    before = word.doc[word.left_edge.i - 1] if word.left_edge.i > 0 else None
    return any(c.dep_ == "neg" for c in word.children) or (before is not None and before.lower_ in _NEGATIONS)



def judged(role: Token, praise: bool = False) -> bool:
    """An award or a judgement rather than a post: "was best supporting actress", "the best striker in
    Europe"; with ``praise``, also "a key player", "a prudent chancellor" (what a copula says of someone)."""
    before = [w for w in role.subtree if w.i < role.i]
    return any(w.lower_ in JUDGEMENTS or praise and (w.lower_ in PRAISE or w.lower_ in OPINION) for w in before)
