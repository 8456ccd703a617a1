"""Posts (#24 item 2): who holds which post, with a canonical title and the post's organisation or country."""

from __future__ import annotations

import pytest

from kg.evaluation import evaluate_facts
from kg.extraction import Extractor, canonical_title

from .conftest import ROOT

GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm")


def _posts(extractor: Extractor, body: str) -> list[tuple[str, str, str | None]]:
    from kg.model import Article
    from kg.rdf import article_sentences

    article = Article(id="t", text="Headline\n\n" + body)
    x = extractor.extract([(article, list(article_sentences(article)))])[0]
    return [(p.holder[1], p.title, p.org[1] if p.org else None) for p in x.posts]


def _titles(posts: list[tuple[str, str, str | None]], holder: str) -> set[str]:
    return {title.lower() for h, title, _ in posts if h == holder}


@pytest.mark.parametrize("body, holder", [
    ("Tony Blair spoke in Accra. Mr Blair's spokesman said the talks had gone well.", "Tony Blair"),
    ("Tony Blair spoke in Accra. His spokesman said the talks had gone well.", "Tony Blair"),
    ("Prime Minister Tony Blair visited Ghana. A spokesman for Mr Blair said the talks went well.", "Tony Blair"),
])
def test_a_speaker_never_holds_the_post_of_whoever_speaks_for_him(extractor: Extractor, body: str,
                                                                  holder: str) -> None:
    assert not any("spokes" in t for t in _titles(_posts(extractor, body), holder))


def test_the_organisation_before_a_title_owns_the_post(extractor: Extractor) -> None:
    posts = _posts(extractor, "Microsoft chairman Bill Gates said the company would fight the ruling.")
    assert ("Bill Gates", "chairman", "Microsoft") in posts


def test_conjoined_appositions_give_each_post_its_own_organisation(extractor: Extractor) -> None:
    posts = _posts(extractor, "\"Consumers want fewer cables,\" Jeff Ravencraft, technology strategist at Intel "
                              "and chairman of the Wireless USB Promoter Group, told reporters.")
    assert ("Jeff Ravencraft", "technology strategist", "Intel") in posts
    assert ("Jeff Ravencraft", "chairman", "Wireless USB Promoter Group") in posts


def test_a_post_coordinated_with_another_persons_is_not_theirs(extractor: Extractor) -> None:
    posts = _posts(extractor, "Both the prime minister and Chancellor Gordon Brown have called for urgent action.")
    assert _titles(posts, "Gordon Brown") == {"chancellor"}


def test_a_post_after_as_goes_to_the_person_the_pronoun_stands_for(extractor: Extractor) -> None:
    posts = _posts(extractor, "George W Bush will display a more consensual approach to world politics as he "
                              "begins his second term as US President, Tony Blair has said.")
    assert ("George W Bush", "US President".split()[-1], "US") in posts
    assert not _titles(posts, "Tony Blair")


def test_a_pronoun_with_another_person_named_between_is_left_alone(extractor: Extractor) -> None:
    posts = _posts(extractor, "Jack Cunningham accused Lord Butler of basing his comments on the first months "
                              "of the government, when he was cabinet secretary.")
    assert not _titles(posts, "Jack Cunningham")


@pytest.mark.parametrize("body, holder, title", [
    ("A museum dedicated to the late legendary singer Ray Charles is to open.", "Ray Charles", "singer"),
    ("The award went to Oscar-winning director Steven Soderbergh on Monday.", "Steven Soderbergh", "director"),
    ("In answer to a question from 22-year-old Liverpool student David Dunne, Mr Blair said talking was the "
     "answer.", "David Dunne", "student"),
    ("Echoing the new US Secretary of State Condoleezza Rice, the minister said policy had changed.",
     "Condoleezza Rice", "Secretary of State"),
    ("President Bush's advisers have repeatedly denied global warming is taking place.", "Bush", "President"),
    ("Officials said influential senator John McCain recently visited London.", "John McCain", "senator"),
])
def test_a_title_is_the_post_not_the_praise_or_the_age_around_it(extractor: Extractor, body: str, holder: str,
                                                                 title: str) -> None:
    assert _titles(_posts(extractor, body), holder) == {title.lower()}


@pytest.mark.parametrize("body, holder", [
    ("Diana Rigg was best actress for Suddenly Last Summer.", "Diana Rigg"),
    ("\"Steven Gerrard is a key player for us,\" said the manager.", "Steven Gerrard"),
    ("The play earned a prize for Hollywood star Richard Gere.", "Richard Gere"),
])
def test_awards_praise_and_fame_are_not_posts(extractor: Extractor, body: str, holder: str) -> None:
    assert not _titles(_posts(extractor, body), holder)


