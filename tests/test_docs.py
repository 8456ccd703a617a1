"""The documentation holds: every setting is documented, the site builds with ``mkdocs build --strict``,
the README's links resolve, and every docstring example runs."""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from markdown_it import MarkdownIt

import kg
from kg import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
MKDOCS_YML = ROOT / "mkdocs.yml"
#: A strict build takes a few seconds; this bounds a hung one.
BUILD_TIMEOUT_S = 180
#: The README is the five-minute page; the rest belongs in docs/.
README_MAX_BYTES = 6_000
#: A settings-table row: "| `KGQA_NAME` | default | meaning |".
SETTING_ROW = re.compile(r"^\| `(KGQA_[A-Z0-9_]+)` \|", re.M)
#: The same row, with its default column.
SETTING_DEFAULT = re.compile(r"^\| `(KGQA_[A-Z0-9_]+)` \| ([^|]*?) \|", re.M)


def _mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``config`` into ``site``, its output captured."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner is not a build problem
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
        cwd=config.parent, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False,
    )


def _warnings(build: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (build.stdout + build.stderr).splitlines() if line.startswith(("WARNING", "ERROR"))]


def _nav_pages(nav: list) -> list[str]:
    """Every Markdown file the nav names, however deeply nested."""
    pages: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_in_the_settings_page(setting) -> None:
    rows = SETTING_ROW.findall((DOCS / "settings.md").read_text(encoding="utf-8"))
    assert setting.env in rows, f"document {setting.env} in the table of docs/settings.md"


def test_the_settings_page_documents_no_setting_that_does_not_exist() -> None:
    rows = SETTING_ROW.findall((DOCS / "settings.md").read_text(encoding="utf-8"))
    assert len(rows) == len(set(rows)), "a setting has two rows"
    assert set(rows) <= {s.env for s in SETTINGS}, "docs/settings.md names a setting kg/settings.py does not have"


def _shown_default(value: object) -> str:
    """A default as the settings table writes it: ``(empty)`` for none, ``10`` for 10.0, else in backticks."""
    if value in (None, "", ()):
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_the_settings_page_gives_each_default_the_code_uses(setting) -> None:
    defaults = dict(SETTING_DEFAULT.findall((DOCS / "settings.md").read_text(encoding="utf-8")))
    assert defaults.get(setting.env) == _shown_default(setting.default), f"docs/settings.md: default of {setting.env}"


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build = _mkdocs_build(MKDOCS_YML, site)
    assert build.returncode == 0 and not _warnings(build), build.stdout + build.stderr
    config = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    for page in _nav_pages(config["nav"]):
        built = site / ("index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html")
        assert built.is_file(), f"{page} was not built"
    assert (site / "img" / "chat.png").is_file()
    html = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html  # the site works offline


@pytest.mark.slow
def test_a_broken_link_or_a_page_missing_from_the_nav_fails_the_build(tmp_path: Path) -> None:
    """The strictness is real: the project's own configuration refuses what a careless edit would leave."""
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    (docs / "orphan.md").write_text("# Not in the nav\n", encoding="utf-8")
    with (docs / "app.md").open("a", encoding="utf-8") as page:
        page.write("\n[gone](no-such-page.md) and [no anchor](answers.md#no-such-heading)\n")
    config = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    copy = tmp_path / "mkdocs.yml"
    copy.write_text(yaml.safe_dump(config), encoding="utf-8")
    build = _mkdocs_build(copy, tmp_path / "site")
    assert build.returncode != 0 and len(_warnings(build)) >= 3
    problems = build.stdout + build.stderr  # a warning's detail may follow on the next lines
    assert "orphan.md" in problems and "no-such-page.md" in problems and "no-such-heading" in problems


def _readme_targets() -> list[str]:
    """Every link and image target in the README, read by a Markdown parser (inline tokens' children)."""
    targets = []
    for token in MarkdownIt("commonmark").parse(README.read_text(encoding="utf-8")):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(str(child.attrs["href"]))
            elif child.type == "image":
                targets.append(str(child.attrs["src"]))
    return targets


def test_every_relative_link_in_the_readme_resolves_to_a_file_in_the_repository() -> None:
    relative = [t for t in _readme_targets() if not urlsplit(t).scheme and not t.startswith("#")]
    assert len(relative) >= 10  # the picture and the links into docs/ are all read
    for target in relative:
        path = (ROOT / unquote(urlsplit(target).path)).resolve()
        assert path.is_relative_to(ROOT) and path.is_file(), f"README links to {target}, which is not a file here"


def test_the_readme_is_a_five_minute_page_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= README_MAX_BYTES, "keep the README short: move detail into docs/"
    assert re.search(r"^\./run\.sh +# set up \.venv, then serve the app", text, re.M)
    assert re.search(r"^\./test\.sh +# set up \.venv with the test tools, run the whole test suite", text, re.M)
    assert "docs/img/chat.png" in _readme_targets()


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
