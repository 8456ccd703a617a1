"""`python app.py --port P` on a fresh data folder: ingests the shipped articles, serves UI, API and docs on one port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port


@pytest.mark.slow
def test_app_py_serves_everything_on_one_port(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "KGQA_DATA_DIR": str(tmp_path / "built"), "KGQA_ARTICLES_DIR": str(ROOT / "data" / "articles")}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            try:
                if httpx.get(url + "/api/articles", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the app did not come up within 240 s"
            time.sleep(0.5)
        articles = httpx.get(url + "/api/articles", timeout=10).json()["articles"]
        assert [a["id"] for a in articles] == ["000_b3bb278fd8698310"]
        answer = httpx.post(url + "/api/ask", json={"question": "Who is Iran's Defense Minister?"}, timeout=60).json()
        assert "Hatami" in answer["answer"] and answer["citations"]
        home = httpx.get(url + "/", timeout=10)
        assert home.status_code == 200 and "text/html" in home.headers["content-type"]
        assert httpx.get(url + "/docs", timeout=10).status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert "serving on" in (tmp_path / "server.log").read_text()
