"""Names resolved against earlier articles: which bearer a bare surname, a short form or an acronym means.

A mix-in of :class:`._entities.EntityFinder` (it reads ``self.aliases``, the cross-article
:class:`AliasTable`): the candidates an earlier article named in full, and the support the article's
other entities give each (co-mentions in earlier articles), decide; when nothing supports a choice the name
stays its own entity.
"""

from __future__ import annotations

from collections import Counter

from ._aliases import DOMINANT_LEAST, DOMINANT_SHARE, AliasTable, initials, norm
from ._lexicon import COUNTRY_ALIASES
from ._name_forms import (
    _COUNTRIES, _FIRST_NAME_TITLES, _GROUPS, _KIND, _PEOPLE, _Raw, _abbreviates, _initial, _is_acronym, _peer,
)

__all__ = ["EarlierArticles"]

#: Support (see :meth:`AliasTable.support`) a bearer needs from the article's context to be chosen, from at
#: least this many of its entities ...
SUPPORT_LEAST = 0.4
SUPPORTERS_LEAST = 2
#: ... and by how much it must beat the next bearer's.
SUPPORT_RATIO = 3.0
#: Below this many known context entities, the context is too thin to speak against the dominant bearer.
CONTEXT_LEAST = 3

_PENDING = "pending"
_LABEL_OF = {"organization": "ORG", "place": "GPE", "group": "NORP"}


