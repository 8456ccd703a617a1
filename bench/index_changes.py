"""What one article costs to add or delete, on the BBC library and on a ten times larger index.

    .venv/bin/python bench/index_changes.py            # ~3 min after the BBC library exists
    .venv/bin/python bench/index_changes.py --repeat 9

1. **BBC library, in-process** (a copy of ``bench/results/bbc``, built by
   ``bench/bbc_qa.py``): with the models loaded, adds a three-sentence article
   through ``Library.ingest`` and deletes it through ``Library.delete``,
   ``--repeat`` times each; prints every time and the median. The baseline,
   in the same run, is what the index did per change before segments: BM25
   rebuilt over every sentence (``bm25s``, the three fields) and the whole
   index folder rewritten.
2. **Growth, 2k -> 20k articles**: the BBC index's segments copied ten times
   under new article ids and sentence IRIs (same vectors, nothing
   re-embedded) make a 21,270-article index; adding and deleting one article
   (the index change, its save and the alias table frozen for the new
   snapshot) is timed on both sizes, and the ratio printed (target <= 1.5).
   The graph write is measured on the real stores only (an empty one and the
   BBC one), since Oxigraph's writes go through its B-tree indexes.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from langchain_core.documents import Document  # noqa: E402

from kg import AliasTable, KnowledgeGraph, Settings, StoredSentence  # noqa: E402
from retrieval import Library  # noqa: E402
from retrieval._segment import Segment  # noqa: E402
from retrieval.index import PassageIndex  # noqa: E402

RESULTS = HERE / "results"
ARTICLE = ("Harbour news {n}\n\nThe harbour master of Oskarvik{n} is Ilse Marrow. She said the ferry would run "
           "again on Monday after the storm. Nobody minded.\n")


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def fmt(xs: list[float]) -> str:
    return f"median {statistics.median(xs) * 1000:7.0f} ms   (each: {', '.join(f'{x * 1000:.0f}' for x in xs)})"


def bbc_library(source: Path, repeat: int) -> PassageIndex:
    work = Path(tempfile.mkdtemp(dir=RESULTS, prefix="index_changes-"))
    try:
        print(f"copying {source} ...", flush=True)
        shutil.copytree(source / "store", work / "store")
        shutil.copytree(source / "index", work / "index")
        settings = Settings.from_env({}).replace(data_dir=work)
        with Library(settings) as lib:
            index = lib.index
            print(f"BBC library: {len(index.articles)} articles, {len(index)} sentences, "
                  f"{len(index.segments)} segment(s)")
            lib.graph.pipeline and lib.embeddings.encode(["warm up"])  # models loaded, as in a running app
            text = work / "one.txt"
            adds, deletes = [], []
            for n in range(repeat + 1):
                text.write_text(ARTICLE.format(n=n))
                add, delete = timed(lambda: lib.ingest([text])), timed(lambda: lib.delete("one"))
                if n:  # the first pair warms the parser's and encoder's shapes
                    adds.append(add)
                    deletes.append(delete)
            lib.wait_for_merges()
            print(f"  add one article    {fmt(adds)}")
            print(f"  delete it          {fmt(deletes)}")
            print(f"  segments after: {len(lib.index.segments)}")
            baseline = old_rebuild_cost(lib.index, work / "old-index")
            print(f"  baseline, the unsegmented index's work per change: {baseline:.1f} s "
                  f"(x{baseline / statistics.median(adds):.0f} an add now)")
            return lib.index
    finally:
        shutil.rmtree(work, ignore_errors=True)


def old_rebuild_cost(index: PassageIndex, folder: Path) -> float:
    """BM25 over every sentence, paragraph and word pair rebuilt, and the whole folder written (before segments)."""
    import bm25s
    import numpy as np

    from retrieval._text import bigrams, bm25_tokens
    from retrieval.index import dense_text

    def rebuild() -> None:
        docs = list(index.docs)
        fields = {"bm25": [bm25_tokens(dense_text(d)) for d in docs],
                  "bm25_bigrams": [bigrams(bm25_tokens(d.page_content)) for d in docs],
                  "bm25_paragraphs": [bm25_tokens(p.page_content) for s in index.segments for p in s.paragraphs]}
        folder.mkdir(parents=True, exist_ok=True)
        for name, tokens in fields.items():
            bm = bm25s.BM25(k1=0.9, b=0.4)
            bm.index(tokens, show_progress=False)
            bm.save(str(folder / name), show_progress=False)
        np.save(folder / "vectors.npy", index.sentence_matrix())
        for s in index.segments:
            s.save(folder / f"copy-{s.name}")

    return timed(rebuild)


def renamed(segment: Segment, copy: int) -> Segment:
    """The segment's articles under new ids and IRIs (copy ``copy``), vectors shared."""
    def doc(d: Document) -> Document:
        meta = dict(d.metadata)
        meta.update(article_id=f"{meta['article_id']}~{copy}", sentence=f"{meta['sentence']}~{copy}",
                    article=f"{meta['article']}~{copy}", segment=f"{meta['segment']}~{copy}")
        return Document(id=f"{d.id}~{copy}", page_content=d.page_content, metadata=meta)

    paragraphs = [Document(id=f"{p.id}~{copy}", page_content=p.page_content,
                           metadata={"article_id": f"{p.metadata['article_id']}~{copy}"}) for p in segment.paragraphs]
    return Segment(f"{segment.name}-{copy}", [doc(d) for d in segment.docs], segment.vectors, paragraphs,
                   segment.postings, {f"{a}~{copy}": h for a, h in segment.articles.items()})


