"""A library of N copies of a built library's articles, each copy under other ids, for scale benchmarks.

    .venv/bin/python bench/library_copies.py --copies 5      # bench/results/bbc-x5 from bench/bbc_qa.py's library

Copy ``k`` (2..N) of article ``business/006`` is ``business/006~copy2``: its named graph, article IRI,
sentence, paragraph and comment IRIs (``<article>#...``) and ``schema:identifier`` are renamed, and
everything else (the facts, the entities they name) is the same, so the copies share entities as a
real archive's articles do. The quads are copied inside Oxigraph (no re-parsing: running the NLP
pipeline over 10,000 articles would take an hour and give the same graph), and the passages are
built from the copied graph when the library is first opened, as ``kgqa reindex`` builds them.

The copy is made once; ``copies.json`` in the target records its source and count.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
SCHEMA_IDENTIFIER = ox.NamedNode("http://schema.org/identifier")


def copy_id(article_id: str, copy: int) -> str:
    return f"{article_id}~copy{copy}"


def _renamer(article_iri: str, copy: int):  # noqa: ANN202 - a closure over one article
    suffix = f"~copy{copy}"

    def rename(term):  # noqa: ANN001, ANN202 - any pyoxigraph term
        if isinstance(term, ox.NamedNode):
            value = term.value
            if value == article_iri or value.startswith(article_iri + "#"):
                return ox.NamedNode(article_iri + suffix + value[len(article_iri):])
        return term

    return rename


def build(source: Path, target: Path, copies: int) -> Path:
    """``target``'s store: ``source``'s graph and ``copies - 1`` renamed copies of each article (once)."""
    marker = target / "copies.json"
    wanted = {"source": str(source.resolve()), "copies": copies}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return target
    shutil.rmtree(target, ignore_errors=True)
    (target / "store").mkdir(parents=True)
    shutil.copytree(source / "store" / "db", target / "store" / "db")
    store = ox.Store(str(target / "store" / "db"))
    articles = [(g, i) for g, i in ((q.graph_name, q.object) for q in store.quads_for_pattern(None, SCHEMA_IDENTIFIER, None))
                if isinstance(g, ox.NamedNode) and g.value.endswith(i.value)]
    started = time.perf_counter()
    for copy in range(2, copies + 1):
        batch = []
        for graph, identifier in articles:
            rename = _renamer(graph.value, copy)
            for q in store.quads_for_pattern(None, None, None, graph):
                obj = ox.Literal(copy_id(identifier.value, copy), datatype=q.object.datatype) \
                    if q.predicate == SCHEMA_IDENTIFIER and q.subject == graph else rename(q.object)
                batch.append(ox.Quad(rename(q.subject), q.predicate, obj, rename(q.graph_name)))
        store.bulk_extend(batch)
        print(f"copy {copy}: {len(articles):,} articles, {len(batch):,} quads "
              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    store.flush()
    del store
    marker.write_text(json.dumps(wanted))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=HERE / "results" / "bbc-onnx-int8", help="the library copied")
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--out", type=Path, help="default bench/results/bbc-xN")
    args = parser.parse_args()
    print(build(args.data, args.out or HERE / "results" / f"bbc-x{args.copies}", args.copies))


if __name__ == "__main__":
    main()
