"""Relations between entities from the dependency parse: who does what to whom.

A relation is a verb whose subject and object (direct object, or object of a preposition that belongs to
the verb) are entities. Its predicate is a normalised verb: the lemma with its particle and that
preposition ("Syria depends on Iran" gives ``depend on``; "Elvis knocked Brookstein down" gives
``knock down``), and, for a light verb only, its object noun ("gave interviews to the BBC" gives
``give interview to``); never other nouns of the sentence. The subject is found the usual ways:

- ``nsubj`` of the verb, of the verb it is a conjunct of, or of the verb it is the ``xcomp`` of
  ("SBC agreed to buy AT&T");
- the noun a relative clause hangs on ("McFadden, who quit Westlife");
- the ``by`` agent of a passive verb or participle, whose passive subject or head noun is then the object
  ("Holmes has been advised by Margot Jennings", "Den, played by Leslie Grantham").

Not minted: speech (``say``, ``tell``: those are statements), ``be``/``have``, negated or hedged verbs
("did not attend", "can win", "if he wins"), prepositions that are adjuncts rather than arguments
(``as``, ``under``, ``according to``, ``despite``...), a location preposition (``in``, ``at``) whose object
is not a place, and endpoints of a kind the verb does not take (:data:`_OBJECT_KINDS`: a person does not
``buy`` a country).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._types import Relation

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

__all__ = ["find_relations"]

Key = tuple[str, str]
#: Heads of subjects that stand for the group or country modifying them ("Kurdish officials").
_GROUP_HEADS = frozenset("""official leader minister force troop source authority government diplomat soldier
fighter militant rebel police army navy military delegation team side director board spokesman spokeswoman
spokesperson subsidiary unit division""".split())
#: Verbs whose object is the subject of the clause they govern: "the US had allowed Britain to take the lead".
_OBJECT_CONTROL = frozenset("""allow force urge ask persuade help encourage enable invite press pressure order
require permit""".split())
#: Verbs that relate their conjoined subjects to each other: "WiMedia Alliance and Multi-band OFDM alliance
#: had merged" gives ``merge with``.
_RECIPROCAL = frozenset("merge meet marry clash ally".split())
#: Entity kinds a subject pronoun may stand for, when it is the subject of what an entity said it would do
#: ("Nintendo has said it will release the DS in Europe").
_PRONOUN_KINDS = {"he": {"person"}, "she": {"person"}, "it": {"organization", "place"},
                  "they": {"organization", "group"}, "we": {"organization", "group"}}
#: Verbs that report speech or thought: "X told Reuters" is a statement of X, not a relation to Reuters.
_SPEECH = frozenset("""say tell add claim insist argue explain state write note reply respond admit comment
speak quote report describe believe think hope feel know reveal confirm deny suggest warn declare announce
stress reiterate acknowledge concede predict indicate mention""".split())
#: Verbs that name no relation on their own.
_EMPTY = frozenset("be have do get seem become remain put let".split())
#: Light verbs: their object noun is part of the predicate ("take action against", "give interview to").
_LIGHT = frozenset("take give make hold cast pay file sign reach strike lodge bring launch".split())
#: Prepositions that can introduce a verb's argument; the rest (as, under, despite, ...) are adjuncts.
_ARG_PREPS = frozenset("""to with on against from into for after about over inside in at onto toward towards
within across throughout near""".split())
#: Prepositions that mark an argument of a few verbs only, an adjunct (purpose, time) elsewhere: "works for the
#: IFES", "paid for MCI", but "join the delegation for Memorial Day", "retired after the Olympics".
_ONLY_AFTER: dict[str, frozenset[str]] = {
    "for": frozenset("""work play vote pay bid compete sign campaign stand fight search look call sue blame thank
