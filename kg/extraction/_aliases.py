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
from collections import defaultdict
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

    def __len__(self) -> int:
        return len(self._names)

    def add(self, entity: tuple[str, str], aliases: Iterable[str] = ()) -> None:
        self._names[norm(entity[1])].add(entity)
        for alias in aliases:
            self._names[norm(alias)].add(entity)
        # A person is also known by their surname.
        if entity[0] == "person" and " " in entity[1]:
            self._names[norm(entity[1].split()[-1])].add(entity)

    def lookup(self, name: str) -> list[tuple[str, str]]:
        return sorted(self._names.get(norm(name), ()))
