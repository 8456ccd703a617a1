"""Follow-up questions that lean on the previous turn: "What did he say?" after "Who is Iran's Defense Minister?".

A third-person pronoun in a question that names no one is replaced by the
entity the conversation was last about: the previous answer if it names one
(the Defense Minister's name), otherwise the previous question's focus. He,
she and his/her want a person; it/its an organisation or place; they/them/their
any of these. Pure functions of the text and an alias table.

>>> from kg import AliasTable
>>> names = AliasTable()
>>> names.add(("person", "Amir Hatami"), ["Hatami"])
>>> names.add(("place", "Iran"))
>>> resolve_followup("What did he say?", [Turn("Who is Iran's Defense Minister?", "Amir Hatami")], names)
'What did Amir Hatami say?'
>>> resolve_followup("When was his appointment?", [Turn("Who is Iran's Defense Minister?", "Amir Hatami")], names)
"When was Amir Hatami's appointment?"
>>> resolve_followup("What did Hatami say?", [Turn("Who is Iran's Defense Minister?", "Amir Hatami")], names)
'What did Hatami say?'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg import AliasTable

from ._text import tokens
from .question import LinkedEntity, link_entities

__all__ = ["Turn", "resolve_followup", "MAX_TURNS", "MAX_TURN_CHARS"]

_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers|it|its|they|them|their|theirs)\b", re.I)
_KINDS = {
    "he": ("person",), "she": ("person",), "him": ("person",), "his": ("person",), "her": ("person",),
    "hers": ("person",),
    "it": ("organization", "place", "group"), "its": ("organization", "place", "group"),
    "they": ("person", "organization", "group", "place"), "them": ("person", "organization", "group", "place"),
    "their": ("person", "organization", "group", "place"), "theirs": ("person", "organization", "group", "place"),
}
_POSSESSIVE = {"his", "its", "their", "hers", "theirs"}
# After "her", these words mean it is the object ("asked her about"), not a possessive ("her post").
_NOT_A_NOUN = frozenset(
    "about after at before by for from in into of on over than that to with without and or but".split())
# "it" as a dummy subject ("Is it true that ...", "What does it mean ...") names nothing.
_DUMMY_IT = re.compile(r"\b(?:is|was|does|did|do)\s+it\s+(?:true|mean|stand|say that|matter)\b", re.I)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: what was asked and what was answered."""

    question: str
    answer: str = ""


#: Earlier turns a pronoun may point back to (the chat keeps five; "he" never means someone six turns ago).
MAX_TURNS = 5
#: Characters of each earlier question and answer searched for names. kgqa's answers are a sentence or two,
#: but an API client may send 20 turns of 20,000 characters: unbounded, that cost 5.7 s of CPU a request.
MAX_TURN_CHARS = 2_000


#: A person's name as a question writes it: two or more capitalised words ("Thomas J Irwin", "Jane Smith").
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:[A-Z]\.?|[A-Z][a-z]+))+\b")


def _unknown_names(text: str, linked: Sequence[LinkedEntity]) -> list[LinkedEntity]:
    """Names in ``text`` that no stored article mentions (nothing links them), as person entities.

    A follow-up's "he" after "Who is Thomas J Irwin?" means Thomas J Irwin even when no article names him:
    resolving it to someone of an older turn would answer about the wrong person.
    """
    known = {w for e in linked for w in tokens(e.text) + tokens(e.label)}
    return [LinkedEntity("person", m.group(0), m.group(0), 0, 0) for m in _NAME_RUN.finditer(text)
            if not set(tokens(m.group(0))) & known]


def _candidates(history: Sequence[Turn], names: AliasTable) -> list[LinkedEntity]:
    """Entities the conversation was about, most recent first: each answer before its question."""
    out: list[LinkedEntity] = []
    for turn in reversed(history[-MAX_TURNS:]):
        question = turn.question[:MAX_TURN_CHARS]
        linked = link_entities(question, names)
        out += link_entities(turn.answer[:MAX_TURN_CHARS], names) + linked + _unknown_names(question, linked)
    return out


def resolve_followup(question: str, history: Sequence[Turn], names: AliasTable) -> str:
    """The question with its pronouns replaced by who they refer to; unchanged when there is nothing to resolve."""
    if not history or link_entities(question, names) or _DUMMY_IT.search(question):
        return question
    candidates = _candidates(history, names)
    if not candidates:
        return question

    def replace(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        wanted = _KINDS[word]
        entity = next((e for e in candidates if e.kind in wanted), None)
        if entity is None:
            return m.group(0)
        possessive = word in _POSSESSIVE
        if word == "her":
            following = re.match(r"\s+([A-Za-z]+)", question[m.end():])
            possessive = bool(following) and following.group(1).lower() not in _NOT_A_NOUN
        name = entity.label
        return name + "'s" if possessive else name

    return _PRONOUN.sub(replace, question)
