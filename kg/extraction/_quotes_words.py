"""The words and syntax behind attributed statements (see :mod:`._statements`): cue and speaker word lists,
what a noun phrase says its referent is, and where a parenthetical or trailing attribution sits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._lexicon import DEMONYMS, is_role_noun
from ._quotes_text import bare

if TYPE_CHECKING:  # spaCy is imported when a pipeline loads, not with kg
    from spacy.tokens import Doc, Token

Key = tuple[str, str]
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
_RELATIVE = frozenset({"who", "that", "which"})
_OPEN_QUOTES = ("“", '"', "‘", "'")
#: Heads of a description that means an organisation named before ("the firm said").
_ORG_NOUNS = frozenset("""company firm group organisation organization bank club agency party union
body board airline carmaker retailer network broadcaster team side association council ministry department
commission authority regulator watchdog charity business corporation maker manufacturer giant operator
employer""".split())
#: Organisations a description means without naming one before: "the government said".
_INSTITUTIONS = frozenset("""government authorities administration police army military opposition state court
tribunal committee panel jury industry""".split())
#: Cues that things do too ("the box warns you", "figures suggest"): a thing is then no speaker.
_THING_VERBS = frozenset("warn suggest indicate signal show promise threaten call describe tell reveal note".split())
#: Heads of a description that means a person named before ("the Oscar winner said"), besides role nouns.
_PERSON_NOUNS = frozenset("""winner champion holder star player singer actor actress director man woman veteran
striker midfielder defender keeper captain coach manager boss athlete sprinter runner golfer boxer batsman bowler
winger forward international cyclist swimmer skater jockey driver rider musician rapper guitarist drummer comedian
novelist cardinal priest vicar pope""".split())
_DEMONYM_NOUNS = frozenset(word.lower() for word in DEMONYMS)
#: Cues besides the shared reporting verbs; phrasal ones need their particle.
_MORE_VERBS = frozenset("allege indicate signal".split())
#: Verbs that attribute a statement only to their agent: "criticised by Reporters Without Borders".
_AGENT_VERBS = frozenset("criticise criticize condemn".split())
#: Verbs that attribute only a direct quotation: '"Who can forget it?" asked the magazine.'
_QUOTE_VERBS = frozenset("ask conclude joke quip recall continue".split())
_PHRASAL = {"point": "out", "play": "down"}
#: Verbs that report a statement only when they answer one: "dismissed claims", "rejected suggestions".
_ANSWER_VERBS = frozenset("dismiss reject rubbish deny".split())
_SPEECH_NOUNS = frozenset("""claim report suggestion allegation speculation criticism fear rumour rumor idea
accusation charge call demand suggestion talk""".split())
#: Verbs whose infinitive complement is what was said: "vowed to put Africa first".
_COMMISSIVE = frozenset("vow promise pledge threaten urge tell warn".split())
#: Verbs that report only a clause or a quotation ("added that ...", "wrote: ..."), not an object.
_NEEDS_CLAUSE = frozenset("add write report note explain reveal announce state".split())
#: "X is said to ...": what unnamed sources say.
_PASSIVE_REPORTS = frozenset("say report understand rumour".split())
#: Things that speak for whoever wrote or carries them: "a note that said".
_WRITINGS = frozenset("note letter statement message email e-mail sign banner placard card memo website blog".split())
#: Things that can be the source of a statement ("a report says"); other things cannot ("the box warns you").
_SOURCES = _WRITINGS | frozenset("""report study survey research poll paper document lawsuit suit analysis review
book newspaper magazine journal site data figures statistics inquiry ruling judgement judgment verdict
survey index release programme program documentary film interview source speculation rumour rumor""".split())
_UNNAMED = "unnamed source"


@dataclass(frozen=True)
class _Ref:
    """Someone a sentence mentions: an entity (``key``) or a description of one, with its kind."""

    kind: str  # person, organization, place, group, plural, thing
    key: Key | None
    text: str
    org: Key | None = None  # an organisation the description names ("Rosneft officials")


def _speaker_in(tokens: list[Token], ents: dict[int, Key], head: Token) -> Key | None:
    """The entity a noun phrase names: its head's entity, else the last person in it."""
    people = [ents[t.i] for t in tokens if ents.get(t.i, ("",))[0] == "person"]
    if head.i in ents and not people:
        return ents[head.i]
    return people[-1] if people else None


