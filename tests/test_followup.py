"""Follow-up questions: pronouns resolved from the previous turn, and left alone when nothing fits."""

from __future__ import annotations

import pytest

from kg import AliasTable
from retrieval import Turn, resolve_followup


@pytest.fixture
def names() -> AliasTable:
    table = AliasTable()
    table.add(("person", "Amir Hatami"), ["Hatami"])
    table.add(("person", "Masih Alinejad"), ["Alinejad"])
    table.add(("organization", "Islamic Revolutionary Guard Corps"), ["IRGC"])
    table.add(("place", "Iran"))
    return table


MINISTER = Turn("Who is Iran's Defense Minister?", "Amir Hatami")


@pytest.mark.parametrize(("question", "history", "expected"), [
    ("What did he say?", [MINISTER], "What did Amir Hatami say?"),
    ("What is his title?", [MINISTER], "What is Amir Hatami's title?"),
    ("Who appointed him?", [MINISTER], "Who appointed Amir Hatami?"),
    # The answer names no one: the question's own focus is used.
    ("What did she write?", [Turn("What did Alinejad specify?", "that the talks failed")],
     "What did Masih Alinejad write?"),
    # "it" skips the people of the later turn for the organisation of the earlier one.
    ("When was it founded?", [Turn("What does IRGC stand for?", "Islamic Revolutionary Guard Corps"),
                              Turn("Who said the talks failed?", "Masih Alinejad")],
     "When was Islamic Revolutionary Guard Corps founded?"),
    ("When was its founding?", [Turn("What does IRGC stand for?", "Islamic Revolutionary Guard Corps")],
     "When was Islamic Revolutionary Guard Corps's founding?"),
    ("Who asked her about it?", [Turn("Who is Alinejad?", "Masih Alinejad")], "Who asked Masih Alinejad about it?"),
    ("What is her post?", [Turn("Who is Alinejad?", "Masih Alinejad")], "What is Masih Alinejad's post?"),
])
def test_pronouns_take_the_last_fitting_entity(names: AliasTable, question: str, history: list[Turn],
                                               expected: str) -> None:
    assert resolve_followup(question, history, names) == expected


@pytest.mark.parametrize(("question", "history"), [
    ("What did he say?", []),  # nothing to lean on
    ("What did Hatami say?", [MINISTER]),  # names someone already
    ("Is it true that the deal was signed?", [MINISTER]),  # a dummy "it"
    ("What did he say?", [Turn("When was the deal signed?", "Aug. 27, 2018")]),  # no person in the last turn
])
def test_questions_without_a_fitting_antecedent_stay_as_they_are(names: AliasTable, question: str,
                                                                  history: list[Turn]) -> None:
    assert resolve_followup(question, history, names) == question
