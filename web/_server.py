"""Serving the app with uvicorn: in the foreground (``python app.py``) or in a thread (tests, benchmarks).

Both ways configure uvicorn through :func:`uvicorn_options`, so proxy headers
are handled the same everywhere: uvicorn's default trusts ``X-Forwarded-For``
from 127.0.0.1, which lets any local client (or any client of a proxy that
passes the header on) claim a new address per request and slip past the
per-client query limit. Here the headers are read only from the proxies
listed in ``KGQA_TRUSTED_PROXIES``; with none listed they are ignored.

>>> uvicorn_options(())
{'proxy_headers': False, 'forwarded_allow_ips': []}
>>> uvicorn_options(("10.0.0.0/24",))
{'proxy_headers': True, 'forwarded_allow_ips': ['10.0.0.0/24']}
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import uvicorn

__all__ = ["serve", "ServerThread", "uvicorn_options"]

log = logging.getLogger(__name__)


def uvicorn_options(trusted_proxies: Iterable[str]) -> dict[str, Any]:
    """uvicorn's proxy-header options for ``trusted_proxies`` (``KGQA_TRUSTED_PROXIES``; empty: trust none).

    ``forwarded_allow_ips`` is always given: left ``None``, uvicorn would read
    ``FORWARDED_ALLOW_IPS`` from the environment behind the settings' back.
    """
    proxies = [p for p in trusted_proxies if p]
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies}


def _trusted_proxies(app: Any) -> tuple[str, ...]:
    """The app's ``KGQA_TRUSTED_PROXIES`` (``create_app`` keeps its services on ``app.state``); none for other apps."""
    services = getattr(getattr(app, "state", None), "services", None)
    return tuple(getattr(getattr(services, "settings", None), "trusted_proxies", ()) or ())


def serve(app: Any, host: str, port: int, trusted_proxies: Iterable[str] | None = None) -> None:
    """Run until interrupted; ``trusted_proxies`` defaults to the app's settings."""
    proxies = _trusted_proxies(app) if trusted_proxies is None else tuple(trusted_proxies)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5, **uvicorn_options(proxies))


class ServerThread:
    """A real uvicorn server on a loopback port, in a daemon thread; ``with ServerThread(app) as url: ...``."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0,
                 trusted_proxies: Iterable[str] | None = None) -> None:
        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.url = f"http://{host}:{port}"
        proxies = _trusted_proxies(app) if trusted_proxies is None else tuple(trusted_proxies)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2,
                                **uvicorn_options(proxies))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn:{port}", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.05)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
