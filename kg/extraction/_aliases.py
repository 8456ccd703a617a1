"""The cross-article alias table: every name and alias kgqa has stored, to the entity it names.

It grows as articles arrive, so a later article's "Hatami" or "IRGC" finds the
entity an earlier article named in full.

>>> table = AliasTable()
>>> table.add(("person", "Amir Hatami"), {"Hatami"})
>>> table.lookup("hatami")
[('person', 'Amir Hatami')]
>>> table.lookup("Amir Hatami")
[('person', 'Amir Hatami')]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

__all__ = ["AliasTable", "norm", "initials", "DOMINANT_LEAST", "DOMINANT_SHARE"]

#: A bare surname resolves to the bearer named by at least this many articles ...
DOMINANT_LEAST = 5
#: ... and by at least this share of the articles naming any bearer of it (Tony Blair 147 of 154).
DOMINANT_SHARE = 0.85


_INITIALS_STOP = frozenset({"of", "and", "the", "for", "to", "de", "on", "in", "&", "at", "plc", "ltd", "inc"})


def initials(label: str) -> str:
    """The acronym a multi-word name would have: "British Airways" -> "BA", "UK Independence Party" -> "UKIP"
    ("" for a one-word name). An all-capital word counts whole; "of", "and", "the" ... are skipped.

    >>> initials("London Stock Exchange"), initials("UK Independence Party"), initials("Arsenal")
    ('LSE', 'UKIP', '')
    """
    words = [w for w in re.split(r"[\s-]+", label.strip()) if w and w.lower() not in _INITIALS_STOP]
    if len(words) < 2 or not all(w[:1].isalpha() for w in words):
        return ""
    return "".join(w if w.isupper() and len(w) <= 3 else w[0] for w in words).upper()


def norm(text: str) -> str:
    """Lower-case, dots and a leading "the" dropped, whitespace and apostrophes unified: the key for names."""
    text = text.replace("’", "'").replace(".", "").lower()
    text = re.sub(r"^the\s+", "", text.strip())
    text = re.sub(r"'s$", "", text)
    return re.sub(r"[\s-]+", " ", text).strip()


class AliasTable:
    """Normalised name -> the entities (kind, label) that have it as label or alias."""

    def __init__(self) -> None:
        # Values are never changed in place, only replaced (copy-on-write), so a frozen copy is one shallow
        # dict copy, whatever the size: readers' snapshots cost O(1) per name, not a deep copy.
        self._names: dict[str, frozenset[tuple[str, str]]] = {}
        self._keys_of: dict[tuple[str, str], set[str]] = defaultdict(set)  # entity -> its keys (writer only)
        # Word -> how many entities of each kind have it in their name: kept up to date by add/remove,
        # so no reader has to derive it from every name.
        self._word_kinds: dict[str, Counter[str]] = {}
        self._by_length: dict[int, list[str]] | None = None  # derived on first fuzzy lookup
        # Entity -> how many articles name it: what a bare surname with several bearers resolves by.
        self._articles: dict[tuple[str, str], int] = {}
        # Initials -> the organisations, groups and places with them ("BA" -> British Airways): what a bare
        # acronym or a short form ("Man Utd", "Lib Dems") may stand for.
        self._initials: dict[str, frozenset[tuple[str, str]]] = {}
        # Entity -> how many articles name it together with each other entity: the context a bare surname's
        # bearers are told apart by. Counters are shared with frozen copies until written (``_owned``).
        self._cooc: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
        self._owned: set[tuple[str, str]] = set()
        # Entity -> "f" or "m" when an honorific said so ("Mrs", "Mr"): "Baroness Kennedy" is no Charles Kennedy.
        self._gender: dict[tuple[str, str], tuple[int, int]] = {}  # (articles saying f, saying m)
        self._frozen = False

    def __len__(self) -> int:
        return len(self._names)

    def frozen(self) -> AliasTable:
        """An unchangeable copy, for readers while this one grows.

        >>> t = AliasTable(); t.add(("person", "Amir Hatami")); f = t.frozen(); t.add(("person", "Ali Shamkhani"))
        >>> f.lookup("shamkhani"), len(t.lookup("shamkhani"))
        ([], 1)
        """
        copy = AliasTable()
        copy._names = dict(self._names)
        copy._word_kinds = dict(self._word_kinds)
        copy._keys_of = defaultdict(set)  # a frozen table never removes
        copy._articles = dict(self._articles)
        copy._initials = dict(self._initials)
        copy._cooc = dict(self._cooc)
        copy._gender = dict(self._gender)
        self._owned = set()  # the copy shares every counter now: the next write to one copies it first
        copy._frozen = True
        return copy

    def _put(self, key: str, entity: tuple[str, str]) -> None:
        entities = self._names.get(key, frozenset())
        if entity not in entities:
            self._names[key] = entities | {entity}
            self._keys_of[entity].add(key)
            self._by_length = None

    def _count_words(self, entity: tuple[str, str], step: int) -> None:
        for w in set(norm(entity[1]).split()):
            counts = Counter(self._word_kinds.get(w, ()))
            counts[entity[0]] += step
            self._word_kinds[w] = +counts  # a new Counter: frozen copies keep theirs (+ drops zeros)

    def remove(self, entity: tuple[str, str]) -> None:
        """Forget every name of ``entity`` (before re-adding the ones it still has)."""
        self._check_writable()
        keys = self._keys_of.pop(entity, set())
        self._articles.pop(entity, None)
        # Its context goes with it: a merge an article's co-mentions supported is undone with the article.
        self._cooc.pop(entity, None)
        self._gender.pop(entity, None)
        self._owned.discard(entity)
        short = initials(entity[1]) if entity[0] != "person" else ""
        if short and entity in self._initials.get(short, ()):
            rest = self._initials[short] - {entity}
            if rest:
                self._initials[short] = rest
            else:
                del self._initials[short]
        if keys:
            self._count_words(entity, -1)
            self._by_length = None
        for key in keys:
            rest = self._names[key] - {entity}
            if rest:
                self._names[key] = rest
            else:
                del self._names[key]

    def _check_writable(self) -> None:
        if self._frozen:
            raise TypeError("a frozen AliasTable cannot change")

    def add(self, entity: tuple[str, str], aliases: Iterable[str] = (), articles: int = 1) -> None:
        """Record ``entity``'s name and ``aliases``, named by ``articles`` more articles."""
        self._check_writable()
        self._articles[entity] = self._articles.get(entity, 0) + articles
        if entity not in self._keys_of:
            self._count_words(entity, +1)
            short = initials(entity[1]) if entity[0] != "person" else ""
            if short:
                self._initials[short] = self._initials.get(short, frozenset()) | {entity}
        self._put(norm(entity[1]), entity)
        for alias in aliases:
            self._put(norm(alias), entity)
        # A person is also known by their surname.
        if entity[0] == "person" and " " in entity[1]:
            self._put(norm(entity[1].split()[-1]), entity)

    def note_article(self, entities: Iterable[tuple[str, str]], genders: dict[tuple[str, str], str] | None = None,
                     ) -> None:
        """Record that one article names all of ``entities`` (each gains the others as context), and the
        ``genders`` its honorifics gave some of them."""
        self._check_writable()
        for key, gender in (genders or {}).items():
            f, m = self._gender.get(key, (0, 0))
            self._gender[key] = (f + (gender == "f"), m + (gender == "m"))
        keys = list(dict.fromkeys(entities))
        for key in keys:
            counts = self._cooc.get(key)
            if counts is None:
                counts = self._cooc[key] = Counter()
                self._owned.add(key)
            elif key not in self._owned:
                counts = self._cooc[key] = Counter(counts)
                self._owned.add(key)
            counts.update(keys)
            counts[key] -= 1
            if counts[key] <= 0:
                del counts[key]

    def gender(self, entity: tuple[str, str]) -> str:
        """"f" or "m" when the honorifics of most of at least two articles gave ``entity`` one, else ""."""
        f, m = self._gender.get(entity, (0, 0))  # two articles at least: one may mean someone else ("Mrs Howard")
        return "f" if f >= 2 and f > 2 * m else "m" if m >= 2 and m > 2 * f else ""

    def support(self, entity: tuple[str, str], context: Iterable[tuple[str, str]]) -> tuple[float, int]:
        """How strongly the entities named beside a mention point at ``entity``: for each context entity, the
        share of its articles (plus one, so that one shared article is not certainty) that also name
        ``entity`` ("Liberal Democrats" 0.7 for Charles Kennedy, "Wales" 0.01), summed; and how many context
        entities gave any.

        >>> t = AliasTable()
        >>> for _ in range(3): t.add(("organization", "Labour")); t.note_article([("person", "Tony Blair"), ("organization", "Labour")])
        >>> t.support(("person", "Tony Blair"), [("organization", "Labour")])
        (0.75, 1)
        """
        counts = self._cooc.get(entity)
        if not counts:
            return 0.0, 0
        shares = [counts[e] / (max(self._articles.get(e, 0), counts[e]) + 1)
                  for e in context if e != entity and e in counts]
        return sum(shares), len(shares)

    def known_context(self, context: Iterable[tuple[str, str]]) -> int:
        """How many of ``context`` earlier articles have named beside something (what support is judged on)."""
        return sum(1 for e in context if self._cooc.get(e))

    def by_initials(self, short: str) -> list[tuple[str, str]]:
        """Organisations, groups and places whose multi-word name has ``short`` as its initials.

        >>> t = AliasTable(); t.add(("organization", "British Airways")); t.by_initials("BA")
        [('organization', 'British Airways')]
        """
        return sorted(self._initials.get(short.replace(".", "").upper(), ()))

    def lookup(self, name: str) -> list[tuple[str, str]]:
        return sorted(self._names.get(norm(name), ()))  # .get: a lookup never adds a key

    def articles(self, entity: tuple[str, str]) -> int:
        """How many articles name ``entity``."""
        return self._articles.get(entity, 0)

    def dominant(self, name: str, kind: str, *, least: int = DOMINANT_LEAST,
                 share: float = DOMINANT_SHARE) -> tuple[str, str] | None:
        """The one ``kind`` entity a bare ``name`` most likely means: of the entities of that kind it names
        (other than one labelled just ``name``), the one named by at least ``least`` articles and by at
        least ``share`` of all their articles; else ``None`` (nothing supports a choice).

        >>> t = AliasTable()
        >>> t.add(("person", "Tony Blair"), articles=40); t.add(("person", "Cherie Blair"), articles=3)
        >>> t.dominant("Blair", "person")
        ('person', 'Tony Blair')
        >>> t.add(("person", "Ian Blair"), articles=30); t.dominant("Blair", "person") is None
        True
        """
        found = [e for e in self._names.get(norm(name), ()) if e[0] == kind and norm(e[1]) != norm(name)]
        if not found:
            return None
        counts = sorted(((self._articles.get(e, 0), e) for e in found), reverse=True)
        best, entity = counts[0]
        total = sum(n for n, _ in counts)
        return entity if best >= least and best >= share * total else None

    def kind_named_by(self, word: str, *, least: int = 3, share: float = 0.6) -> str | None:
        """The kind of entity whose names hold ``word``, when most of at least ``least`` of them agree.

        What a "which hotel" or "which channel" question asks for, learnt from the names the articles use
        ("Waldorf Astoria Hotel", "Channel 4") rather than a word list.

        >>> t = AliasTable()
        >>> for name in ("Channel 4", "Channel 5", "Discovery Channel"): t.add(("organization", name))
        >>> t.kind_named_by("channel"), t.kind_named_by("hotel")
        ('organization', None)
        """
        counts = self._word_kinds.get(norm(word))
        if not counts or sum(counts.values()) < least:
            return None
        kind, n = counts.most_common(1)[0]
        return kind if n / sum(counts.values()) >= share else None

    def fuzzy(self, name: str) -> list[tuple[str, str]]:
        """Entities whose name is one letter off ``name`` (a spelling variant: "Quds Force", "Qods Force").

        >>> t = AliasTable(); t.add(("organization", "Qods Force"))
        >>> t.fuzzy("Quds Force")
        [('organization', 'Qods Force')]
        """
        key = norm(name)
        if self._by_length is None:
            self._by_length = defaultdict(list)
            for other in self._names:
                self._by_length[len(other)].append(other)
        found: set[tuple[str, str]] = set()
        for length in (len(key) - 1, len(key), len(key) + 1):
            for other in self._by_length.get(length, ()):
                if other[:1] == key[:1] and _one_edit(key, other):
                    found |= self._names[other]
        if not found and " " in key:  # "Quds Force" for "IRGC Qods Force": the end of a longer name
            for other, entities in self._names.items():
                if len(other) > len(key) + 1 and other[-len(key) - 1] == " " and _one_edit(key, other[-len(key):]):
                    found |= entities
        return sorted(found)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one substitution, insertion or deletion."""
    if a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
