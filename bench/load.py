"""Concurrent users asking questions of the web app while articles are being ingested: latency and errors.

    .venv/bin/python bench/load.py                       # N = 1, 8, 32; 30 s each after a 5 s warm-up (~4-5 min)
    .venv/bin/python bench/load.py --users 1 8 --seconds 20 --no-ingest

Starts ``app.py`` as a subprocess on a free loopback port with a fresh
``KGQA_DATA_DIR`` (``bench/results/load/data``; the first start ingests the
shipped seed article and loads the models), waits until it answers, then for
each level N runs N simulated users for ``--warmup`` + ``--seconds`` seconds
while a background ingest POSTs BBC articles (``/work/shared/bench/bbc``), one
per request, to ``/api/articles``. Half the users call the JSON
API with httpx (``POST /api/ask``, every ``--search-every``-th request
``GET /api/search``), the other half Gradio's own API through
``gradio_client`` (``predict(q, api_name="/ask")``, one ``Client`` per user);
the lone user at N=1 alternates the two, so both kinds have a baseline.
Users loop over the seed dev questions (``tests/qa/seed_dev.jsonl``) plus a
few hand-written and unanswerable ones, each from its own offset, with
``--think`` seconds between requests (default 0: closed loop, no think time).

A request counts if it started inside the measured window; it is an error if
its HTTP status is not 200, it raised, or its body lacks the answer contract
keys (``results`` for a search). Ingest errors (non-201 or a refused file) are
counted apart from ask errors. With N = 1 among the levels, one more N = 1
level runs first with no ingest: the idle baseline, and ``p95(N=1 during the
ingest) / p95(idle)`` is printed (target <= 1.5). Prints, per N, a table by client kind (api ask,
api search, gradio ask, all), the articles stored during the level and the CPU
the server used; then ``p95(N=8)/p95(N=1)`` (target <= 3) and the total ask
errors (target 0). Writes every figure to ``bench/results/load.json`` and the
server's output to ``bench/results/load/app.log``.

The load generator runs on the same machine (2 cores here) as the server, so
its own CPU (printed) competes with the server's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BBC = ROOT.parent / "shared" / "bench" / "bbc" / "articles.jsonl"
SEED = ROOT / "data" / "articles"
DEV = ROOT / "tests" / "qa" / "seed_dev.jsonl"
RESULTS = HERE / "results"

CONTRACT = {"answer", "abstained", "confidence", "citations", "facts", "sparql"}
EXTRA_QUESTIONS = [
    "Who is Iran's Defense Minister?",
    "What did Hatami say?",
    "Who wrote the article?",
    "What does IRGC stand for?",
    "Which officials are quoted?",
    # unanswerable from the seed (and mostly from the BBC articles being ingested)
    "What is the capital of Australia?",
    "Who won the 1998 football World Cup?",
    "How many moons does Neptune have?",
]
KINDS = ("api ask", "api search", "gradio ask")
TIMEOUT = 120.0  # seconds; one request never waits longer than this


def questions() -> list[str]:
    dev = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(dev + EXTRA_QUESTIONS))


def bbc_articles(n: int, seed: int = 7) -> list[dict[str, str]]:
    """``n`` distinct BBC articles, spread over the five categories (exact duplicates dropped)."""
    seen, records = set(), []
    for line in BBC.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        key = (r["title"], r["body"])
        if key not in seen:
            seen.add(key)
            records.append(r)
    random.Random(seed).shuffle(records)
    return [{"id": r["id"], "title": r["title"], "body": r["body"], "category": r["category"],
             "source": r["source"]} for r in records[:n]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in a process group (the app and its query workers), from /proc."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # [2] is pgrp; [11:15] utime, stime and those of reaped children
            total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (everything but idle and iowait), from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


# --- the server ------------------------------------------------------------------------------


class App:
    """``app.py`` in a subprocess (own process group) with a fresh data folder; ``stop()`` ends it."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}"
        data = folder / "data"
        shutil.rmtree(data, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_urlsafe(16)  # writes need the admin token (the default write policy)
        env = {**os.environ, "KGQA_DATA_DIR": str(data), "KGQA_ARTICLES_DIR": str(SEED), "HF_HUB_OFFLINE": "1",
               "KGQA_ADMIN_TOKEN": self.token,
               "TRANSFORMERS_OFFLINE": "1", "KGQA_PORT": str(port), "KGQA_HOST": "127.0.0.1"}
        self.log_path = folder / "app.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                                     cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float) -> float:
        started = time.monotonic()
        deadline = started + timeout
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise SystemExit(f"the app exited with {self.proc.returncode}; see {self.log_path}:\n"
                                     + self.log_path.read_text(errors="replace")[-3000:])
                try:
                    r = client.post(f"{self.url}/api/ask", json={"question": "Who is Iran's Defense Minister?"})
                    if r.status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        raise SystemExit(f"the app did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        try:  # query worker processes the app may have left in its (our) process group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()


# --- users and ingest ----------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    error: str | None


@dataclass
class Level:
    """What one level's threads record; the measured window is [start, end)."""

    start: float = 0.0
    end: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[Sample] = field(default_factory=list)
    ingests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def check_answer(body: Any) -> str | None:
    if not isinstance(body, dict):
        return f"body is {type(body).__name__}, not an answer"
    missing = CONTRACT - body.keys()
    return f"answer lacks {sorted(missing)}" if missing else None


def api_request(client: httpx.Client, q: str, search: bool) -> str | None:
    """One ``POST /api/ask`` (or ``GET /api/search``); the error, or None."""
    try:
        if search:
            r = client.get("/api/search", params={"q": q})
        else:
            r = client.post("/api/ask", json={"question": q})
        if r.status_code != 200:
            return f"HTTP {r.status_code}: {r.text[:200]}"
        if search:
            return None if isinstance(r.json().get("results"), list) else "search body lacks results"
        return check_answer(r.json())
    except Exception as exc:  # noqa: BLE001 - every failure is a counted error
        return f"{type(exc).__name__}: {exc}"[:300]


def gradio_request(client: Any, q: str) -> str | None:
    """One ``predict(q, api_name="/ask")`` through gradio_client (submit + bounded result); the error, or None."""
    try:
        return check_answer(client.submit(q, api_name="/ask").result(timeout=TIMEOUT))
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"[:300]


def user(url: str, level: Level, qs: list[str], offset: int, args: argparse.Namespace, kinds: str) -> None:
    """One simulated user: ``kinds`` is "api", "gradio" or "mixed" (alternates the two; the lone user at N=1)."""
    http = httpx.Client(base_url=url, timeout=TIMEOUT) if kinds != "gradio" else None
    gradio = None
    if kinds != "api":
        from gradio_client import Client

        try:
            gradio = Client(url, verbose=False, httpx_kwargs={"timeout": TIMEOUT})
        except Exception as exc:  # noqa: BLE001
            level.record(Sample("gradio ask", time.perf_counter(), 0.0, f"Client(): {type(exc).__name__}: {exc}"[:300]))
            return
    n_api = 0  # requests this user made through the JSON API, for the every-k-th search
    try:
        i = 0
        while not level.stop.is_set():
            q = qs[(offset + i) % len(qs)]
            use_api = kinds == "api" or (kinds == "mixed" and i % 2 == 0)
            t = time.perf_counter()
            if use_api:
                n_api += 1
                search = args.search_every > 0 and n_api % args.search_every == 0
                kind, error = ("api search" if search else "api ask"), api_request(http, q, search)
            else:
                kind, error = "gradio ask", gradio_request(gradio, q)
            level.record(Sample(kind, t, time.perf_counter() - t, error))
            i += 1
            if args.think:
                level.stop.wait(args.think)
    finally:
        if http is not None:
            http.close()


def ingester(url: str, level: Level, articles: list[dict[str, str]], token: str) -> None:
    """POST one article per request until the level stops or the articles run out."""
    with httpx.Client(base_url=url, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}"}) as client:
        while not level.stop.is_set() and articles:
            record = articles.pop(0)
            name = record["id"].replace("/", "-") + ".json"
            t = time.perf_counter()
            row: dict[str, Any] = {"id": record["id"], "started": t}
            try:
                r = client.post("/api/articles", files=[("files", (name, json.dumps(record).encode(), "application/json"))])
                row["status"] = r.status_code
                if r.status_code == 201:
                    results = r.json()["results"]
                    row["stored"] = sum(len(x["articles"]) for x in results)
                    row["sentences"] = sum(x["sentences"] for x in results)
                    errors = [e for x in results for e in x["errors"]]
                    row["error"] = "; ".join(errors)[:300] or None
                else:
                    row["stored"], row["error"] = 0, f"HTTP {r.status_code}: {r.text[:200]}"
            except Exception as exc:  # noqa: BLE001
                row["stored"], row["error"] = 0, f"{type(exc).__name__}: {exc}"[:300]
            row["seconds"] = time.perf_counter() - t
            with level.lock:
                level.ingests.append(row)


def stats(seconds: list[float], window: float) -> dict[str, Any]:
    a = np.asarray(seconds) * 1000
    if not len(a):
        return {"requests": 0, "p50_ms": None, "p95_ms": None, "max_ms": None, "req_per_s": 0.0}
    return {"requests": int(len(a)), "p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
            "max_ms": float(a.max()), "req_per_s": len(a) / window}


def run_level(url: str, n: int, args: argparse.Namespace, qs: list[str], articles: list[dict[str, str]],
              server_pid: int, *, ingesting: bool = True) -> dict[str, Any]:
    level = Level()
    n_api = n // 2
    kinds = ["mixed"] if n == 1 else ["api"] * n_api + ["gradio"] * (n - n_api)
    threads = [threading.Thread(target=user, args=(url, level, qs, 11 * u, args, kind), name=f"{kind}-{u}",
                                daemon=True) for u, kind in enumerate(kinds)]
    ingest = None
    if ingesting and not args.no_ingest:
        ingest = threading.Thread(target=ingester, args=(url, level, articles, args.token), name="ingest",
                                  daemon=True)
        ingest.start()
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    cpu0, own0, busy0 = group_cpu_seconds(server_pid), time.process_time(), machine_busy_seconds()
    level.start = time.perf_counter()
    time.sleep(args.seconds)
    level.end = time.perf_counter()
    cpu1, own1, busy1 = group_cpu_seconds(server_pid), time.process_time(), machine_busy_seconds()
    level.stop.set()
    for t in threads + ([ingest] if ingest else []):
        t.join(timeout=TIMEOUT + 10)
    window = level.end - level.start

    inside = [s for s in level.samples if level.start <= s.started < level.end]
    errors = [s for s in inside if s.error]
    out: dict[str, Any] = {"users": n, "user_kinds": kinds, "window_s": window, "ingesting": ingest is not None}
    out["kinds"] = {}
    for kind in KINDS:
        mine = [s for s in inside if s.kind == kind]
        out["kinds"][kind] = {**stats([s.seconds for s in mine], window),
                              "errors": sum(1 for s in mine if s.error)}
    asks = [s for s in inside if s.kind != "api search"]
    out["asks"] = {**stats([s.seconds for s in asks], window), "errors": sum(1 for s in asks if s.error)}
    out["all"] = {**stats([s.seconds for s in inside], window), "errors": len(errors)}
    out["error_examples"] = sorted({s.error for s in errors if s.error})[:5]
    out["ask_errors_outside_window"] = sum(1 for s in level.samples if s.error and not level.start <= s.started < level.end)
    done = [r for r in level.ingests if level.start <= r["started"] + r["seconds"] < level.end]
    out["ingest"] = {
        "posts_in_window": len(done), "articles_in_window": sum(r.get("stored", 0) for r in done),
        "articles_in_level": sum(r.get("stored", 0) for r in level.ingests),
        "posts_in_level": len(level.ingests),
        "errors": sum(1 for r in level.ingests if r.get("error")),
        "error_examples": sorted({r["error"] for r in level.ingests if r.get("error")})[:5],
        "post_p50_ms": float(np.median([r["seconds"] for r in level.ingests]) * 1000) if level.ingests else None,
        "ran_dry": ingest is not None and not articles,
    }
    out["server_cpu_cores"] = (cpu1 - cpu0) / window  # the app's process group
    out["loadgen_cpu_cores"] = (own1 - own0) / window
    # Whatever else ran on the machine meanwhile (other jobs): a noisy window is worth a rerun.
    out["other_cpu_cores"] = max(0.0, (busy1 - busy0) / window - out["server_cpu_cores"] - out["loadgen_cpu_cores"])
    return out


def fmt(x: float | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def print_table(levels: list[dict[str, Any]]) -> None:
    print()
    print("| N | client | requests | errors | p50 ms | p95 ms | max ms | req/s | articles ingested during |")
    print("|--:|---|--:|--:|--:|--:|--:|--:|--:|")
    for lv in levels:
        ingest = lv["ingest"]
        during = f"{ingest['articles_in_window']} ({ingest['articles_in_level']} in level)"
        rows = [*((k, lv["kinds"][k]) for k in KINDS if lv["kinds"][k]["requests"]), ("asks (api+gradio)", lv["asks"]),
                ("all", lv["all"])]
        for name, s in rows:
            print(f"| {lv['users']} | {name} | {s['requests']} | {s['errors']} | {fmt(s['p50_ms'])} | {fmt(s['p95_ms'])} "
                  f"| {fmt(s['max_ms'])} | {fmt(s['req_per_s'], 1)} | {during if name == 'all' else ''} |")
    print()
    for lv in levels:
        ingest = lv["ingest"]
        print(f"N={lv['users']:>2}: CPU cores used: server {lv['server_cpu_cores']:.2f}, load generator "
              f"{lv['loadgen_cpu_cores']:.2f}, other processes {lv['other_cpu_cores']:.2f} (of {os.cpu_count()}); "
              f"ingest {ingest['posts_in_level']} POSTs (p50 {fmt(ingest['post_p50_ms'])} ms), "
              f"{ingest['errors']} ingest errors{', ran out of articles' if ingest['ran_dry'] else ''}")
        for e in lv["error_examples"]:
            print(f"    ask error: {e}")
        for e in ingest["error_examples"]:
            print(f"    ingest error: {e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 8, 32], help="levels N (default 1 8 32)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per level (default 30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds at the start of each level")
    parser.add_argument("--think", type=float, default=0.0, help="seconds a user waits between requests (default 0)")
    parser.add_argument("--search-every", type=int, default=5, help="every k-th API-user request is GET /api/search")
    parser.add_argument("--articles", type=int, default=240, help="BBC articles available to the ingest (all levels)")
    parser.add_argument("--no-ingest", action="store_true", help="measure without the background ingest")
    parser.add_argument("--startup-timeout", type=float, default=180.0)
    parser.add_argument("--folder", type=Path, default=RESULTS / "load", help="data folder and app.log go here")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args()

    qs = questions()
    articles = bbc_articles(args.articles)
    started = time.perf_counter()
    app = App(args.folder, free_port())
    levels: list[dict[str, Any]] = []
    try:
        ready = app.wait_ready(args.startup_timeout)
        args.token = app.token
        print(f"app up at {app.url} after {ready:.1f} s (fresh store, seed ingested, models loaded); "
              f"{len(qs)} questions, {len(articles)} BBC articles for the ingest; log {app.log_path}")
        if 1 in args.users and not args.no_ingest:
            # The same single user with no ingest running: the baseline of the during-ingest level.
            idle = run_level(app.url, 1, args, qs, articles, app.proc.pid, ingesting=False)
            print(f"N= 1 idle: {idle['all']['requests']} requests, p50 {fmt(idle['all']['p50_ms'])} ms, "
                  f"p95 {fmt(idle['all']['p95_ms'])} ms", flush=True)
        else:
            idle = None
        for n in args.users:
            lv = run_level(app.url, n, args, qs, articles, app.proc.pid)
            levels.append(lv)
            a = lv["all"]
            print(f"N={n:>2}: {a['requests']} requests, {a['errors']} errors, p50 {fmt(a['p50_ms'])} ms, "
                  f"p95 {fmt(a['p95_ms'])} ms, {lv['ingest']['articles_in_window']} articles ingested in the window",
                  flush=True)
    finally:
        app.stop()
    total = time.perf_counter() - started

    print_table(levels)
    by_n = {lv["users"]: lv for lv in levels}
    summary: dict[str, Any] = {"ask_errors": sum(lv["all"]["errors"] for lv in levels),
                               "ingest_errors": sum(lv["ingest"]["errors"] for lv in levels), "runtime_s": total}
    print()
    if 1 in by_n and 8 in by_n and by_n[1]["all"]["p95_ms"] and by_n[8]["all"]["p95_ms"]:
        ratio = by_n[8]["all"]["p95_ms"] / by_n[1]["all"]["p95_ms"]
        summary["p95_ratio_8_to_1"] = ratio
        summary["p95_ratio_ok"] = ratio <= 3
        print(f"p95(N=8)/p95(N=1) = {ratio:.2f} (target ≤ 3): {'holds' if ratio <= 3 else 'FAILS'}")
        for kind in KINDS:
            one, eight = by_n[1]["kinds"][kind]["p95_ms"], by_n[8]["kinds"][kind]["p95_ms"]
            if one and eight:
                summary[f"p95_ratio_8_to_1 {kind}"] = eight / one
                print(f"    {kind}: p95 {one:,.0f} -> {eight:,.0f} ms, ratio {eight / one:.2f}")
    if idle is not None and 1 in by_n and idle["asks"]["p95_ms"] and by_n[1]["asks"]["p95_ms"]:
        ratio = by_n[1]["asks"]["p95_ms"] / idle["asks"]["p95_ms"]
        summary["idle_ask_p95_ms"], summary["ingest_ask_p95_ms"] = idle["asks"]["p95_ms"], by_n[1]["asks"]["p95_ms"]
        summary["p95_ratio_ingest_to_idle"] = ratio
        print(f"one user, ask p95 during the ingest / idle = {by_n[1]['asks']['p95_ms']:,.0f} / "
              f"{idle['asks']['p95_ms']:,.0f} ms = {ratio:.2f} (target ≤ 1.5): {'holds' if ratio <= 1.5 else 'FAILS'}")
    summary["errors_ok"] = summary["ask_errors"] == 0
    print(f"errors: {summary['ask_errors']} (target 0): {'holds' if summary['errors_ok'] else 'FAILS'}; "
          f"ingest errors: {summary['ingest_errors']}")
    print(f"runtime {total:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    args.out.write_text(json.dumps({"settings": settings, "idle": idle, "levels": levels, "summary": summary,
                                    "cores": os.cpu_count()}, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
