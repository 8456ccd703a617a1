"""Question analysis: what kind of answer is wanted, about which entities, with which cue words.

Pure functions of the question text and an alias table (names -> entities).

>>> from kg import AliasTable
>>> names = AliasTable()
>>> names.add(("person", "Amir Hatami"), {"Hatami"})
>>> names.add(("place", "Iran"), ())
>>> q = analyze("Who is Iran's defence minister?", names)
>>> q.wh, q.expected, [e.label for e in q.entities], q.words
('who', 'person', ['Iran'], ['defense', 'minister'])
>>> analyze("What did he add?", names).cue
'add'
>>> analyze("What does SSM stand for?", names).acronym
'SSM'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg import AliasTable
from kg.extraction import demonym_country, is_role_noun, norm, normalize_date

from ._text import STOPWORDS, content_tokens, tokens

__all__ = ["Question", "LinkedEntity", "analyze", "question_date", "SAY_VERBS", "MONTH_NAMES"]

#: Reporting verbs a "what did X say" question may use (lemma forms, as stored in ``kgqa:cue``).
SAY_VERBS = {
    "say": "say", "said": "say", "says": "say", "add": "add", "added": "add", "adds": "add",
    "specify": "specify", "specified": "specify", "warn": "warn", "warned": "warn", "declare": "declare",
    "declared": "declare", "insist": "insist", "insisted": "insist", "argue": "argue", "argued": "argue",
    "claim": "claim", "claimed": "claim", "stress": "stress", "stressed": "stress", "announce": "announce",
    "announced": "announce", "tell": "tell", "told": "tell", "state": "state", "stated": "state",
    "suggest": "suggest", "suggested": "suggest", "quote": "quote", "quoted": "quote", "according": "according to",
    "call": "call", "called": "call", "comment": "comment", "write": "write", "wrote": "write",
    # A prediction or a belief is something someone said too ("what did the reader predict about Iran").
    "predict": "predict", "predicted": "predict", "predicts": "predict", "forecast": "forecast",
    "forecasts": "forecast", "expect": "expect", "expects": "expect", "expected": "expect", "believe": "believe",
    "believes": "believe", "believed": "believe", "think": "think", "thinks": "think", "thought": "think",
    # Reporting verbs that carry a judgement: "who described X as long overdue", "which singer grumbled".
    "describe": "describe", "described": "describe", "describes": "describe", "admit": "admit",
    "admitted": "admit", "admits": "admit", "reveal": "reveal", "revealed": "reveal", "deny": "deny",
    "denied": "deny", "urge": "urge", "urged": "urge", "complain": "complain", "complained": "complain",
    "grumble": "grumble", "grumbled": "grumble", "dismiss": "dismiss", "dismissed": "dismiss",
    "criticise": "criticise", "criticised": "criticise", "criticize": "criticise", "criticized": "criticise",
    "praise": "praise", "praised": "praise", "accuse": "accuse", "accused": "accuse", "concede": "concede",
    "conceded": "concede", "explain": "explain", "explained": "explain", "admitting": "admit",
}

#: Words a question uses that no answer sentence needs to contain.
LIGHT_WORDS = frozenset("""located locate happen happened happens exactly eventually actually currently really article
articles story report piece text mention mentioned mentions kind sort thing things""".split())

#: Verbs whose subject a "who ...?" question asks for as the speaker.
SPEAKER_VERBS = frozenset({"say", "add", "specify", "warn", "declare", "insist", "argue", "claim", "stress", "announce",
                           "tell", "state", "suggest", "according to", "describe", "admit", "reveal", "deny", "urge",
                           "complain", "grumble", "dismiss", "criticise", "praise", "accuse", "concede", "explain",
                           "predict", "expect", "believe", "think"})
#: "was said to be negotiating" reports hearsay: it asks for what happened, not for anyone's words.
_HEARSAY = re.compile(r"\b(?:is|are|was|were|been)\s+(?:said|reported|thought|believed)\s+to\b")
_AUX = frozenset("is are was were do does did has have had will would can could should may might".split())

_TYPE_NOUNS = {
    "person": "person people man woman official officials leader leaders minister ministers figure figures "
              "commander general president chief spokesman spokeswoman analyst author writer journalist",
    "organization": "organization organisation organizations company companies firm firms group groups "
                    "newspaper newspapers publication publications agency agencies party parties force forces "
                    "militia militias media outlet outlets network band club team",
    "place": "country countries city cities town towns place places region regions state states province "
             "provinces governorate area areas capital nation nations village",
    "date": "year years date day days month months time",
    # An amount asked for by its name: "what share of Sunderland did he own", "what salary will he earn".
    "number": "number share percentage proportion stake amount sum price cost fee salary total rate profit "
              "profits revenue turnover attendance crowd score odds",
}
_NOUN_TYPE = {noun: kind for kind, nouns in _TYPE_NOUNS.items() for noun in nouns.split()}
_POST_WORDS = frozenset({"post", "position", "role", "job", "title", "office"})
_NAMED_KINDS = {"organization": "organization", "place": "place", "person": "person", "group": "organization"}
_PLURAL_NOUNS = {n for n in _NOUN_TYPE if (n.endswith("s") and not n.endswith("ss")) or n in {"people", "media"}}


@dataclass(frozen=True)
class LinkedEntity:
    kind: str  # person, organization, place, group
    label: str
    text: str  # as the question wrote it
    start: int  # token offsets in the question
    end: int


@dataclass
class Question:
    text: str
    wh: str  # who, what, when, where, which, why, how, how many, how much, how long, yes-no
    expected: str  # person, organization, place, date, number, duration, reason, manner, quote, definition, any
    entities: list[LinkedEntity] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # content words that are not entity names
    cue: str | None = None  # reporting verb lemma ("what did X add")
    acronym: str | None = None  # "what does SSM stand for"
    is_list: bool = False
    speaker_wanted: bool = False  # "who said ..."
    tokens: list[str] = field(default_factory=list)
    section: str | None = None  # "comment" when the question asks about reader comments
    date: str | None = None  # "2018-08": the question is about that year, month or day ("in August 2018")
    date_text: str | None = None  # the date words as the question wrote them
    head: str | None = None  # "hotel" of "which hotel": a noun that set the expected type from the corpus's names

    @property
    def focus(self) -> list[LinkedEntity]:
        return self.entities


_WH = re.compile(
    r"\b(how many|how much|how long|how old|how big|how large|how high|how tall|how far|how fast|how heavy|how|what year|which year|what date|who|whom|whose|what|which|when|"
    r"where|why)\b", re.I,
)


def _wh(text: str) -> str:
    m = _WH.search(text)
    if not m:
        return "yes-no"
    word = m.group(1).lower()
    if word in {"what year", "which year", "what date"}:
        return "when"
    if word in {"how old", "how big", "how large", "how high", "how tall", "how far", "how fast", "how heavy"}:
        return "how many"  # a measure: answered by a number
    return {"whom": "who", "whose": "who"}.get(word, word)


def link_entities(text: str, names: AliasTable) -> list[LinkedEntity]:
    """Longest-first n-gram lookup of the question's words in the alias table, plus nationality words."""
    words = re.findall(r"[\w’'.-]+", text)
    words = [w.rstrip(".") if not re.fullmatch(r"(?:[A-Z]\.)+", w) else w for w in words]
    out: list[LinkedEntity] = []
    i = 0
    while i < len(words):
        for n in range(min(6, len(words) - i), 0, -1):
            span = words[i : i + n]
            phrase = " ".join(span)
            country = demonym_country(phrase) if n == 1 else None
            if country:  # "Iranian officials" are about Iran
                hits = [h for h in names.lookup(country) if h[0] == "place"] or [("place", country)]
            elif n == 1 and (phrase.lower() in STOPWORDS or not (phrase[:1].isupper() or phrase.isupper())):
                hits = []
            else:
                name = re.sub(r"['’]s$", "", phrase)
                hits = names.lookup(name) or (
                    names.fuzzy(name) if n > 1 and len(name) >= 8 and all(w[:1].isupper() for w in span) else [])
            if hits:
                # A name shared by several entities: prefer people, then organisations, then places.
                # An entity called exactly this beats one that has it only as a surname ("London" is the city,
                # not Michael London).
                order = {"person": 0, "organization": 1, "place": 2, "group": 3}
                called = norm(re.sub(r"['’]s$", "", phrase))
                kind, label = sorted(hits, key=lambda h: (norm(h[1]) != called, order.get(h[0], 9)))[0]
                # "the ferry" is not the person Ferry: some word past a leading "the" must be written as a name.
                if any(w[:1].isupper() or w[:1].isdigit() for w in span[1 if span[0].lower() == "the" else 0:]):
                    out.append(LinkedEntity(kind, label, phrase, i, i + n))
                    i += n
                    break
        else:
            i += 1
    return out


