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

__all__ = ["AliasTable", "norm", "DOMINANT_LEAST", "DOMINANT_SHARE"]

#: A bare surname resolves to the bearer named by at least this many articles ...
DOMINANT_LEAST = 5
#: ... and by at least this share of the articles naming any bearer of it (Tony Blair 147 of 154).
DOMINANT_SHARE = 0.85


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
        self._put(norm(entity[1]), entity)
        for alias in aliases:
            self._put(norm(alias), entity)
        # A person is also known by their surname.
        if entity[0] == "person" and " " in entity[1]:
            self._put(norm(entity[1].split()[-1]), entity)

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
