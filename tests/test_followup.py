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


def test_history_is_bounded_before_resolution(names: AliasTable, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22 item 9: 20 turns of 20,000 characters were all searched for names (5.7 s of CPU a request);
    now only the last MAX_TURNS turns, MAX_TURN_CHARS of each, are read, and the newest name still wins."""
    import retrieval.followup as followup

    read: list[int] = []
    original = followup.link_entities

    def counting(text: str, table: AliasTable):  # type: ignore[no-untyped-def]
        read.append(len(text))
        return original(text, table)

    monkeypatch.setattr(followup, "link_entities", counting)
    padding = "word " * 4_000  # 20,000 characters
    history = [Turn(padding, padding) for _ in range(19)] + [Turn("Who is Alinejad?", "Masih Alinejad " + padding)]
    assert resolve_followup("What did she write?", history, names) == "What did Masih Alinejad write?"
    question_chars = len("What did she write?")
    bound = 2 * getattr(followup, "MAX_TURNS", 5) * getattr(followup, "MAX_TURN_CHARS", 2_000)
    assert sum(read) <= question_chars + bound, sum(read)


def test_a_pronoun_after_a_question_about_someone_unknown_stays_with_that_person(names: AliasTable) -> None:
    """Issue 23 item 6: after "Who is Thomas J Irwin?" (no article names him) abstained, "What did he say?" was
    resolved to a person of an older turn. It now means Thomas J Irwin, whom the answerer then says it cannot
    find, instead of answering about someone else."""
    history = [MINISTER, Turn("Who is Thomas J Irwin?", "")]
    assert resolve_followup("What did he say?", history, names) == "What did Thomas J Irwin say?"
    # A name the articles know is still taken from the answer first.
    assert resolve_followup("What did he say?", [Turn("Who is Iran's Defense Minister?", "Amir Hatami")],
                            names) == "What did Amir Hatami say?"
