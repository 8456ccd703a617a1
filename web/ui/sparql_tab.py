"""The SPARQL tab: an editor prefilled with the docs' example queries, results as a table, CSV/JSON on demand.

Queries run through :meth:`kg.KnowledgeGraph.query`, the same guarded path as
``kgqa sparql`` and ``/sparql``, so the tab can never do more than the
endpoint. The examples are read from the docs page "Querying the graph"
(``docs/querying.md``), which ``tests/test_readme_queries.py`` runs and checks
against the seed article, so the picker only offers queries known to work.

In the table an IRI is a link: to the app's own page for an IRI of this graph
(under ``KGQA_BASE_IRI``), to the IRI itself for another http(s) IRI (``rel``
``noopener nofollow``), and no link at all for any other scheme (``javascript:``).
Every cell is escaped by MarkupSafe, so no markup from the data can run.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from kg import ForbiddenQuery, KgqaError, QueryResult, QuerySyntaxError, QueryTimeout, Settings
from kg.loading import web_url
from kg.results import Term, term_to_text

from .._limits import client_address
from .._links import local_path
from .._services import Services

__all__ = ["SparqlTab", "build", "example_queries", "cell_html", "QUERYING", "README", "UI_ROWS"]

log = logging.getLogger(__name__)

#: The docs page "Querying the graph" whose examples the picker offers (absent in an installed wheel).
QUERYING = Path(__file__).resolve().parents[2] / "docs" / "querying.md"
#: The old name of :data:`QUERYING`, from when the examples were a README section.
README = QUERYING
#: Rows shown in the browser; the downloads hold every row the query returned.
UI_ROWS = 1000
_FALLBACK = {"Classes and how many of each": "SELECT ?class (COUNT(?x) AS ?n) WHERE { ?x a ?class }\n"
                                             "GROUP BY ?class ORDER BY DESC(?n)\n"}
_DOWNLOAD_MAX_AGE_S = 3600


def example_queries(page: Path = QUERYING) -> dict[str, str]:
    """Title -> query of every example of the docs page: a ``### title`` heading, then a ``sparql`` code block.

    Read with markdown-it-py; the one fallback query when the page is absent (an installed wheel) or has none.
    """
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return dict(_FALLBACK)
    examples: dict[str, str] = {}
    title: str | None = None
    tokens = MarkdownIt("commonmark").parse(text)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            title = tokens[i + 1].content.strip() if token.tag == "h3" else None
        elif token.type == "fence" and token.info.strip() == "sparql" and title and title not in examples:
            examples[title] = token.content
    return examples or dict(_FALLBACK)


#: A result IRI's link; MarkupSafe escapes what is formatted in. Styled here: Gradio's table shows links as text.
_LINK = Markup('<a class="kgqa-iri" href="{}" target="_blank" rel="{}" '
               'style="color: var(--link-text-color, #2563eb); text-decoration: underline">{}</a>')


def cell_html(term: Term | None, settings: Settings) -> str:
    """One table cell as HTML: an IRI is a link (see the module's docstring), everything else escaped text.

    >>> s = Settings()
    >>> print(cell_html(("uri", s.base_iri + "entity/place/iran", None, None), s))  # doctest: +ELLIPSIS
    <a class="kgqa-iri" href="/id/entity/place/iran" target="_blank" rel="noopener" style=...>http://localhost:7860/id/entity/place/iran</a>
    >>> cell_html(("uri", "javascript:alert(1)", None, None), s), cell_html(("literal", "<b>x</b>", None, None), s)
    ('javascript:alert(1)', '&lt;b&gt;x&lt;/b&gt;')
    """
    if term is None:
        return ""
    kind, value = term[0], term[1]
    if kind == "uri":
        local = local_path(value, settings)
        if local is not None:
            return str(_LINK.format(local, "noopener", value))
        if web_url(value) == value:  # http(s) only: a javascript: or data: IRI is shown, never linked
            return str(_LINK.format(value, "noopener nofollow", value))
    return str(escape(value))


@dataclass
class SparqlTab:
    editor: gr.Code
    examples: gr.Dropdown
    run: gr.Button
    results: gr.Dataframe
    message: gr.HTML
    csv: gr.Button  # each writes its file only when clicked
    json: gr.Button


def _grid(result: QueryResult, cell: Callable[[Term | None], str] = term_to_text,
          limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Column names and cells (``cell`` of each term, of the first ``limit`` rows): a SELECT's variables, an ASK's
    boolean, a graph's triples."""
    if result.form == "ASK":
        return ["boolean"], [["true" if result.boolean else "false"]]
    if result.form == "SELECT":
        return list(result.variables), [[cell(t) for t in row] for row in result.rows[:limit]]
    return ["subject", "predicate", "object"], [[cell(t) for t in triple] for triple in result.triples[:limit]]


class _Downloads:
    """Result files in one temporary folder; Gradio copies each into its cache, so old ones are removed."""

    def __init__(self) -> None:
        self._folder: Path | None = None

    def write(self, name: str, text: str) -> str:
        if self._folder is None or not self._folder.is_dir():
            self._folder = Path(tempfile.mkdtemp(prefix="kgqa-sparql-"))
        now = time.time()
        for old in self._folder.iterdir():
            if now - old.stat().st_mtime > _DOWNLOAD_MAX_AGE_S:
                old.unlink(missing_ok=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        path = self._folder / f"{digest}-{name}"
        path.write_text(text, encoding="utf-8")
        return str(path)


def _error_html(exc: KgqaError, settings: Any) -> str:
    if isinstance(exc, QuerySyntaxError):
        where = f" at line {exc.lineno}, column {exc.offset}" if getattr(exc, "lineno", None) else ""
        title = f"Syntax error{where}"
    elif isinstance(exc, QueryTimeout):
        title = (f"Stopped at the {settings.query_timeout:g} s deadline (KGQA_QUERY_TIMEOUT); "
                 "narrow the query or add a LIMIT")
    elif isinstance(exc, ForbiddenQuery):
        title = "Not allowed"
    else:
        title = "The query failed"
    return str(Markup('<div class="kgqa-error" role="alert" style="color: #b91c1c">'
                  '<strong style="color: inherit">{}</strong>'
                  '<pre class="kgqa-sparql-detail" style="white-space: pre-wrap; color: inherit">{}</pre></div>'
                  ).format(title, str(exc)))


def _summary(result: QueryResult, shown: int, row_limit: int) -> str:
    n = len(result)
    noun = {"SELECT": "row", "ASK": "answer"}.get(result.form, "triple")
    parts = [f"{n:,} {noun}{'s' if n != 1 else ''} in {result.elapsed * 1000:.0f} ms"]
    if result.form == "ASK":
        parts = [f"ASK: <strong>{'true' if result.boolean else 'false'}</strong> in {result.elapsed * 1000:.0f} ms"]
    if result.truncated:
        parts.append(f'<strong class="kgqa-sparql-truncated">cut at the row limit of {row_limit:,} '
                     "(KGQA_ROW_LIMIT): the query has more results</strong>")
    if shown < n:
        parts.append(f"the table shows the first {shown:,}; the downloads hold all {n:,}")
    return f'<p class="kgqa-sparql-summary">{"; ".join(parts)}.</p>'


def _download_files(result: QueryResult, columns: list[str], rows: list[list[str]]) -> dict[str, tuple[str, str]]:
    """Kind -> (file name, text) of the downloads of ``result``: CSV, and JSON (JSON-LD for a graph)."""
    if result.form in ("SELECT", "ASK"):
        return {"csv": ("results.csv", result.to_csv()), "json": ("results.json", result.render("json"))}
    return {"csv": ("results.csv", pd.DataFrame(rows, columns=columns).to_csv(index=False)),
            "json": ("results.jsonld", result.to_jsonld())}


#: Clicks the hidden download button once the server has given it the file (Gradio has no "download on click").
_CLICK_DOWNLOAD = """() => {
  const el = document.querySelector("#kgqa-sparql-download");
  const button = el && (el.tagName === "BUTTON" ? el : el.querySelector("button"));
  if (button) button.click();
  return [];
}"""


def build(services: Services) -> SparqlTab:
    """The tab's components and events; call inside a ``gr.Tab``.

    A run shows the table and remembers its query; the CSV and JSON files are
    written only when a download button is clicked (the query runs again then),
    so a run leaves nothing in Gradio's cache.
    """
    examples = example_queries()
    first = next(iter(examples))
    downloads = _Downloads()
    hidden = gr.update(visible=False)
    no_table = gr.update(value=None, visible=False)  # an empty grid would show placeholder headers

    def guarded(text: str, request: gr.Request) -> QueryResult:
        with services.query_slots.take(client_address(request)):
            return services.graph.query(text)

    def run(query: str, request: gr.Request) -> tuple[Any, ...]:
        text = query or ""
        if not text.strip():
            return no_table, '<p class="kgqa-error">Write a query first.</p>', hidden, hidden, ""
        try:
            result = guarded(text, request)
        except KgqaError as exc:
            log.info("SPARQL tab: %s: %s", type(exc).__name__, str(exc).splitlines()[0])
            return no_table, _error_html(exc, services.settings), hidden, hidden, ""
        columns, shown = _grid(result, lambda term: cell_html(term, services.settings), UI_ROWS)
        frame = pd.DataFrame(shown, columns=columns) if columns else pd.DataFrame()
        shown_button = gr.update(visible=True)
        return (gr.update(value=frame, visible=True), _summary(result, len(shown), services.settings.row_limit),
                shown_button, shown_button, text)

    def download(kind: str, text: str, request: gr.Request) -> Any:
        if not (text or "").strip():
            raise gr.Error("Run a query first.")
        try:
            result = guarded(text, request)
        except KgqaError as exc:
            raise gr.Error(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None
        columns, rows = _grid(result)
        name, body = _download_files(result, columns, rows)[kind]
        return gr.update(value=downloads.write(name, body))

    gr.Markdown("Query the facts with SPARQL. kgqa's prefixes (`schema:`, `nif:`, `kgqa:`, `prov:`, `org:`, "
                "`skos:`, `rdfs:` …) need no declaration; the default graph is the union of all articles. "
                f"Queries stop after {services.settings.query_timeout:g} s and return at most "
                f"{services.settings.row_limit:,} rows. The same queries run at `/sparql` for any SPARQL client.")
    picker = gr.Dropdown(choices=list(examples), value=first, label="Example queries", elem_id="kgqa-sparql-examples",
                         interactive=True)
    editor = gr.Code(value=examples[first], language="sql", label="SPARQL query", lines=10, max_lines=30,
                     interactive=True, elem_id="kgqa-sparql-editor")
    last_query = gr.State("")  # the query of the table shown: what the downloads run again
    with gr.Row():
        run_button = gr.Button("Run query", variant="primary", elem_id="kgqa-sparql-run", scale=0, min_width=160)
        csv_button = gr.Button("Download CSV", visible=False, size="md", elem_id="kgqa-sparql-csv",
                               scale=0, min_width=160)
        json_button = gr.Button("Download JSON", visible=False, size="md", elem_id="kgqa-sparql-json",
                                scale=0, min_width=160)
        file = gr.DownloadButton("Save", visible="hidden", elem_id="kgqa-sparql-download")
    message = gr.HTML(elem_id="kgqa-sparql-message")
    results = gr.Dataframe(label="Results", interactive=False, wrap=True, max_height=520, visible=False,
                           datatype="html",  # cells are escaped HTML (cell_html): IRIs are links
                           elem_id="kgqa-sparql-results", buttons=["copy", "fullscreen"])
    picker.change(lambda title: examples.get(title, ""), picker, editor, api_visibility="private")
    run_button.click(run, editor, [results, message, csv_button, json_button, last_query], api_visibility="private",
                     concurrency_limit=None)
    def fetcher(kind: str) -> Any:
        def fetch(text: str, request: gr.Request) -> Any:
            return download(kind, text, request)
        return fetch

    for kind, button in (("csv", csv_button), ("json", json_button)):
        button.click(fetcher(kind), last_query, file, api_visibility="private", concurrency_limit=None).success(
            None, None, None, js=_CLICK_DOWNLOAD, api_visibility="private")
    return SparqlTab(editor=editor, examples=picker, run=run_button, results=results, message=message,
                     csv=csv_button, json=json_button)