def test_a_misparsed_apposition_still_names_the_holder(extractor: Extractor) -> None:
    posts = _posts(extractor, "They accused Mr Sigarchi of a string of crimes, including espionage, insulting the "
                              "founder of Iran's Islamic Republic, Ayatollah Ruhollah Khomenei, and current Supreme "
                              "Leader Ayatollah Ali Khamenei.")
    # (the parser makes the name the verb's second object, not the apposition it is)
    assert any(h.endswith("Ruhollah Khomenei") and t == "founder" and org == "Iran" for h, t, org in posts)


def test_one_canonical_title_however_it_is_spelled() -> None:
    assert len({canonical_title(t) for t in ("Premier", "prime minister", "PM", "Prime Minister")}) == 1
    assert canonical_title("Defense Secretary") == canonical_title("defence secretary") == "defence secretary"
    assert canonical_title("Tory leader") == canonical_title("Conservative leader")
    assert canonical_title("chief executive") != canonical_title("chief economist")


def test_dev_split_of_the_bbc_gold_holds_its_gains(extractor: Extractor) -> None:
    """Dev split of the 27-article gold (tuned on): P 0.800 R 0.632 before item 2's rules; 0.857 / 0.842 after
    (the rest is entity labels with a name title, 'Ayatollah Ali Khamenei', and an owner only the article gives)."""
    post = evaluate_facts(GOLD / "bbc_more_facts.json", extractor, split="dev").kinds["post"]
    assert post.precision >= 0.85 and post.recall >= 0.8


# --- the organisation from the article (kg/extraction/_post_orgs.py) ---------------------------------------


def _sentence(text: str):  # noqa: ANN202 - a kg.model.Sentence
    from kg.model import Sentence

    return Sentence(0, 0, len(text), text, "body", None, None)


def test_an_untagged_organisation_before_the_title_is_taken_from_the_article() -> None:
    from kg.extraction._post_orgs import fill_orgs
    from kg.extraction._types import Entity, Post

    wales, ruddock = Entity("organization", "Wales"), ("person", "Mike Ruddock")
    post = Post(ruddock, "coach", None, None, 0, "premodifier")
    text = "Wales coach Mike Ruddock told BBC Sport Wales"
    assert fill_orgs([post], [_sentence(text)], {wales.key: wales})[0].org == wales.key
    # Nothing the article names: the post stays without one.
    assert fill_orgs([post], [_sentence("Club coach Mike Ruddock said")], {wales.key: wales})[0].org is None


def test_a_party_taken_into_the_title_becomes_its_organisation() -> None:
    from kg.extraction._post_orgs import fill_orgs
    from kg.extraction._types import Entity, Post

    tories = Entity("group", "Conservatives", {"Conservative", "Tories"})
    post = Post(("person", "Michael Howard"), "Conservative leader", None, None, 0, "premodifier")
    filled = fill_orgs([post], [_sentence("Conservative leader Michael Howard said")], {tories.key: tories})[0]
    assert (filled.title, filled.org) == ("leader", tories.key)


def test_a_possessive_owner_and_a_nationality_are_read_as_organisation_and_country() -> None:
    from kg.extraction._post_orgs import fill_orgs
    from kg.extraction._types import Entity, Post

    labour, iranians = Entity("organization", "Labour Party", {"Labour"}), Entity("group", "Iranians", {"Iranian"})
    post = Post(("person", "Alan Milburn"), "head of elections strategy", None, None, 0, "apposition")
    text = "Alan Milburn, Labour's head of elections strategy, said so"
    assert fill_orgs([post], [_sentence(text)], {labour.key: labour})[0].org == labour.key
    envoy = Post(("person", "Ali Rezaei"), "envoy", None, None, 0, "premodifier")
    assert fill_orgs([envoy], [_sentence("Iranian envoy Ali Rezaei said")],
                     {iranians.key: iranians})[0].org == ("place", "Iran")


# --- issue 24: more post constructions (kg/extraction/_posts.py, _post_phrases.py, _role_refs.py) -------------


@pytest.mark.parametrize("body, holder, title, org", [
    # "general" completes these titles; it is no rank here.
    ("The investigation by New York attorney general Eliot Spitzer has obtained nine guilty pleas.",
     "Eliot Spitzer", "attorney general", "New York"),
    # A day name the chain picked up is no part of the title.
    ("But on Wednesday Prime Minister Yulia Tymoshenko said the government would act.", "Yulia Tymoshenko",
     "Prime Minister", None),
    # The organisation named after the titled name, or after "an economist with".
    ("\"We expect the deficit to widen,\" said economist Marie-Pierre Ripert at IXIS.", "Marie-Pierre Ripert",
     "economist", "IXIS"),
    ("\"It's a sign of strength,\" said Takashi Yamanaka, an economist with UFJ Bank.", "Takashi Yamanaka",
     "economist", "UFJ Bank"),
    # The name after "adviser to" holds only the title after it.
    ("Professor Etzioni was a senior adviser to President Carter's White House.", "Carter", "President", None),
    ("Lord Sainsbury was created a life peer in 1997.", "David Sainsbury", "life peer", None),
    ("Wales centre Sonny Parker and number eight Ryan Jones will miss Saturday's game with Italy.", "Ryan Jones",
     "number eight", None),
    ("Parker has not recovered, and Tom Shanklin is expected to continue at centre.", "Tom Shanklin", "centre",
     None),
    # The parser hangs the name on the organisation, or leaves "of" without its object.
    ("Chief executive of Tesco, Terry Leahy, said sales rose.", "Terry Leahy", "chief executive", "Tesco"),
    ("Terry Leahy - the former chief executive of Tesco - said sales rose.", "Terry Leahy", "chief executive",
     "Tesco"),
])
def test_more_constructions_state_a_post(extractor: Extractor, body: str, holder: str, title: str,
                                         org: str | None) -> None:
    if holder == "David Sainsbury":
        body = "Science minister David Sainsbury spoke. " + body
    posts = [p for p in _posts(extractor, body) if p[0] == holder]
    assert any(t.lower() == title.lower() and (org is None or o == org) for _, t, o in posts), posts


