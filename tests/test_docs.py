"""Every setting is documented, and every docstring example runs."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import kg
from kg import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_in_the_readme(setting) -> None:
    assert f"`{setting.env}`" in README, f"document {setting.env} in the README settings table"


def _modules() -> list[str]:
    names = ["kg"] + [f"kg.{m.name}" for m in pkgutil.iter_modules(kg.__path__)]
    names += [f"kg.store.{m.name}" for m in pkgutil.iter_modules(importlib.import_module("kg.store").__path__)
              if not m.name.startswith("_")]
    names += [f"kg.extraction.{m.name}" for m in pkgutil.iter_modules(importlib.import_module("kg.extraction").__path__)]
    names += ["retrieval"] + [f"retrieval.{m.name}" for m in pkgutil.iter_modules(importlib.import_module("retrieval").__path__)]
    names += ["web"] + [f"web.{m.name}" for m in pkgutil.iter_modules(importlib.import_module("web").__path__)]
    names += [f"web.ui.{m.name}" for m in pkgutil.iter_modules(importlib.import_module("web.ui").__path__)]
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
