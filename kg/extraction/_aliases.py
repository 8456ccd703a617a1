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

__all__ = ["AliasTable", "norm"]


def norm(text: str) -> str:
    """Lower-case, dots and a leading "the" dropped, whitespace and apostrophes unified: the key for names."""
    text = text.replace("’", "'").replace(".", "").lower()
    text = re.sub(r"^the\s+", "", text.strip())
    text = re.sub(r"'s$", "", text)
    return re.sub(r"[\s-]+", " ", text).strip()


class AliasTable:
    """Normalised name -> the entities (kind, label) that have it as label or alias."""

    def __init__(self) -> None:
        self._names: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self._by_length: dict[int, list[str]] | None = None
        self._word_kinds: dict[str, Counter[str]] | None = None
        self._frozen = False

    def __len__(self) -> int:
        return len(self._names)

    def frozen(self) -> AliasTable:
        """An unchangeable copy, for readers while this one grows (its lookup tables are derived on first use,
        from names that can no longer change).

        >>> t = AliasTable(); t.add(("person", "Amir Hatami")); f = t.frozen(); t.add(("person", "Ali Shamkhani"))
        >>> f.lookup("shamkhani"), len(t.lookup("shamkhani"))
        ([], 1)
        """
        copy = AliasTable()
        copy._names = defaultdict(set, {k: frozenset(v) for k, v in self._names.items()})  # type: ignore[misc]
        copy._frozen = True
        return copy

    def remove(self, entity: tuple[str, str]) -> None:
        """Forget every name of ``entity`` (before re-adding the ones it still has)."""
        self._check_writable()
        self._by_length = None
        self._word_kinds = None
        for key in [k for k, v in self._names.items() if entity in v]:
            self._names[key].discard(entity)
            if not self._names[key]:
                del self._names[key]

    def _check_writable(self) -> None:
        if self._frozen:
            raise TypeError("a frozen AliasTable cannot change")

    def add(self, entity: tuple[str, str], aliases: Iterable[str] = ()) -> None:
        self._check_writable()
        self._by_length = None
        self._word_kinds = None
        self._names[norm(entity[1])].add(entity)
        for alias in aliases:
            self._names[norm(alias)].add(entity)
        # A person is also known by their surname.
        if entity[0] == "person" and " " in entity[1]:
            self._names[norm(entity[1].split()[-1])].add(entity)

    def lookup(self, name: str) -> list[tuple[str, str]]:
        return sorted(self._names.get(norm(name), ()))  # .get: a lookup never adds a key

    def kind_named_by(self, word: str, *, least: int = 3, share: float = 0.6) -> str | None:
        """The kind of entity whose names hold ``word``, when most of at least ``least`` of them agree.

        What a "which hotel" or "which channel" question asks for, learnt from the names the articles use
        ("Waldorf Astoria Hotel", "Channel 4") rather than a word list.

        >>> t = AliasTable()
        >>> for name in ("Channel 4", "Channel 5", "Discovery Channel"): t.add(("organization", name))
        >>> t.kind_named_by("channel"), t.kind_named_by("hotel")
        ('organization', None)
        """
        if self._word_kinds is None:
            kinds: dict[str, Counter[str]] = defaultdict(Counter)
            for entity in {e for entities in self._names.values() for e in entities}:
                for w in set(norm(entity[1]).split()):
                    kinds[w][entity[0]] += 1
            self._word_kinds = kinds
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
