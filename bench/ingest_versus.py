"""Benchmark: the BBC ingest into the graph with this tree's code against an earlier commit's, in one run.

Each side runs in its own process, alternating ``--rounds`` times (base, this,
base, this ...), and ingests every article of ``../shared/bench/bbc`` into an
empty embedded store with extraction on (``KGQA_NLP_PROCESSES`` as set,
default 2): segmenting, parsing, entity resolution, RDF and the store writes
(the entity graph included), which is what facts and resolution cost. The
passage index is left out: neither side changes it. The earlier commit is
checked out in a temporary ``git worktree`` and run with this tree's venv.
Prints the median seconds of each side, their ratio, and the triples each
wrote.

    .venv/bin/python bench/ingest_versus.py [--base 8480cd2] [--rounds 1] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"

#: Runs in the side's own folder, so ``import kg`` is that side's code.
_INGEST = """
import json, sys, time
from pathlib import Path
from kg import KnowledgeGraph, Settings
settings = Settings(data_dir=Path(sys.argv[1]), nlp_processes=int(sys.argv[3]))
started = time.perf_counter()
with KnowledgeGraph(settings) as graph:
    report = graph.ingest([Path(sys.argv[2])])
print(json.dumps({"seconds": time.perf_counter() - started, "stored": report.stored, "triples": report.triples,
                  "errors": len(report.errors)}))
"""


def _run(folder: Path, source: Path, processes: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kgqa-ingest-versus-") as tmp:
        out = subprocess.run([sys.executable, "-c", _INGEST, str(Path(tmp) / "built"), str(source), str(processes)],
                             cwd=folder, capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": str(folder)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="8480cd2", help="the earlier commit (default: the start of issue 24's entity graph)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    args = parser.parse_args()
    processes = int(os.environ.get("KGQA_NLP_PROCESSES", "2"))
    with tempfile.TemporaryDirectory(prefix="kgqa-versus-") as tmp:
        source = BBC
        if args.limit:
            source = Path(tmp) / "sample.jsonl"
            source.write_text("".join(BBC.read_text(encoding="utf-8").splitlines(keepends=True)[: args.limit]))
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base], cwd=ROOT, check=True)
        try:
            runs: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
            for n in range(args.rounds):
                for side, folder in (("base", base), ("this", ROOT)):
                    result = _run(folder, source, processes)
                    runs[side].append(result)
                    print(f"round {n + 1} {side}: {result['seconds']:.1f} s, {result['stored']:,} articles, "
                          f"{result['triples']:,} triples", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    medians = {side: statistics.median(r["seconds"] for r in rs) for side, rs in runs.items()}
    print(f"\nBBC ingest into the graph, {processes} parse processes, median of {args.rounds}:")
    print(f"  {args.base}: {medians['base']:.1f} s   this tree: {medians['this']:.1f} s   "
          f"ratio {medians['this'] / medians['base']:.2f} (target <= 1.10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
