"""One canonical form per post title, kept beside the title as the article writes it.

"Premier", "prime minister" and "PM" name one post; so do "Defense Minister"
and "defence minister", "vice-president" and "Vice President", "chairwoman"
and "chair". The canonical form is lower case, British spelling, hyphens as
spaces, and one word for each of these synonyms; it is what posts are keyed
and compared by (``kgqa:canonicalTitle``), while ``kgqa:title`` keeps the
article's words.

>>> canonical_title("Defense Minister")
'defence minister'
>>> canonical_title("Premier"), canonical_title("PM"), canonical_title("Prime Minister")
('prime minister', 'prime minister', 'prime minister')
>>> canonical_title("Vice-President"), canonical_title("chief exec"), canonical_title("CEO")
('vice president', 'chief executive', 'chief executive')
>>> canonical_title("chairwoman"), canonical_title("Labor leader")
('chair', 'labour leader')
>>> canonical_title("Tory leader"), canonical_title("Lib Dem spokesman"), canonical_title("CFO")
('conservative leader', 'liberal democrat spokesperson', 'chief financial officer')
>>> canonical_title("Secretary of State"), canonical_title("Director-General")
('secretary of state', 'director general')
>>> canonical_title("minister for science"), canonical_title("Minister for Defence Procurement")
('science minister', 'defence procurement minister')
"""

from __future__ import annotations

import re

__all__ = ["canonical_title"]

#: American spellings of words seen in titles -> British (the corpus and most users are British).
_SPELLING = {
    "defense": "defence", "labor": "labour", "organization": "organisation", "center": "centre",
    "program": "programme", "honor": "honour", "councilor": "councillor", "theater": "theatre",
    "catalog": "catalogue",
}
#: Word runs that name the same role -> the one kept (longest runs first when matching).
_SYNONYMS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("premier",): ("prime", "minister"),
    ("pm",): ("prime", "minister"),
    ("ceo",): ("chief", "executive"),
    ("chief", "exec"): ("chief", "executive"),
    ("chief", "executive", "officer"): ("chief", "executive"),
    ("chairman",): ("chair",),
    ("chairwoman",): ("chair",),
    ("chairperson",): ("chair",),
    ("spokeswoman",): ("spokesperson",),
    ("spokesman",): ("spokesperson",),
    ("md",): ("managing", "director"),
    ("cfo",): ("chief", "financial", "officer"),
    ("chief", "finance", "officer"): ("chief", "financial", "officer"),
    ("coo",): ("chief", "operating", "officer"),
    ("cto",): ("chief", "technology", "officer"),
    ("tory",): ("conservative",),
    ("lib", "dem"): ("liberal", "democrat"),
    ("libdem",): ("liberal", "democrat"),
}
_LONGEST = max(len(k) for k in _SYNONYMS)
#: Role nouns whose "for <field>" is the same post as "<field> <role>": "minister for science" is the science
#: minister ("of" is kept: "Secretary of State" is no "state secretary").
_FIELD_ROLES = frozenset({"minister", "secretary", "spokesperson", "commissioner"})
#: At most this many words name the field ("defence procurement"); a longer "for" phrase is kept as written.
_FIELD_WORDS = 3
_SEPARATORS = re.compile(r"[\s\-–]+")


def canonical_title(title: str) -> str:
    """The canonical form of a post title (see the module's docstring)."""
    words = [_SPELLING.get(w, w) for w in _SEPARATORS.split(title.strip().lower().replace(".", "")) if w]
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            same = _SYNONYMS.get(tuple(words[i : i + n]))
            if same is not None:
                out.extend(same)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    if out.count("for") == 1:  # "minister for science" -> "science minister"
        k = out.index("for")
        if k >= 1 and out[k - 1] in _FIELD_ROLES and 1 <= len(out) - k - 1 <= _FIELD_WORDS:
            out = out[: k - 1] + out[k + 1 :] + [out[k - 1]]
    return " ".join(out)
