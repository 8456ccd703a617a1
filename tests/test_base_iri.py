"""IRIs follow the address the app serves on unless KGQA_BASE_IRI is set; a store refuses an app with another base."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import ConfigError, KnowledgeGraph, Settings
from kg._base_record import recorded_base_iri
from kg.vocab import KGQA, KGQA_ONTOLOGY_GRAPH

TEXT = "Rain in Spain\n\nIt rained in Madrid on Aug. 3. Nobody minded.\n"


def _built(tmp_path: Path, **settings: object) -> Settings:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    s = Settings(data_dir=tmp_path / "built", nlp_model="", **settings)  # type: ignore[arg-type]
    with KnowledgeGraph(s) as graph:
        graph.ingest([tmp_path / "a.txt"])
    return s


def test_the_base_follows_the_served_port_and_public_url() -> None:
    assert Settings().base_iri == "http://localhost:7860/id/"
    assert Settings(port=7861).base_iri == "http://localhost:7861/id/"
    assert Settings().replace(port=7862).base_iri == "http://localhost:7862/id/"  # `app.py --port 7862`
    assert Settings.from_env({"KGQA_PORT": "9000"}).base_iri == "http://localhost:9000/id/"
    assert Settings(host="0.0.0.0", public_url="https://kg.example.org").base_iri == "https://kg.example.org/id/"
    assert Settings(host="kg.internal", port=80).base_iri == "http://kg.internal:80/id/"


def test_an_explicit_base_stays_whatever_the_port() -> None:
    s = Settings.from_env({"KGQA_BASE_IRI": "https://news.example/id/"})
    assert s.replace(port=7861).base_iri == "https://news.example/id/"
    assert not s.base_iri_follows_address


def test_a_store_records_its_base_and_refuses_another(tmp_path: Path) -> None:
    built = _built(tmp_path)
    with KnowledgeGraph(built) as graph:
        assert recorded_base_iri(graph.store) == "http://localhost:7860/id/"
    with pytest.raises(ConfigError, match=r"built with base IRI http://localhost:7860/id/.*would mint "
                                          r"http://localhost:7861/id/.*KGQA_BASE_IRI=http://localhost:7860/id/"):
        KnowledgeGraph(built.replace(port=7861))
    # Refused without harm: the store opens again, whole, under its own base (here set explicitly).
    with KnowledgeGraph(built.replace(port=7861, base_iri="http://localhost:7860/id/")) as graph:
        assert graph.stats()["articles"] == 1


def test_an_explicit_base_other_than_the_stores_is_refused(tmp_path: Path) -> None:
    built = _built(tmp_path, base_iri="https://news.example/id/")
    with pytest.raises(ConfigError, match="set by KGQA_BASE_IRI"):
        KnowledgeGraph(built.replace(base_iri="https://other.example/id/"))


def test_a_store_from_before_the_record_has_its_base_read_off_its_articles(tmp_path: Path) -> None:
    built = _built(tmp_path, base_iri="https://news.example/id/")
    with KnowledgeGraph(built) as graph:
        graph.store.update(f"DELETE WHERE {{ GRAPH <{KGQA_ONTOLOGY_GRAPH}> {{ <{KGQA_ONTOLOGY_GRAPH}> "
                           f"<{KGQA.baseIri}> ?b }} }}")
        assert recorded_base_iri(graph.store) is None
    with pytest.raises(ConfigError, match="built with base IRI https://news.example/id/"):
        KnowledgeGraph(built.replace(base_iri=""))  # follows the address: localhost:7860
    with KnowledgeGraph(built) as graph:
        assert recorded_base_iri(graph.store) == "https://news.example/id/"
