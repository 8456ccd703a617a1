"""BBC ingest in process against ingest on Dask (issue 25 item 3), in one run: throughput, quads, answers.

    .venv/bin/python bench/dask_ingest.py                         # BBC + seed, 2 local workers, scale 200 x1 vs x5
    .venv/bin/python bench/dask_ingest.py --limit 300 --scale-base 100   # a quick look
    .venv/bin/python bench/dask_ingest.py --reuse-local bench/results/dask-ingest.json --skip-scale  # Dask side again
    .venv/bin/python bench/dask_ingest.py --scale-only --scale-base 2127   # the whole corpus at 1x and 5x

1. ``Library.ingest`` (what ``kgqa ingest`` runs) of the BBC corpus and the seed article into an empty
   library, in process (default settings: the parse on one core beside the encoder);
2. the same into another empty library with ``KGQA_DASK_WORKERS=N`` (a ``LocalCluster`` of N worker
   processes on loopback; its start-up is timed apart, the ingest from a started cluster);
3. both libraries: the same quad count (and the same quads), the same entities, and the same answers to the
   seed questions and the BBC dev questions (``tests/qa``), scored as ``bench/bbc_qa.py`` scores them;
4. cost per article on Dask at 1x and 5x a base of ``--scale-base`` articles, the copies under other ids
   (``copyK/<id>``, the headline marked so that no copy is a duplicate), each into an empty library.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(HERE)]

from bbc_qa import scored  # noqa: E402
from check_questions import CORPUS, load_questions, split_of  # noqa: E402
from kg import Settings  # noqa: E402
from kg.entity_graph import entities_graph  # noqa: E402
from retrieval import Answerer, Library  # noqa: E402

SEED = ROOT / "data" / "articles"
_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def ingest(settings: Settings, sources: list[Path]) -> tuple[Library, dict[str, Any]]:
    """A fresh library, its ingest of ``sources`` timed (a Dask cluster started beforehand, timed apart)."""
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    lib = Library(settings)
    figures: dict[str, Any] = {"startup_s": 0.0}
    remote = lib.graph._remote
    if remote is not None:
        started = time.perf_counter()
        remote.client()  # starts the LocalCluster, loads the pipeline on every worker
        figures["startup_s"] = time.perf_counter() - started
    started = time.perf_counter()
    report = lib.ingest(sources, progress=True)
    figures.update(seconds=time.perf_counter() - started, stored=report.stored, errors=len(report.errors),
                   duplicates=len(report.duplicates), sentences=report.sentences)
    return lib, figures


def answers(lib: Library, settings: Settings, rows: list[dict]) -> list[tuple]:
    answerer = Answerer(lib, settings.replace(abstain_below=0.0))
    raw = []
    for r in rows:
        a = answerer.ask(r["question"])
        raw.append((r, a.answer, a.abstained, a.confidence, a.citations[0].sentence if a.citations else ""))
    return raw


def entities(lib: Library) -> set[tuple[str, str]]:
    rows = lib.graph.select(f"SELECT ?e ?l WHERE {{ GRAPH <{entities_graph(lib.graph.iris)}> "
                            "{ ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } }")
    return {(row[0][1], row[1][1]) for row in rows}


def copies(records: list[dict], times: int, path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for k in range(times):
            for r in records:
                copy = r if k == 0 else dict(r, id=f"copy{k}/{r['id']}", title=f"{r['title']} (copy {k})")
                out.write(json.dumps(copy) + "\n")
    return path


def compare(figures: dict[str, Any], kept: dict[str, Any], questions: int) -> None:
    """Print the in-process and Dask figures side by side; add what is the same, and the ratio."""
    (a, b) = kept.values()
    fa, fb = figures.values()
    print(f"\n{'':28s} {'in process':>12s} {'Dask':>12s}")
    for key in ("stored", "sentences", "quads", "entities", "seconds", "startup_s", "strict"):
        print(f"{key:28s} {fa[key]:12.3f} {fb[key]:12.3f}" if isinstance(fa[key], float)
              else f"{key:28s} {fa[key]:12,d} {fb[key]:12,d}")
    same = {"quads": a[0] == b[0], "entities": a[1] == b[1], "answers": a[2] == b[2]}
    ratio = fa["seconds"] / fb["seconds"]
    print(f"throughput Dask / in process: x{ratio:.2f} ({fa['stored'] / fa['seconds']:.2f} vs "
          f"{fb['stored'] / fb['seconds']:.2f} articles/s); same quads {same['quads']}, same entities "
          f"{same['entities']}, same answers on {questions} questions {same['answers']}")
    figures["same"], figures["ratio"], figures["questions"] = same, ratio, questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N BBC articles")
    parser.add_argument("--scale-base", type=int, default=200, help="articles of the 1x run of the scale part")
    parser.add_argument("--multiple", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "dask-ingest")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reuse-local", type=Path, metavar="JSON", help="keep the in-process library of an earlier "
                        "run (in --out) and its figures (its --json file): time only the Dask side")
    parser.add_argument("--skip-scale", action="store_true", help="leave out the 1x / Nx part")
    parser.add_argument("--scale-only", action="store_true", help="only the 1x / Nx part")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = CORPUS
    if args.limit:
        records = records[: args.limit]
        corpus = copies(records, 1, args.out / "corpus.jsonl")
    base = Settings(data_dir=args.out / "local", encoder_cache=HERE / "results" / "encoder")
    on_dask = base.replace(data_dir=args.out / "dask", dask_workers=args.workers)
    ids = {r["id"] for r in records}
    rows = [r for r in load_questions(ROOT / "tests" / "qa")]  # the seed questions
    rows += [r for r in load_questions() if split_of(r["article"]) == "dev" and r["article"] in ids]
    figures: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    for name, settings in () if args.scale_only else (("in process", base), (f"Dask, {args.workers} local workers",
                                                                           on_dask)):
        if args.reuse_local and settings is base:
            lib, f = Library(base), dict(json.loads(args.reuse_local.read_text())["in process"])
        else:
            lib, f = ingest(settings, [corpus, SEED])
        with lib:
            f["quads"] = len(quads := set(lib.graph.select(_QUADS)))
            f["entities"] = len(names := entities(lib))
            raw = answers(lib, settings, rows)
        results = scored(raw, settings.abstain_below)
        f["strict"] = sum(x["strict"] for x in results) / len(results)
        figures[name], kept[name] = f, (quads, names, [(x[1], x[2], round(x[3], 6), x[4]) for x in raw])
        print(f"{name}: {json.dumps(f)}", flush=True)
    if not args.scale_only:
        compare(figures, kept, len(rows))

    # --- cost per article at 1x and Nx --------------------------------------------------------------------
    per: dict[int, float] = {}
    for times in () if args.skip_scale else (1, args.multiple):
        source = copies(records[: args.scale_base], times, args.out / f"x{times}.jsonl")
        lib, f = ingest(on_dask.replace(data_dir=args.out / f"dask-x{times}"), [source])
        lib.close()
        per[times] = f["seconds"] / f["stored"]
        figures[f"x{times}"] = f
        print(f"x{times}: {f['stored']} articles in {f['seconds']:.1f} s, {1000 * per[times]:.0f} ms per article",
              flush=True)
    if per:
        print(f"cost per article at x{args.multiple} / x1 ({args.scale_base} articles a copy): "
              f"{per[args.multiple] / per[1]:.2f}")
        figures["cost_ratio"] = per[args.multiple] / per[1]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
