"""Benchmark: what one article costs to ingest with fact extraction, by size, up to 1 MB (issue 22 item 8).

Each article is ingested alone into a fresh embedded store (load, segment,
split, parse, rules, RDF, write: what an ingest does under the writer lock),
for three shapes of text:

* ``article``: news paragraphs (BBC bodies, or the seed article repeated): the baseline;
* ``sentence``: the same text as one sentence (full stops turned into commas, no paragraph breaks),
  the shape that took 25 s at 80 KB and over 21 min at 1 MB before the fix;
* ``adversarial``: one paragraph of the splitter's and the rules' worst cases (abbreviations,
  acronyms in brackets, lower-case after full stops, names only).

Prints wall time and microseconds per character (medians of ``--repeat`` runs
up to 30 KB, one run above), each row's cost per character against the
baseline measured in the same run (``article`` at the smallest size), the
part of the time a library's writer lock is held (the article is parsed ahead
of it, as :class:`retrieval.Library` does), and per shape the cost per
character at the largest size over the smallest (1.0 is linear).

    .venv/bin/python bench/extraction_scaling.py [--sizes 10000 30000 100000 300000 1000000]
        [--shapes article sentence adversarial] [--repeat 3] [--no-ahead]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import KnowledgeGraph, Settings, load_file  # noqa: E402

CORPUS = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
SEED = ROOT / "data" / "articles"
REPEAT_UP_TO = 30_000  # larger sizes run once, so the default run stays under 5 minutes (1 MB: ~50 s a run)
# Numbered, so that no two pieces of the text are the same (a parse ahead parses a repeated piece once).
ADVERSARIAL = ("the U.S. and Mr. Smith met Gen. Lee in the (Big) Org (BO) offices, then he said. then it went on "
               "John Smith Jones Brown Peter Mary (PMJ) of the U.N. Aug. {day} said Lt. Col. Ray {n}, ")


def source_text() -> str:
    """News paragraphs to cut articles from: the BBC corpus when present, else the shipped articles."""
    if CORPUS.is_file():
        articles = [a for a in load_file(CORPUS, max_bytes=10**9, max_chars=10**7) if not isinstance(a, Exception)]
    else:
        articles = [a for p in sorted(SEED.glob("*")) for a in load_file(p) if not isinstance(a, Exception)]
    paragraphs = [p.strip() for a in articles for p in a.text.split("\n\n")[1:] if len(p.strip()) > 80]
    return "\n\n".join(paragraphs)


def make_article(shape: str, size: int, news: str) -> str:
    """An article text of ``size`` characters (headline included) in ``shape``."""
    headline = f"A {shape} of {size:,} characters\n\n"
    room = size - len(headline) - 1
    if shape == "article":
        body = news
    elif shape == "sentence":
        body = " ".join(news.replace(". ", ", ").replace(".\n", ", ").split())
    else:
        body = "".join(ADVERSARIAL.format(day=n % 28 + 1, n=n) for n in range(room // len(ADVERSARIAL) + 1))
    body = (body * (room // len(body) + 1))[:room].rstrip()
    return headline + body + "."


def ingest_once(text: str, folder: Path, *, ahead: bool = True) -> tuple[float, float]:
    """Seconds to ingest ``text`` as one article into a fresh embedded store in ``folder``, and of them the
    seconds a :class:`retrieval.Library` would hold its writer lock: all of them with ``ahead=False`` (the
    parse inside the ingest, as before issue 22), else the ingest after its parse ahead."""
    folder.mkdir(parents=True)
    path = folder / "article.txt"
    path.write_text(text, encoding="utf-8")
    settings = Settings(data_dir=folder / "built", nlp_model="en_core_web_sm", max_article_chars=max(len(text), 10))
    with KnowledgeGraph(settings) as graph:
        started = time.perf_counter()
        if ahead:
            from kg.ingest import articles_to_parse  # new with issue 22; --no-ahead runs on older code

            items = articles_to_parse([path], graph.article_hashes(), graph.iris, graph.pipeline,
                                      max_bytes=10**9, max_chars=settings.max_article_chars)
            with graph.extractor.prepared(items):
                locked = time.perf_counter()
                report = graph.ingest([path])
        else:
            locked = started
            report = graph.ingest([path])
        done = time.perf_counter()
    if report.errors or report.stored != 1:
        raise SystemExit(f"ingest failed: {report.summary()}")
    return done - started, done - locked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000, 300_000, 1_000_000],
                        help="article sizes in characters")
    parser.add_argument("--shapes", nargs="+", default=["article", "sentence", "adversarial"],
                        choices=["article", "sentence", "adversarial"])
    parser.add_argument("--repeat", type=int, default=3, help=f"runs per size up to {REPEAT_UP_TO:,} characters")
    parser.add_argument("--no-ahead", dest="ahead", action="store_false",
                        help="parse inside the ingest (what older code did; runs on it)")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    shapes = ["article", *[s for s in args.shapes if s != "article"]]  # the baseline first

    news = source_text()
    with tempfile.TemporaryDirectory() as tmp:
        ingest_once(make_article("article", 2_000, news), Path(tmp) / "warm", ahead=args.ahead)  # loads spaCy
        per_char: dict[tuple[str, int], float] = {}
        print(f"{'shape':<12} {'chars':>10} {'runs':>4} {'median s':>9} {'us/char':>8} {'x baseline':>10} "
              f"{'in lock s':>9}")
        for shape in shapes:
            for size in sizes:
                text = make_article(shape, size, news)
                runs = args.repeat if size <= REPEAT_UP_TO else 1
                timings = [ingest_once(text, Path(tmp) / f"{shape}-{size}-{n}", ahead=args.ahead)
                           for n in range(runs)]
                seconds = statistics.median(t for t, _ in timings)
                locked = statistics.median(t for _, t in timings)
                per_char[shape, size] = seconds / len(text) * 1e6
                baseline = per_char["article", sizes[0]]
                print(f"{shape:<12} {len(text):>10,} {runs:>4} {seconds:>9.2f} {per_char[shape, size]:>8.1f} "
                      f"{per_char[shape, size] / baseline:>9.2f}x {locked:>9.2f}", flush=True)
    print()
    for shape in shapes:
        ratio = per_char[shape, sizes[-1]] / per_char[shape, sizes[0]]
        print(f"{shape}: cost per character at {sizes[-1]:,} / at {sizes[0]:,} = {ratio:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()
