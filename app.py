"""kgqa's composition root: reads the environment once, then serves the web app or runs a command.

``python app.py [--host H] [--port P]`` serves the UI, API, SPARQL endpoint and
widget on one port (the shipped articles are ingested on first start).
``kgqa COMMAND`` runs a command: the graph ones come from ``kg.cli``, the
answering ones from ``retrieval.cli``, and ``serve`` is the web app.
"""

from __future__ import annotations

import os

# Set before any import can load the libraries that read them: nothing may reach for the network at run time.
# ONNX Runtime reads ORT_DISABLE_TELEMETRY when it is imported (later has no effect) and otherwise connects to
# mobile.events.data.microsoft.com; the models are packaged, so the Hugging Face libraries stay offline.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402 (after the environment above)
import logging  # noqa: E402
import sys  # noqa: E402

from kg import ConfigError, KgqaError, Settings
from kg.cli import add_commands, run_command
from retrieval import cli as retrieval_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kgqa",
        description="Knowledge-graph question answering over news articles. Settings: KGQA_* variables (see docs/settings.md).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    _add_serve_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_commands(sub)
    retrieval_cli.add_commands(sub)
    _add_serve_options(sub.add_parser("serve", help="serve the web app (the default when no command is given)"))
    return parser


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to serve on (default: KGQA_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to serve on (default: KGQA_PORT, 7860)")


def serve(settings: Settings, host: str | None, port: int | None) -> int:
    """Open the library (building it from the shipped articles on first start) and serve until interrupted."""
    from web import Services, create_app
    from web import serve as run_server

    # The bound address is part of the settings: the app's own origin and Host allow-list follow from it.
    settings = settings.replace(host=host or settings.host, port=port or settings.port)
    host, port = settings.host, settings.port
    if host in ("0.0.0.0", "::") and not (settings.public_url or settings.allowed_hosts):
        print("kgqa: warning: serving on every interface, but only loopback Host names are answered; set "
              "KGQA_PUBLIC_URL (or KGQA_ALLOWED_HOSTS) to the address people use", file=sys.stderr)
    print(f"kgqa: opening the library in {settings.data_dir} ...", file=sys.stderr)
    try:
        services = Services(settings)
    except KgqaError as exc:
        print(f"kgqa: error: {exc}", file=sys.stderr)
        return 2
    try:
        print(f"kgqa: serving on http://{host}:{port}/  (API docs /docs, SPARQL /sparql, widget /widget.js)",
              file=sys.stderr)
        run_server(create_app(services), host, port)
    finally:
        services.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The application, not the libraries, decides how logs look.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # bm25s sets its own logger to DEBUG; this application wants its index builds quiet.
    logging.getLogger("bm25s").setLevel(logging.INFO if args.verbose else logging.WARNING)
    # rdflib's term module warns about every odd IRI in a user's query the guard parses; the guard reports errors.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as exc:
        print(f"kgqa: error: {exc}", file=sys.stderr)
        return 2
    if args.command in (None, "serve"):
        return serve(settings, args.host, args.port)
    progress = not getattr(args, "quiet", False) and sys.stderr.isatty()
    return run_command(args, settings, open_graph=retrieval_cli.open_for(args.command, progress=progress))


if __name__ == "__main__":
    sys.exit(main())