_MONTH_WORDS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_QUESTION_DATE = re.compile(
    rf"\b(?:in|on|during|since|by|from|of)\s+((?:{_MONTH_WORDS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})|"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_WORDS},?\s+\d{{4}})|(?:{_MONTH_WORDS}\s+\d{{4}})|"
    rf"(?:{_MONTH_WORDS}\s+\d{{1,2}}(?:st|nd|rd|th)?)|(?:1[89]\d\d|20\d\d))\b", re.I)
MONTH_NAMES = frozenset("january february march april may june july august september october november december".split())


def question_date(text: str) -> tuple[str | None, str | None]:
    """The date a question restricts itself to, as an ISO prefix, and its words.

    >>> question_date("What happened in August 2018?")
    ('2018-08', 'August 2018')
    >>> question_date("What did Lavrov warn on Aug. 29?")
    ('--08-29', 'Aug. 29')
    >>> question_date("Who is Iran's defence minister?")
    (None, None)
    """
    m = _QUESTION_DATE.search(text)
    if not m:
        return None, None
    phrase = m.group(1)
    value = normalize_date(phrase, None)
    if value is None:  # a day without a year: month and day, to match any year
        day_month = normalize_date(phrase + ", 2000", None)
        value = "--" + day_month[5:] if day_month and len(day_month) == 10 else None
    return value, phrase if value else None