praise criticise criticize apply spy write spend""".split()),
    "after": frozenset("go come run chase name look".split()),
}
#: Location prepositions: their object must be a place ("sold 800,000 units in Japan", not "at 3GSM").
_WHERE = frozenset("in at inside within across throughout near".split())
#: Verbs whose non-subject endpoint is one of a few kinds (all other verbs take any entity kind).
_OBJECT_KINDS: dict[str, frozenset[str]] = {
    **dict.fromkeys("buy acquire purchase own sell merge invest takeover".split(), frozenset({"organization"})),
    **dict.fromkeys("join quit leave found chair head run manage".split(),
                    frozenset({"organization", "group", "place"})),
    **dict.fromkeys("marry divorce hire fire appoint sack elect nominate interview".split(), frozenset({"person"})),
}
_HEDGES = frozenset("can could may might should must".split())
#: Verbs that deny the act of their ``xcomp`` ("refused to sign", "failed to buy").
_NEGATIVE_CONTROL = frozenset("refuse fail decline deny stop cease avoid".split())
_REL_PRONOUNS = frozenset("who which that".split())


def _entity(t: Token, ents: dict[int, Key], subject: bool) -> Key | None:
    if t.i in ents:
        return ents[t.i]
    if subject and t.lemma_.lower() in _GROUP_HEADS:
        for c in t.children:
            if c.dep_ in {"amod", "compound", "nmod", "poss"} and c.i in ents:
                return ents[c.i]
            if c.dep_ == "prep" and c.lower_ in {"for", "of"}:  # "a spokesman for Reporters Without Borders"
                for o in c.children:
                    if o.dep_ == "pobj" and o.i in ents:
                        return ents[o.i]
    if subject and t.lower_ in _PRONOUN_KINDS:
        return _reported_speaker(t, ents)
    return None


def _reported_speaker(pronoun: Token, ents: dict[int, Key]) -> Key | None:
    """The speaker a subject pronoun stands for in what was reported ("Sony has said it wanted to launch")."""
    clause = pronoun.head
    while clause.dep_ in {"xcomp", "conj"} and clause.head.pos_ in {"VERB", "AUX"}:
        clause = clause.head
    if clause.dep_ != "ccomp" or clause.head.lemma_.lower() not in _SPEECH:
        return None
    speaker = next((c for c in clause.head.children if c.dep_ == "nsubj"), None)
    key = _entity(speaker, ents, True) if speaker is not None and speaker.lower_ not in _PRONOUN_KINDS else None
    return key if key is not None and key[0] in _PRONOUN_KINDS[pronoun.lower_] else None


def _noun_entity(t: Token, ents: dict[int, Key], subject: bool) -> Key | None:
    """The entity a noun stands for: itself, or the named thing in apposition ("the ranch, Hato El Charcote")."""
    key = _entity(t, ents, subject)
    if key is None and t.dep_ == "appos" and t.head.i in ents:
        key = ents[t.head.i]
    if key is None and t.pos_ == "NOUN":  # "her coach Margot Jennings", "auditors Grant Thornton"
        key = next((ents[c.i] for c in t.children if c.dep_ == "appos" and c.i in ents), None)
    return key


def _keys(tokens: list[Token], ents: dict[int, Key], subject: bool) -> list[Key]:
    """The entities of some nouns and their conjuncts (of a named noun only: "programmes from PBS, the NBA"
    is a misparse more often than a list)."""
    found = []
    for s in tokens:
        key = _noun_entity(s, ents, subject)
        if key is not None:
            found.append(key)
            found += [k for t in s.conjuncts if (k := _noun_entity(t, ents, subject))]
    return found


def _hedged(verb: Token) -> bool:
    for c in verb.children:
        if c.dep_ == "neg" or c.dep_ == "aux" and c.lower_ in _HEDGES or c.lower_ == "never":
            return True
        if c.dep_ == "advmod" and c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children):
            return True  # "no longer wants to own"
        if c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"}:
            return True
    return False


def _subjects(verb: Token, ents: dict[int, Key]) -> tuple[list[Key], list[Key]]:
    """(subjects, objects found on the subject side): the passive subject is the object of a ``by`` agent."""
    agents = [p for c in verb.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
    if agents:
        patients = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if not patients and verb.dep_ == "acl":
            patients = [verb.head]
        return _keys(agents, ents, True), _keys(patients, ents, False) or [("", "")]  # no patient: none
    if any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children):
        return [], []  # "X was sworn in": no doer named
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if len(subjects) == 1 and subjects[0].lower_ in _REL_PRONOUNS and verb.dep_ == "relcl":
        subjects = [verb.head]  # "McFadden, who quit Westlife"
    if not subjects and verb.dep_ == "conj":
        subjects = [c for c in verb.head.children if c.dep_ == "nsubj"]
    if not subjects and verb.dep_ == "xcomp" and verb.head.pos_ in {"VERB", "AUX"} \
            and verb.head.lemma_.lower() not in _NEGATIVE_CONTROL and not _hedged(verb.head):
        subjects = [c for c in verb.head.children if c.dep_ in {"nsubj", "nsubjpass"}]  # "agreed to buy"
    return _keys(subjects, ents, True), []


def _objects(verb: Token, ents: dict[int, Key]) -> list[tuple[str, Key]]:
    """(words after the verb in the predicate, entity) for each entity object of the verb."""
    found: list[tuple[str, Key]] = []
    lemma = verb.lemma_.lower()
    light = lemma in _LIGHT
    noun = next((c.lemma_.lower() for c in verb.children if light and c.dep_ == "dobj" and c.pos_ == "NOUN"
                 and c.i not in ents), "")  # "gave interviews to the BBC": give interview to

    def prep_objects(prep: Token, words: str) -> None:
        p = prep.lower_
        if prep.dep_ != "prep" or p not in _ARG_PREPS or p in _ONLY_AFTER and lemma not in _ONLY_AFTER[p]:
            return
        for key in _keys([c for c in prep.children if c.dep_ == "pobj"], ents, False):
            if p not in _WHERE or key[0] == "place":
                found.append((f"{words} {p}".strip(), key))

    for c in verb.children:
        if c.dep_ == "ccomp" and lemma in _OBJECT_CONTROL and any(a.lower_ == "to" for a in c.children):
            found += [("", k) for k in _keys([s for s in c.children if s.dep_ == "nsubj"], ents, False)]
        elif c.dep_ in {"dobj", "dative"}:
            keys = _keys([c], ents, False)
            if not keys and c.dep_ == "dobj" and c.pos_ == "NOUN":
                if light:  # "take action against Menatep"
                    for p in c.children:
                        prep_objects(p, c.lemma_.lower())
                keys = [ents[m.i] for m in c.children  # "bought the Yugansk unit"
                        if m.dep_ == "compound" and m.i in ents and ents[m.i][0] == "organization"
                        and c.lemma_.lower() in {"unit", "division", "subsidiary", "arm", "business"}]
            found += [("", k) for k in keys]
        elif c.dep_ == "prep" and (noun or not light):  # "made his debut against", not "made against"
            prep_objects(c, noun)
    return found


def find_relations(doc: Doc, ents: dict[int, Key], si: int) -> list[Relation]:
    out: list[Relation] = []
    for verb in doc:
        if verb.pos_ != "VERB":
            continue
        lemma = verb.lemma_.lower()
        if lemma in _SPEECH or lemma in _EMPTY or not lemma.isalpha() or _hedged(verb):
            continue
        subjects, patients = _subjects(verb, ents)
        if not subjects:
            continue
        head = " ".join([lemma, *(c.lower_ for c in verb.children if c.dep_ == "prt")])
        objects = [("", k) for k in patients if k[0]] if patients else _objects(verb, ents)
        if not objects and lemma in _RECIPROCAL and len(subjects) > 1:  # "X and Y merged"
            head, objects, subjects = f"{head} with", [("", k) for k in subjects[1:]], subjects[:1]
        allowed = _OBJECT_KINDS.get(lemma)
        for words, obj in objects:
            if allowed is not None and obj[0] not in allowed and not words:
                continue
            predicate = f"{head} {words}".strip()
            for subj in subjects:
                if subj != obj:
                    out.append(Relation(subj, predicate, obj, si))
    return list(dict.fromkeys(out))
