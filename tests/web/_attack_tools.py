"""Helpers for the issue-11 attack regression tests (tests/web/test_attacks_*.py).

* :class:`LiveApp`: one ``Services`` + ``create_app`` on a real loopback uvicorn
  server (``ServerThread``), built from ``Settings.from_env({KGQA_*: ...})``.
* :class:`SubprocessApp`: the same app in a child process, for attacks that may
  crash the whole server process (a segfault must not take pytest with it).
* Gradio's HTTP event protocol (``/config``, ``/gradio_api/queue/join``,
  ``/gradio_api/queue/data``), driven with plain httpx.
* ``error_of``: the one error shape ``{"error": {"status", "type", "message"}}``.

Every network wait here is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kg import Settings
from tests.conftest import ENCODER_CACHE, ROOT, SEED, free_port

TOKEN = "s3cret-admin-token-for-tests"
HTTP_TIMEOUT = 30.0


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a reply in kgqa's one error shape (asserts the shape)."""
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"not a JSON error body ({response.status_code}): {response.text[:300]!r}") from None
    assert isinstance(body, dict) and set(body) == {"error"}, body
    err = body["error"]
    assert err.get("status") == response.status_code, body
    assert err.get("type") and err.get("message"), body
    return err


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_settings(data_dir: Path, port: int, env: Mapping[str, str]) -> Settings:
    """Settings from ``KGQA_*`` names only (old code ignores names it does not know), plus the paths and port."""
    full = {"KGQA_HOST": "127.0.0.1", "KGQA_PUBLIC_URL": f"http://127.0.0.1:{port}", **env}
    return Settings.from_env(full).replace(data_dir=data_dir, base_iri=f"http://127.0.0.1:{port}/id/", port=port)


@dataclass
class LiveApp:
    """A kgqa app with the seed article, served on ``url`` (== its own origin ``http://127.0.0.1:PORT``)."""

    services: Any
    app: Any
    url: str
    settings: Settings
    token: str | None
    _server: Any = None

    @property
    def origin(self) -> str:
        return self.url

    def client(self, *, timeout: float = HTTP_TIMEOUT, local_address: str | None = None,
               headers: Mapping[str, str] | None = None) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        return httpx.Client(base_url=self.url, timeout=timeout, transport=transport, headers=dict(headers or {}),
                            trust_env=False)

    # --- what the store holds (read through the services, not over HTTP) -------------------------
    def article_ids(self) -> set[str]:
        return set(self.services.graph.article_hashes())

    def hashes(self) -> dict[str, str]:
        return dict(self.services.graph.article_hashes())

    def graph_contains(self, marker: str) -> bool:
        """Whether any literal in any graph contains ``marker`` (kgqa's guarded query path)."""
        q = "ASK { GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(STR(?o), %s)) } }" % json.dumps(marker)
        return bool(self.services.graph.query(q).boolean)

    def store_file(self, name: str, data: bytes) -> list[str]:
        """Store an article file directly through the library (no HTTP, no write policy); its article ids."""
        folder = self.settings.data_dir.parent / "direct"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(data)
        before = self.hashes()
        report = self.services.library.ingest([path])
        assert not report.errors, report.errors
        return sorted(i for i, h in self.hashes().items() if before.get(i) != h)

    def add_victim(self, tag: str = "victim") -> str:
        """Store a throwaway article directly; returns its id."""
        marker = f"{tag}{uuid.uuid4().hex[:10]}"
        ids = self.store_file(f"{marker}.txt", (
            f"Victim article {marker}\n\nThe council of Brenford met on Monday. "
            f"Mayor Alda Renk said the bridge would reopen in May.\n").encode())
        assert ids == [marker], ids
        return marker


def start_live_app(data_dir: Path, env: Mapping[str, str]) -> LiveApp:
    from web import ServerThread, Services, create_app

    port = free_port()
    settings = make_settings(data_dir, port, env)
    services = Services(settings, ingest_shipped=False)
    try:
        services.library.ingest([SEED])
        app = create_app(services)
        server = ServerThread(app, port=port)
        url = server.__enter__()
    except BaseException:
        services.close()
        raise
    return LiveApp(services=services, app=app, url=url, settings=settings, token=env.get("KGQA_ADMIN_TOKEN"),
                   _server=server)