@pytest.mark.parametrize("body, holder", [
    ("Labour's Yvette Cooper said she was a minister and not a secretary.", "Yvette Cooper"),
    ("The producers are Michael Mann and Graham King, with Sandy Climan, Mr Mann's former deputy, left off.",
     "Michael Mann"),
])
def test_a_denied_post_or_someone_elses_is_not_the_holders(extractor: Extractor, body: str, holder: str) -> None:
    titles = _titles(_posts(extractor, body), holder)
    assert "secretary" not in titles and "deputy" not in titles


def test_a_tenure_word_the_tagger_took_into_a_name_is_not_an_organisation(extractor: Extractor) -> None:
    posts = _posts(extractor, "New Home Secretary Charles Clarke vowed the men would remain in prison.")
    assert ("Charles Clarke", "Home Secretary", None) in posts


def test_a_role_phrase_with_an_age_means_the_person_the_article_is_about(extractor: Extractor) -> None:
    posts = _posts(extractor, "Hollywood star Tom Hanks was in London for the premiere. \"It is fun,\" said Hanks. "
                              "The 48-year-old actor crossed a bridge built in the square.")
    assert ("Tom Hanks", "actor", None) in posts


def test_a_role_phrase_someone_else_holds_already_is_left_alone() -> None:
    from kg.extraction._role_refs import role_posts
    from kg.extraction._types import Entity, Post

    parker, henson = Entity("person", "Sonny Parker", {"Parker"}), Entity("person", "Gavin Henson", {"Henson"})
    sentences = [_sentence("Wales centre Sonny Parker is injured, so Gavin Henson plays."),
                 _sentence("The centre was Wales' hero in the win.")]
    known = [Post(parker.key, "centre", None, None, 0, "premodifier")]
    assert role_posts(known, sentences, {parker.key: parker, henson.key: henson}) == []
    # Two people named and no age: nobody in particular.
    assert role_posts([], sentences, {parker.key: parker, henson.key: henson}) == []


def test_a_company_title_takes_the_firm_the_article_is_about() -> None:
    from kg.extraction._post_orgs import fill_orgs
    from kg.extraction._types import Entity, Post

    parmalat, ubs = Entity("organization", "Parmalat"), Entity("organization", "UBS")
    sentences = [_sentence("Parmalat sues UBS."), _sentence("Parmalat was declared insolvent."),
                 _sentence("The firm collapsed and new boss Enrico Bondi has taken legal action against Parmalat "
                           "lenders."),
                 _sentence("Aston's chief executive Ulrich Bez said so.")]
    ents = {parmalat.key: parmalat, ubs.key: ubs}
    boss = Post(("person", "Enrico Bondi"), "boss", None, None, 2, "premodifier")
    assert fill_orgs([boss], sentences, ents)[0].org == parmalat.key
    # A possessive the tagger did not take for an organisation owns the title instead.
    bez = Post(("person", "Ulrich Bez"), "chief executive", None, None, 3, "premodifier")
    assert fill_orgs([bez], sentences, ents)[0].org is None


def test_the_firms_title_belongs_to_the_firm_named_before(extractor: Extractor) -> None:
    posts = _posts(extractor, "Tesco said Michael Smith, the firm's finance director, would leave.")
    assert ("Michael Smith", "finance director", "Tesco") in posts


@pytest.mark.parametrize("body, holder", [
    ("But only 40% think she should become Princess Consort after Prince Charles becomes king.", "Prince Charles"),
    ("The Catholic aid agency Cafod will host Gordon Brown's speech on Wednesday.", "Gordon Brown"),
])
def test_a_future_post_or_a_verb_is_no_post(extractor: Extractor, body: str, holder: str) -> None:
    assert not _titles(_posts(extractor, body), holder)


def test_a_field_after_for_is_the_same_post_as_before() -> None:
    assert canonical_title("minister for science") == canonical_title("Science Minister") == "science minister"
    assert canonical_title("Secretary of State for Defence") == "secretary of state for defence"