def _head_noun(following: list[str], phrase: list[str]) -> str | None:
    """The noun a "which ..." phrase is about: its role noun, else its last word when an auxiliary ends it.

    >>> _head_noun(["tory", "mp", "chairs", "the"], ["tory", "mp", "chairs", "the"])
    'mp'
    >>> _head_noun(["new", "york", "hotel"], ["new", "york", "hotel", "was"])
    'hotel'
    >>> _head_noun(["company", "developed", "the", "online"], ["company", "developed", "the", "online"])
    """
    role = next((w for w in following if is_role_noun(w)), None)
    if role is not None:
        return role
    return following[-1] if following and len(following) < len(phrase) else None


def analyze(text: str, names: AliasTable) -> Question:
    """The question's wh-word, expected answer type, linked entities and cues."""
    text = " ".join(text.split())
    wh = _wh(text)
    lower = text.lower()
    entities = link_entities(text, names)
    entity_words = {t for e in entities for t in tokens(e.text)}
    all_tokens = tokens(text)
    words = [t for t in content_tokens(text) if t not in entity_words]
    q = Question(text=text, wh=wh, expected="any", entities=entities, tokens=all_tokens)
    q.date, q.date_text = question_date(text)
    if q.date_text:  # the date is a constraint on the sentence, not words it must contain
        date_words = set(tokens(q.date_text))
        words = [w for w in words if w not in date_words]

    m = re.search(r"\b(?i:what (?:does|do|did) (?:the )?)([A-Z][A-Za-z0-9&.]{1,9}) stand for\b", text) or re.search(
        r"\b(?i:what (?:is|are|was) (?:the )?)([A-Z][A-Z0-9&.]{1,9})\s*\??$", text)
    if m:
        q.acronym = m.group(1).replace(".", "")
        q.expected = "definition"
    # "state-owned" is one word, not the verb "state"; hearsay is not a cue.
    for word in re.findall(r"[a-z]+(?:-[a-z]+)*", _HEARSAY.sub(" ", lower)):
        if word in SAY_VERBS:
            q.cue = SAY_VERBS[word]
            break
    q.speaker_wanted = wh == "who" and q.cue in SPEAKER_VERBS
    if wh in {"who"}:
        q.expected = "person"
    elif wh == "when":
        q.expected = "date"
    elif wh == "where":
        q.expected = "place"
    elif wh in {"how many", "how much"}:
        q.expected = "number"
    elif wh == "how long":
        q.expected = "duration"
    elif wh == "why":
        q.expected = "reason"
    elif wh == "how":
        q.expected = "manner"
    elif wh in {"what", "which"} and q.acronym is None:
        after = re.search(r"\b(?:what|which)\s+((?:[a-z-]+\s+){0,4}[a-z-]+)", lower)
        following = []
        for w in after.group(1).split() if after else []:
            if w in _AUX:
                break
            following.append(w)
        noun = next((w for w in following if w in _NOUN_TYPE), following[0] if following else "")
        of = re.search(r"\b(?:what|which) (?:is|was|are|were) the ([a-z]+) of\b", lower)  # "what is the date of"
        if of and of.group(1) in _NOUN_TYPE:
            noun = of.group(1)
        words = [w for w in words if w != noun or noun not in _NOUN_TYPE]  # "hospital" must be in the answer
        said = q.cue is not None and any(SAY_VERBS.get(w) == q.cue for w in following[1:])
        if said and _NOUN_TYPE.get(noun, "person") == "person":
            # "Which retail consultant said ...", "which Jefferies analyst warned ...": the speaker is asked for.
            q.expected, q.speaker_wanted = "person", q.cue in SPEAKER_VERBS
        elif noun in _NOUN_TYPE:
            q.expected = _NOUN_TYPE[noun]
            q.is_list = noun in _PLURAL_NOUNS or bool(re.search(r"\b(?:two|three|four)\b", lower))
        elif q.cue is None and (head := _head_noun(following, after.group(1).split() if after else [])) \
                and head not in _POST_WORDS | LIGHT_WORDS:
            # "Which Vodafone executive": a role is held by a person. "Which hotel", "which TV channel": what
            # the corpus's names holding the word are ("Waldorf Astoria Hotel", "Channel 4").
            if is_role_noun(head):
                q.expected = "person"
            else:
                q.head = head  # the answer is what the sentence calls a hotel: "the hotel, the Waldorf Astoria"
                kind = names.kind_named_by(head)
                if kind in _NAMED_KINDS:
                    q.expected = _NAMED_KINDS[kind]
        elif q.cue is not None:
            q.expected = "quote"
        elif re.search(r"\b(?:post|position|role|job|title)\b", lower):
            q.expected = "post"
    if re.search(r"\bwho\s+(?:are|were)\b", lower):
        q.is_list = True
    if q.expected == "person" and re.match(r"(?i:who (?:is|was)) [A-Z]", text) and not words:
        q.expected = "post"  # "Who was Aziz Asber?" asks what he is
    if re.search(r"\b(?:comment|comments|commenter|commenters|reader|readers)\b", lower):
        q.section = "comment"
        words = [w for w in words if w not in {"comment", "comments", "commenter", "commenters", "reader", "readers"}]
    words = [w for w in words if w not in LIGHT_WORDS]
    if wh.startswith("how "):
        words = [w for w in words if w != wh.split()[1]]
    q.words = [w for w in words if w not in {"stand", "post", "role", "hold", "holds"} or q.expected not in {"post", "definition"}]
    return q
