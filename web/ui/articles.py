"""The Articles tab: what is stored (searched, counted, paged, opened), add by upload or paste (with progress and
per-file errors), and delete after a second, explicit confirmation.

The listing is read once per page load, search or write into the session's own
state (an immutable tuple); searching and paging work on it, so turning a page
of the 2,127-article BBC library does not read the store again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio import utils as gradio_utils
from markupsafe import Markup  # Jinja2's escaping: the arguments of format() are escaped

from kg import KgqaError

from .._gradio_guard import GRADIO_UPLOAD_PATHS, UPLOAD_COOKIE
from .._services import UPLOAD_SUFFIXES, Services, UploadResult
from .._templates import PageTemplates
from .article_view import COLUMNS, Listed, article_html, count_text, list_articles, page_of, read_article, search

__all__ = ["ArticlesTab", "build", "in_upload_folder", "COLUMNS"]

log = logging.getLogger(__name__)


@dataclass
class ArticlesTab:
    table: gr.Dataframe
    choice: gr.State  # the id of the opened article (``None`` when none is open)


def in_upload_folder(path: str) -> bool:
    """Whether ``path`` is a file Gradio's upload route wrote (its upload folder), symlinks resolved.

    An event's payload names the path; a client can name any path, so this is
    what stands between the upload handler and the server's files.
    """
    folder = Path(gradio_utils.get_upload_folder()).resolve()
    try:
        return Path(path).resolve(strict=True).is_relative_to(folder)
    except (OSError, RuntimeError, ValueError):
        return False


_UPLOAD_COOKIE_JS = f"""(token) => {{
  const path = location.pathname.replace(/[^/]*$/, "") + "{GRADIO_UPLOAD_PATHS[0].lstrip('/')}";
  const secure = location.protocol === "https:" ? "; Secure" : "";
  const value = encodeURIComponent((token || "").trim());
  document.cookie = "{UPLOAD_COOKIE}=" + value + "; Path=" + path + "; SameSite=Strict" + secure
    + (value ? "" : "; Max-Age=0");
  return [];
}}"""


def _write_note(services: Services) -> str:
    policy = services.policy
    if not policy.possible("add"):
        return ("Adding and deleting articles is switched off on this server (no admin token is set). Its operator "
                "can set `KGQA_ADMIN_TOKEN`, or `KGQA_WRITES=open` on a single-user machine; `kgqa ingest` always works.")
    if policy.open_to_anyone("delete"):
        return ""
    if policy.open_to_anyone("add"):
        return "Anyone may add new articles here; replacing or deleting one needs the admin token."
    return "Adding, replacing and deleting articles needs the admin token."


def build(services: Services) -> ArticlesTab:
    """The tab's components and events; call inside a ``gr.Tab``.

    Write actions follow the write policy: hidden when no one can write over
    HTTP, behind an admin-token field when the token is needed. A delete asks
    first: the Delete button only shows what would go, with Cancel beside the
    one button that deletes.
    """
    limit = f"{services.settings.max_file_mb:g} MB"
    policy = services.policy
    templates = PageTemplates(services.settings)  # built once; only read from here on (Jinja2 allows that)

    def report_of(results: list[UploadResult]) -> str:
        return templates.render("ui_upload_report.html", results=results)

    def given(token: str | None) -> str | None:
        return (token or "").strip() or None

    # --- the listing: read into the session's state, then searched and paged there --------------------------

    def shown(listing: tuple[Listed, ...], query: str | None, number: int) -> tuple[Any, ...]:
        """Table, count, page label, page number and the two paging buttons for one page of the search."""
        matched = search(listing or (), query)
        page = page_of(matched, number or 1)
        table = pd.DataFrame([x.cells() for x in page.items], columns=COLUMNS)
        counted = count_text(len(matched), len(listing or ()), query)
        count = Markup('<p class="kgqa-article-count">{}</p>').format(counted)
        return (table, str(count), str(Markup("<p>{}</p>").format(page.label)), page.number,
                gr.update(interactive=page.number > 1), gr.update(interactive=page.number < page.pages))

    def refresh(query: str | None, number: int) -> tuple[Any, ...]:
        listing = list_articles(services)
        return (listing, *shown(listing, query, number))

    # --- one article opened, and its delete behind a confirmation --------------------------------------------

    def closed(message: str = "") -> tuple[Any, ...]:
        """No article open: (opened id, view, delete button, confirmation row, prompt)."""
        return None, message, gr.update(visible=False), gr.update(visible=False), ""

    def open_article(listing: tuple[Listed, ...], query: str | None, number: int,
                     evt: gr.SelectData) -> tuple[Any, ...]:
        # The row is looked up in the page this session was shown (server-side state), not taken from the client.
        page = page_of(search(listing or (), query), number or 1)
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if not isinstance(row, int) or not 0 <= row < len(page.items):
            return closed()
        article_id = page.items[row].row.id
        try:
            detail = read_article(services, article_id)
        except KgqaError as exc:
            raise gr.Error(str(exc)) from None
        if detail is None:
            gone = Markup("<p><code>{}</code> is no longer stored; refresh the list.</p>").format(article_id)
            return closed(str(gone))
        return (article_id, article_html(detail, templates), gr.update(visible=can_delete),
                gr.update(visible=False), "")

    def ask_to_delete(article_id: str | None, listing: tuple[Listed, ...]) -> tuple[Any, ...]:
        if not article_id:
            raise gr.Error("Open an article first.")
        headline = next((x.row.headline for x in listing or () if x.row.id == article_id), None)
        return gr.update(visible=True), templates.render("ui_delete_prompt.html", article_id=article_id,
                                                         headline=headline)

    def delete(article_id: str | None, token: str | None, query: str | None, number: int) -> tuple[Any, ...]:
        if not article_id:
            raise gr.Error("Open an article first.")
        try:
            services.delete(article_id, token=given(token))
        except KgqaError as exc:
            raise gr.Error(str(exc)) from None
        return (str(Markup("<p>Deleted <code>{}</code>.</p>").format(article_id)), *closed(), *refresh(query, number))

    # --- adding -------------------------------------------------------------------------------------------

    def upload(files: list[str] | None, token: str | None, query: str | None, number: int,
               progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        try:  # first: without the right to add, Gradio's upload route refused the files, so none arrive
            policy.check("add", given(token))
        except KgqaError as exc:
            raise gr.Error(str(exc)) from None
        if not files:
            raise gr.Error("Choose one or more files first.")
        results = []
        for i, path in enumerate(files):
            name = Path(path).name
            progress((i, len(files)), desc=f"Ingesting {name}", unit="files")
            if not in_upload_folder(path):
                log.warning("Articles tab: refused a file outside Gradio's upload folder: %r", path)
                results.append(UploadResult(name, [], ["this file was not uploaded through this page"]))
                continue
            size = Path(path).stat().st_size
            if size > services.max_upload_bytes:
                results.append(UploadResult(name, [], [f"the file is {size / 1e6:.1f} MB, over the {limit} limit"]))
                continue
            try:
                results.append(services.add_file(name, Path(path).read_bytes(), token=given(token)))
            except KgqaError as exc:
                results.append(UploadResult(name, [], [str(exc)]))
            finally:  # the graph holds the text now; Gradio's copy would be served back until its cache is swept
                Path(path).unlink(missing_ok=True)
        progress((len(files), len(files)), desc="Done")
        return (report_of(results), None, *refresh(query, number))

    def paste(title: str, text: str, token: str | None, query: str | None, number: int,
              progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        if not (text or "").strip():
            raise gr.Error("Paste the article's text first.")
        progress(0.1, desc="Ingesting the pasted text")
        try:
            result = services.add_text(text, title or None, token=given(token))
        except KgqaError as exc:
            result = UploadResult("pasted text", [], [str(exc)])
        return (report_of([result]), "", "", *refresh(query, number))

    # --- layout -------------------------------------------------------------------------------------------

    can_add, can_delete = policy.possible("add"), policy.possible("delete")
    listing = gr.State(())
    number = gr.State(1)
    opened = gr.State(None)
    note = _write_note(services)
    gr.Markdown(note, visible=bool(note), elem_id="kgqa-write-note")
    token = gr.Textbox(label="Admin token", type="password", max_lines=1, elem_id="kgqa-admin-token",
                       visible=can_add and (policy.needs_token("add") or policy.needs_token("delete")))
    with gr.Row(visible=can_add):
        with gr.Column():
            files = gr.File(label=f"Upload ({', '.join(UPLOAD_SUFFIXES)}; up to {limit} each)",
                            file_count="multiple", file_types=list(UPLOAD_SUFFIXES), elem_id="kgqa-upload")
            add = gr.Button("Add files", variant="primary", elem_id="kgqa-upload-button")
        with gr.Column():
            title = gr.Textbox(label="Headline (optional)", max_lines=1)
            text = gr.Textbox(label="Or paste an article", lines=6, elem_id="kgqa-paste")
            add_text = gr.Button("Add pasted text", elem_id="kgqa-paste-button")
    report = gr.HTML(elem_id="kgqa-upload-report")
    with gr.Row(equal_height=True):
        query = gr.Textbox(placeholder="Search headlines, ids and authors", show_label=False, max_lines=1,
                           max_length=200, scale=4, elem_id="kgqa-article-search")
        count = gr.HTML(elem_id="kgqa-article-count")
        refresh_button = gr.Button("Refresh list", size="sm", variant="secondary", scale=0)
    # Tall enough for a whole page of rows: the page scrolls, not a box inside it.
    table = gr.Dataframe(headers=COLUMNS, label="Stored articles (click a row to open it)", interactive=False,
                         wrap=True, max_height=1400, elem_id="kgqa-articles")
    with gr.Row(equal_height=True):
        previous = gr.Button("← Previous", size="sm", interactive=False, scale=0, elem_id="kgqa-articles-previous")
        page_label = gr.HTML(elem_id="kgqa-articles-page")
        following = gr.Button("Next →", size="sm", interactive=False, scale=0, elem_id="kgqa-articles-next")
    remove = gr.Button("Delete this article…", variant="stop", size="sm", visible=False, elem_id="kgqa-delete")
    with gr.Row(visible=False, elem_id="kgqa-delete-confirmation") as confirmation:
        prompt = gr.HTML(elem_id="kgqa-delete-prompt")
        confirm = gr.Button("Yes, delete it", variant="stop", scale=0, elem_id="kgqa-delete-confirm")
        cancel = gr.Button("Cancel", variant="secondary", scale=0, elem_id="kgqa-delete-cancel")
    view = gr.HTML(elem_id="kgqa-article-view")

    # --- events -------------------------------------------------------------------------------------------

    paged = [table, count, page_label, number, previous, following]
    listed = [listing, *paged]
    view_parts = [opened, view, remove, confirmation, prompt]
    private = {"api_visibility": "private"}
    # Gradio's browser client uploads a chosen file at once, with no header of ours: the token goes along as a
    # cookie for the upload route only (SameSite=Strict), which GradioGuardMiddleware checks like a Bearer token.
    token.change(None, token, None, js=_UPLOAD_COOKIE_JS, **private)
    gr.on(triggers=None, fn=lambda: refresh("", 1), inputs=None, outputs=listed, **private)  # on page load
    refresh_button.click(refresh, [query, number], listed, **private)
    query.change(lambda rows, q: shown(rows, q, 1), [listing, query], paged, trigger_mode="always_last", **private)
    previous.click(lambda rows, q, n: shown(rows, q, n - 1), [listing, query, number], paged, **private)
    following.click(lambda rows, q, n: shown(rows, q, n + 1), [listing, query, number], paged, **private)
    table.select(open_article, [listing, query, number], view_parts, **private)
    remove.click(ask_to_delete, [opened, listing], [confirmation, prompt], **private)
    cancel.click(lambda: (gr.update(visible=False), ""), None, [confirmation, prompt], **private)
    confirm.click(delete, [opened, token, query, number], [report, *view_parts, *listed], **private)
    add.click(upload, [files, token, query, number], [report, files, *listed], **private)
    add_text.click(paste, [title, text, token, query, number], [report, title, text, *listed], **private)
    # The tab fills itself when the page loads (above); ``load`` only says that no article is open.
    return ArticlesTab(table=table, choice=opened)