def stop_live_app(live: LiveApp) -> None:
    try:
        live._server.__exit__(None, None, None)
    finally:
        live.services.close()


# --- an app in a child process ------------------------------------------------------------------------

_CHILD = r"""
import os, sys
from kg import Settings
from web import Services, create_app, serve
settings = Settings.from_env(os.environ)
services = Services(settings, ingest_shipped=False)
services.library.ingest([sys.argv[1]])
serve(create_app(services), settings.host, settings.port)
"""


class SubprocessApp:
    """kgqa in its own process (``serve``), restarted on demand if an attack killed it."""

    def __init__(self, data_dir: Path, env: Mapping[str, str]) -> None:
        self.data_dir = data_dir
        self.env = dict(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ensure(self, wait_s: float = 180) -> str:
        """The URL of a running server (started or restarted here)."""
        if self.alive():
            return self.url
        self.stop()
        port = free_port()
        data_dir = self.data_dir / f"run{self.starts}"
        self.starts += 1
        env = {k: v for k, v in os.environ.items() if not k.startswith("KGQA_")}
        env.update({
            "PYTHONPATH": str(ROOT),  # the tree under test, whatever is installed
            "HF_HUB_OFFLINE": "1",
            "KGQA_HOST": "127.0.0.1",
            "KGQA_PORT": str(port),
            "KGQA_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "KGQA_BASE_IRI": f"http://127.0.0.1:{port}/id/",
            "KGQA_DATA_DIR": str(data_dir),
            "KGQA_ENCODER_CACHE": str(ENCODER_CACHE),
            **self.env,
        })
        self.log = open(self.data_dir / f"server{self.starts}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(SEED)], cwd=str(ROOT), env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the kgqa server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/api/articles", timeout=2, trust_env=False).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the kgqa server did not start within {wait_s:.0f} s")

    def log_tail(self) -> str:
        try:
            return Path(self.log.name).read_text(errors="replace")[-2000:]
        except (OSError, AttributeError):
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


# --- Gradio's event protocol over plain HTTP ----------------------------------------------------------

@dataclass
class GradioEvent:
    """What one event did: the queue/join reply, and the SSE messages read (ending with process_completed)."""

    join_status: int
    join_body: Any
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def completed(self) -> dict[str, Any] | None:
        return next((m for m in self.messages if m.get("msg") == "process_completed"), None)

    @property
    def succeeded(self) -> bool:
        done = self.completed
        return bool(self.join_status == 200 and done and done.get("success"))


def gradio_config(client: httpx.Client, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    r = client.get("/config", headers=dict(headers or {}), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r.json()


def components(config: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    return {c["id"]: c for c in config["components"]}


def _text_of(component: Mapping[str, Any]) -> str:
    props = component.get("props", {})
    return " ".join(str(props.get(k) or "") for k in ("elem_id", "label", "placeholder", "info")).lower()


def is_token_input(component: Mapping[str, Any]) -> bool:
    """A textbox that asks for the admin token (the fix may add one to the Articles tab)."""
    props = component.get("props", {})
    return (component.get("type") in ("textbox", "password")
            and ("token" in _text_of(component) or props.get("type") == "password"))


def find_dependency(config: Mapping[str, Any], pred: Callable[[dict[str, Any], dict[int, dict[str, Any]]], bool]
                    ) -> tuple[int, dict[str, Any]] | None:
    comps = components(config)
    for i, dep in enumerate(config["dependencies"]):
        if pred(dep, comps):
            return dep.get("id", i), dep
    return None


def upload_dependency(config: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The Articles tab's "Add files" event: its inputs include the file component ``kgqa-upload``."""
    return find_dependency(config, lambda dep, comps: any(
        comps[i].get("type") == "file" and comps[i]["props"].get("elem_id") == "kgqa-upload"
        for i in dep["inputs"] if i in comps))


def delete_dependency(config: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The Articles tab's delete event (its "Yes, delete it" button): the function named ``delete``, or one fed by
    a "Delete an article" list."""
    def pred(dep: dict[str, Any], comps: dict[int, dict[str, Any]]) -> bool:
        if str(dep.get("api_name") or "").startswith("delete"):
            return True
        return any(comps[i].get("type") == "dropdown" and "delete" in _text_of(comps[i])
                   for i in dep["inputs"] if i in comps)
    return find_dependency(config, pred)


def open_dependency(config: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The Articles tab's "open an article" event: a select on the table ``kgqa-articles``."""
    def pred(dep: dict[str, Any], comps: dict[int, dict[str, Any]]) -> bool:
        return any(len(t) > 1 and t[1] == "select" and t[0] in comps
                   and comps[t[0]].get("props", {}).get("elem_id") == "kgqa-articles" for t in dep.get("targets") or [])
    return find_dependency(config, pred)


def refresh_for(config: Mapping[str, Any], component_id: int) -> tuple[int, dict[str, Any]] | None:
    """An event without inputs that refreshes ``component_id`` (page load or "Refresh list"): it fills a
    dropdown's choices for the session, which Gradio checks a submitted value against."""
    return find_dependency(config, lambda dep, comps: not dep["inputs"] and component_id in dep.get("outputs", []))


def paste_dependency(config: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """The Articles tab's "Add pasted text" event: its inputs include the textbox ``kgqa-paste``."""
    return find_dependency(config, lambda dep, comps: any(
        comps[i]["props"].get("elem_id") == "kgqa-paste" for i in dep["inputs"] if i in comps))


def event_data(config: Mapping[str, Any], dep: Mapping[str, Any],
               fill: Callable[[dict[str, Any]], Any]) -> list[Any]:
    """The ``data`` list for ``dep``: ``fill(component)`` for each input, in order."""
    comps = components(config)
    return [fill(comps[i]) for i in dep["inputs"]]


def run_event(client: httpx.Client, config: Mapping[str, Any], fn_index: int, dep: Mapping[str, Any],
              data: list[Any], *, headers: Mapping[str, str] | None = None, wait_s: float = 60,
              session: str | None = None, event_data: Mapping[str, Any] | None = None) -> GradioEvent:
    """POST queue/join, then read queue/data until process_completed (or the deadline).

    ``event_data`` is what the browser sends with a select event (e.g. ``{"index": [0, 1], "value": ...}``).
    """
    prefix = config.get("api_prefix") or "/gradio_api"
    session = session or uuid.uuid4().hex[:12]
    targets = dep.get("targets") or [[None]]
    body = {"data": data, "event_data": dict(event_data) if event_data else None, "fn_index": fn_index,
            "trigger_id": targets[0][0], "session_hash": session}
    r = client.post(f"{prefix}/queue/join", json=body, headers=dict(headers or {}), timeout=HTTP_TIMEOUT)
    try:
        join_body: Any = r.json()
    except ValueError:
        join_body = r.text
    event = GradioEvent(r.status_code, join_body)
    if r.status_code != 200:
        return event
    deadline = time.monotonic() + wait_s
    with client.stream("GET", f"{prefix}/queue/data", params={"session_hash": session},
                       headers=dict(headers or {}), timeout=httpx.Timeout(15.0, read=15.0)) as stream:
        if stream.status_code != 200:
            return event
        for line in _lines(stream, deadline):
            if not line.startswith("data:"):
                continue
            try:
                message = json.loads(line[5:].strip())
            except ValueError:
                continue
            event.messages.append(message)
            if message.get("msg") in ("process_completed", "unexpected_error"):
                break
    return event


def _lines(stream: httpx.Response, deadline: float) -> Iterator[str]:
    for line in stream.iter_lines():
        yield line
        if time.monotonic() > deadline:
            return


def file_payload(path: Path) -> dict[str, Any]:
    """A Gradio FileData naming an arbitrary server path, as a hostile client sends it."""
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}, "orig_name": path.name}