def _depth(t: Token) -> int:
    return sum(1 for _ in t.ancestors)


def _phrase(subject: Token) -> list[Token]:
    """The subject's words up to a relative clause: "The firm, whose unit ..." -> "The firm"."""
    tokens = list(subject.subtree)
    cut = min((c.left_edge.i for c in subject.children if c.dep_ in {"relcl", "acl"} and c.i > subject.i),
              default=None)
    if cut is not None:
        tokens = [t for t in tokens if t.i < cut]
    while len(tokens) > 1 and tokens[-1].is_punct:
        tokens.pop()
    return tokens or [subject]


def _kind_of(head: Token, key: Key | None = None) -> str:
    """What a noun phrase's head says its referent is; an entity's kind, except that a "group" named by one
    singular proper noun is taken for the person it most likely is ("Campese ... he")."""
    if key is not None:
        return "person" if key[0] == "group" and head.tag_ == "NNP" else key[0]
    lemma = head.lemma_.lower()
    if lemma in _ORG_NOUNS or lemma in _INSTITUTIONS or head.lower_ in _INSTITUTIONS:
        return "organization"
    if is_role_noun(lemma) or lemma in _PERSON_NOUNS or head.lower_ in _DEMONYM_NOUNS:
        return "person"
    if head.tag_ in {"NNS", "NNPS"}:
        return "plural"
    return "thing"


_FITS = {
    "he": frozenset({"person"}), "she": frozenset({"person"}),
    "it": frozenset({"organization"}), "they": frozenset({"plural", "group", "organization"}),
}


_SKIP: Key = ("", "")


def _around(doc: Doc, verb: Token) -> str | None:
    """What a parenthetical attribution ("X, he said, Y"; "X, said Y.") reports: the sentence around it,
    when commas set the attribution apart and at least three words are left."""
    left, right = verb.left_edge.i, verb.right_edge.i
    while left < verb.i and doc[left].is_punct:
        left += 1
    while right > verb.i and doc[right].is_punct:
        right -= 1
    before = doc[left - 1].text if left > 0 else ""
    after = doc[right + 1].text if right + 1 < len(doc) else ""
    if before != "," and after != ",":
        return None
    if before != "," and left > 0:
        return None
    words = [t for t in doc if (t.i < left or t.i > right) and not t.is_punct]
    if len(words) < 3:
        return None
    runs = [bare(doc[:left].text), bare(doc[right + 1 :].text)]
    return " ".join(r for r in runs if r) or None
_NP_POS = frozenset({"PROPN", "NOUN", "ADJ", "DET", "NUM", "PART"})


def _np_before(doc: Doc, i: int) -> tuple[Token, str] | None:
    """The noun phrase that ends right before token ``i`` (auxiliaries and adverbs skipped) and starts after a
    comma or "and": its head and that word; ``None`` when the words before are no such phrase."""
    end = i - 1
    while end >= 0 and doc[end].pos_ in {"ADV", "AUX", "PART"} and doc[end].tag_ != "POS":
        end -= 1
    if end < 0 or doc[end].pos_ not in {"PROPN", "NOUN"}:
        return None
    start = end
    while start > 0 and (doc[start - 1].pos_ in _NP_POS or doc[start - 1].lower_ in {"of", "for"}):
        start -= 1
    if start == 0 or doc[start - 1].lower_ not in {",", "and"}:
        return None
    phrase = range(start, end + 1)
    heads = [doc[j] for j in phrase if doc[j].head.i not in phrase or doc[j].head.i == j]
    nouns = [h for h in heads if h.pos_ in {"PROPN", "NOUN"}]
    return (nouns[0] if nouns else doc[end]), doc[start - 1].lower_  # a sentinel: the cue's subject is no speaker