class EarlierArticles:
    """The choices :class:`._entities.EntityFinder` makes against the alias table of earlier articles."""

    aliases: AliasTable | None

    def _surname_not_place(self, r: _Raw, lasts: dict[str, list[_Raw]]) -> bool:
        """"Blume" tagged a place in an article about Judy Blume: the last name of someone the article names in
        full, and no country, people or place earlier articles know by that name."""
        n = norm(r.text)
        if " " in r.text or n not in lasts or n in COUNTRY_ALIASES or r.text in _COUNTRIES or r.text in _GROUPS \
                or r.text in _PEOPLE:
            return False
        return self.aliases is None or not any(k[0] != "person" for k in self.aliases.lookup(r.text))

    def _retype(self, raws: list[_Raw]) -> None:
        """"Manchester United" tagged a person: a name of several words that earlier articles mostly gave an
        organisation, place or group is one here too."""
        if self.aliases is None:
            return
        decided: dict[str, str | None] = {}
        for r in raws:
            if r.label != "PERSON" or " " not in r.text or _initial(r.text) or r.title:
                continue
            n = norm(r.text)
            if n not in decided:
                by_kind: Counter[str] = Counter()
                for k in self.aliases.lookup(r.text):
                    by_kind[k[0]] += self.aliases.articles(k)
                kind, most = by_kind.most_common(1)[0] if by_kind else ("person", 0)
                decided[n] = _LABEL_OF.get(kind) if most > 2 * by_kind["person"] else None
            if decided[n]:
                r.label = decided[n]

    def _absorb_acronyms(self, raws, keys, short_of) -> None:  # noqa: ANN001
        """An acronym an earlier article minted on its own ("BA") keeps its entity when a later article ties
        it to its long form: the long form's mentions name that entity (when no article named the long form)."""
        if self.aliases is None:
            return
        for short, holder in short_of.items():
            found = keys.get(id(holder))
            if found is None or found[0][0] != "organization":
                continue
            long_key = found[0]
            known = self.aliases.lookup(short)
            if self.aliases.lookup(long_key[1]) or len(known) != 1 or known[0][0] != "organization" \
                    or norm(known[0][1]) != short:
                continue
            for r in raws:
                if id(r) in keys and keys[id(r)][0] == long_key:
                    keys[id(r)] = (known[0], "acronym")

    def _bearer(self, candidates: list[tuple[str, str]], context: set[tuple[str, str]],
                gender: str = "") -> tuple[str, str] | None:
        """The one of ``candidates`` (entities an earlier article named in full) that a bare name means here:
        the one the article's other entities support clearly, else the one most articles name when the
        context does not speak against it; else ``None`` (nothing supports a choice). A candidate an
        honorific gave the other ``gender`` is no candidate."""
        aliases = self.aliases
        assert aliases is not None
        if gender:
            candidates = [c for c in candidates if aliases.gender(c) in {"", gender}]
            if not candidates:
                return None
        scored = sorted(((*aliases.support(c, context), aliases.articles(c), c) for c in candidates), reverse=True)
        best_support, supporters, _, best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best_support >= SUPPORT_LEAST and supporters >= SUPPORTERS_LEAST and best_support >= SUPPORT_RATIO * runner_up:
            return best
        # No clear support: the only bearer, or the dominant one, unless the article's (known) context points
        # elsewhere or away (a rugby report's "Kennedy" is not the party leader most articles name).
        counts = sorted(((aliases.articles(c), c) for c in candidates), reverse=True)
        most, top = counts[0]
        if len(counts) > 1 and (most < DOMINANT_LEAST or most < DOMINANT_SHARE * sum(n for n, _ in counts)):
            return None
        top_support = next(sc for sc, _, _, c in scored if c == top)
        others = max((sc for sc, _, _, c in scored if c != top), default=0.0)
        if top_support >= others and (top_support >= SUPPORT_LEAST / 4
                                      or aliases.known_context(context) < CONTEXT_LEAST):
            return top
        return None

    def _fallback(self, r: _Raw, votes) -> tuple[tuple[str, str], str] | None:  # noqa: ANN001
        """A bare name no bearer is chosen for: an entity of its own name, as the tagger typed it."""
        kinds = votes.get(norm(r.text))
        if r.label == "PERSON" or (kinds and kinds.most_common(1)[0][0] == "person"):
            if len(r.text.split()) == 1 and r.text.isupper():
                return None
            return ("person", r.text), ""
        return None

    def _known(self, r: _Raw):  # noqa: ANN202
        """The entity an earlier article gave this name, when exactly one fits (with its resolution), or the
        bearers the article's context must choose between (``_PENDING``)."""
        if self.aliases is None:
            return None
        words = r.text.split()
        initial = _initial(r.text)
        if r.label in {"PERSON", "SURNAME"} and (len(words) == 1 or initial or (_peer(r) and len(words) == 2)) \
                and r.title not in _FIRST_NAME_TITLES:
            # "Mr Blair" or "M Blair" in an article that never gives the first name: an earlier article's
            # bearer of the name, if the context supports one (see _bearer).
            last = norm(words[-1])
            candidates = [k for k in self.aliases.lookup(words[-1]) if k[0] == "person" and " " in k[1]
                          and norm(k[1].split()[-1]) == last and (not initial or k[1][:1].upper() == initial)]
            if candidates:
                return candidates, _PENDING
            if r.label == "SURNAME":
                return None
        found = self.aliases.lookup(r.text)
        if r.label in _KIND:
            found = [k for k in found if k[0] == _KIND[r.label]]
        if len(found) == 1 and found[0][1] != r.text:
            return found[0], "known-alias"
        if not found and _is_acronym(r.text) and r.label in {"ORG", "GPE", "PERSON", "SURNAME"}:
            # "ECB" after an article named the "European Central Bank": an organisation it spells the initials of.
            candidates = [k for k in self.aliases.by_initials(r.text) if k[0] == "organization"]
            if candidates:
                return candidates, _PENDING
        if len(words) >= 2 and not found and not initial:
            # "Man Utd", "Lib Dems", "Scottish FA": a short form of a longer name an earlier article gave.
            candidates = [k for k in self.aliases.by_initials(initials(r.text))
                          if len(k[1]) > len(r.text) and _abbreviates(words, k[1].split())]
            if candidates:
                return candidates, _PENDING
        return None