def one_article(n: int) -> list[StoredSentence]:
    texts = ARTICLE.format(n=n).split("\n\n")[1].split(". ")
    return [StoredSentence(iri=f"http://bench/{n}#s{i}", article_id=f"bench{n}", article_iri=f"http://bench/{n}",
                           index=i, start=0, end=len(t), text=t, section="body", headline=f"Harbour news {n}",
                           segment=f"http://bench/{n}#p0") for i, t in enumerate(texts)]


def growth(index: PassageIndex, names: AliasTable, repeat: int) -> None:
    """Both sizes built first, then measured in alternation, so machine noise falls on both alike."""
    sizes: dict[int, tuple[PassageIndex, AliasTable]] = {}
    folders = []
    try:
        for copies in (1, 10):
            folder = Path(tempfile.mkdtemp(dir=RESULTS, prefix="index_growth-"))
            folders.append(folder)
            big = PassageIndex(folder, index.embeddings, [renamed(s, c) for c in range(copies) for s in index.segments])
            table = AliasTable()
            for c in range(copies):
                for entities in names._names.values():
                    for kind, label in entities:
                        table.add((kind, f"{label} {c}" if c else label))
            print(f"  {copies:2d}x: {len(big.articles)} articles, {len(big)} sentences, {len(table)} names; "
                  f"saving ...", flush=True)
            big.save()
            sizes[copies] = (big, table)
        times: dict[int, tuple[list[float], list[float]]] = {1: ([], []), 10: ([], [])}
        for n in range(repeat + 1):
            for copies, (big, table) in sizes.items():
                added: list[PassageIndex] = []
                add = timed(lambda: (added.append(big.with_changes((), one_article(n), {f"bench{n}": "h"})),
                                     added[0].save(), table.frozen()))
                delete = timed(lambda: (added[0].with_changes([f"bench{n}"], [], {}).save(), table.frozen()))
                if n:  # the first round warms the encoder's shapes
                    times[copies][0].append(add)
                    times[copies][1].append(delete)
        for copies, (adds, deletes) in times.items():
            print(f"  {copies:2d}x add    {fmt(adds)}\n  {copies:2d}x delete {fmt(deletes)}")
        (a1, d1), (a10, d10) = ((statistics.median(a), statistics.median(d)) for a, d in times.values())
        print(f"  growth 1x -> 10x: add x{a10 / a1:.2f}, delete x{d10 / d1:.2f} (target <= 1.5)")
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def graph_writes(source: Path, repeat: int) -> None:
    """One article's graph write on an empty store and on the BBC store (Oxigraph B-trees: near flat)."""
    for label, store in (("empty store", None), ("BBC store", source / "store")):
        work = Path(tempfile.mkdtemp(dir=RESULTS, prefix="graph_writes-"))
        try:
            if store is not None:
                shutil.copytree(store, work / "store")
            settings = Settings.from_env({}).replace(data_dir=work)
            with KnowledgeGraph(settings) as graph:
                graph.pipeline  # spaCy loaded
                text = work / "one.txt"
                times = []
                for n in range(repeat + 1):
                    text.write_text(ARTICLE.format(n=n))
                    took = timed(lambda: (graph.ingest([text]), graph.sentences(["one"]), graph.delete("one")))
                    if n:
                        times.append(took)
                print(f"  {label:12s} ingest + read back + delete one article: {fmt(times)}")
        finally:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=RESULTS / "bbc", help="the BBC library (bench/bbc_qa.py)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of each change (median)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not (args.library / "index" / "meta.json").is_file():
        sys.exit(f"no BBC library in {args.library}: run bench/bbc_qa.py first")
    print("1. BBC library, in-process, models loaded")
    index = bbc_library(args.library, args.repeat)
    print("\n2. growth of the index side, BBC x1 and x10")
    with KnowledgeGraph(Settings.from_env({}).replace(data_dir=args.library)) as graph:
        names = graph.alias_table()
    growth(index, names, args.repeat)
    print("\n3. the graph side")
    graph_writes(args.library, args.repeat)


if __name__ == "__main__":
    main()
