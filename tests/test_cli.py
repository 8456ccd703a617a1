"""The real `kgqa` console script, run as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import SEED

NIF_SENTENCE = "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#Sentence>"


@pytest.fixture
def kgqa(tmp_path: Path):
    exe = Path(sys.executable).with_name("kgqa")
    command = [str(exe)] if exe.exists() else [shutil.which("kgqa") or "kgqa"]
    env = {**os.environ, "KGQA_DATA_DIR": str(tmp_path / "built"), "KGQA_QUERY_TIMEOUT": "5"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], env=env, cwd=tmp_path, capture_output=True, text=True,
                              input=stdin, timeout=120)

    return run


def test_ingest_then_sparql_counts_seed_sentences(kgqa) -> None:
    ingest = kgqa("ingest", str(SEED.parent))
    assert ingest.returncode == 0, ingest.stderr
    assert "articles: 1 written" in ingest.stdout and "sentences: 45" in ingest.stdout
    assert "skipped duplicates: 0" in ingest.stdout and "errors: 0" in ingest.stdout
    out = kgqa("sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a {NIF_SENTENCE} }}", "--format", "csv")
    assert out.returncode == 0 and out.stdout.splitlines() == ["n", "45"]


def test_formats_articles_export_delete(kgqa, tmp_path: Path) -> None:
    kgqa("ingest", str(SEED))
    q = "SELECT ?name WHERE { ?a a schema:NewsArticle ; schema:author/schema:name ?name }"
    table = kgqa("sparql", q)
    assert "Amir Toumaj" in table.stdout and "(1 row)" in table.stdout
    as_json = json.loads(kgqa("sparql", q, "--format", "json").stdout)
    assert as_json["results"]["bindings"][0]["name"]["value"] == "Amir Toumaj"
    assert kgqa("sparql", q, "--format", "tsv").stdout.splitlines() == ["?name", '"Amir Toumaj"']
    (tmp_path / "q.rq").write_text("ASK { ?s a schema:NewsArticle }")
    assert kgqa("sparql", "-f", "q.rq").stdout.strip() == "true"
    assert kgqa("sparql", "-f", "-", stdin=q).stdout.count("Amir Toumaj") == 1
    listing = kgqa("articles")
    assert "000_b3bb278fd8698310" in listing.stdout and "45 sentences" in listing.stdout
    exported = kgqa("export", "--format", "nquads", "-o", "all.nq")
    assert exported.returncode == 0
    assert len(list(ox.parse(path=str(tmp_path / "all.nq")))) > 600
    assert not list(tmp_path.glob("*.partial"))
    assert kgqa("delete", "000_b3bb278fd8698310").returncode == 0
    assert kgqa("articles").stdout.startswith("no articles yet")


@pytest.mark.parametrize(
    "args, message",
    [
        (["sparql", "SELECT * { ?s ?p }"], "kgqa: error: SPARQL syntax error at line 1, column"),
        (["sparql", "INSERT DATA { <http://a/b> <http://a/c> 1 }"], "kgqa: error: INSERT is not allowed"),
        (["delete", "nope"], "kgqa: error: no article with id 'nope'"),
        (["sparql", "-f", "missing.rq"], "kgqa: error: cannot read the query file missing.rq"),
    ],
)
def test_errors_are_one_line_and_nonzero(kgqa, args: list[str], message: str) -> None:
    result = kgqa(*args)
    assert result.returncode == 1
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_ingest_with_a_bad_file_exits_nonzero_but_loads_the_rest(kgqa, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    result = kgqa("ingest", str(SEED), "bad.txt")
    assert result.returncode == 1
    assert "articles: 1 written" in result.stdout and "errors: 1" in result.stdout
    assert "bad.txt: this is a binary file" in result.stdout


def test_bad_setting_is_reported(kgqa, tmp_path: Path) -> None:
    env_run = subprocess.run(
        [sys.executable, "-c", "import app, sys; sys.exit(app.main(['stats']))"],
        env={**os.environ, "KGQA_QUERY_TIMEOUT": "soon"}, cwd=Path(__file__).parent.parent,
        capture_output=True, text=True, timeout=60,
    )
    assert env_run.returncode == 2
    assert "KGQA_QUERY_TIMEOUT='soon' is not valid" in env_run.stderr
