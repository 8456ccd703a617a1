"""The Chat tab: answer first, numbered footnotes, "How this was found", follow-ups, streaming.

The example chips are the store's own (:mod:`web._examples`), worked out again
when the page loads or the tab is opened after an ingest or a delete. A question
over the length limit is refused with the very message the API gives (it comes
from :func:`retrieval.analyse.analyse`), never cut short by the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr
from markupsafe import Markup, escape

from kg import KgqaError
from retrieval import Answer, Turn
from retrieval.analyse import MAX_QUESTION_CHARS, analyse

from .._examples import ExampleQuestions
from .._links import local_path
from .._templates import PageTemplates
from .._services import Services
from .render import answer_html

__all__ = ["ChatTab", "build", "examples_of"]

log = logging.getLogger(__name__)

#: Chips shown at once (the store gives at most ``web._examples.MAX_EXAMPLES``).
MAX_CHIPS = 10


@dataclass
class ChatTab:
    chatbot: gr.Chatbot
    question: gr.Textbox
    open_sparql: gr.Button
    last_sparql: gr.State
    examples: gr.Dataset  # the chips; ``refresh_examples`` fills them
    refresh_examples: Callable[[], Any]


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def examples_of(services: Services) -> ExampleQuestions:
    """The store's example questions, each one the answerer answers (an abstention drops a candidate)."""
    return ExampleQuestions(lambda: services.graph, lambda: services.library.snapshot().generation,
                            lambda question: not services.ask(question)[1].abstained)


def _too_long(text: str, services: Services) -> None:
    """Raise the analyse stage's own ``ValueError`` for a question over the limit, before any other work.

    The API's 400 carries the same message, so the chat and the API explain it in the same words.
    """
    if len(text) > MAX_QUESTION_CHARS:
        retriever = services.answerer.retriever
        analyse(text, retriever.names, retriever.index)


def build(services: Services) -> ChatTab:
    """The tab's components and events; call inside a ``gr.Tab``."""
    link = lambda iri: local_path(iri, services.settings)  # noqa: E731
    examples_now = examples_of(services)
    templates = PageTemplates(services.settings)  # built once; only read from here on (Jinja2 allows that)

    def render(answer: Answer) -> str:
        return answer_html(answer, [services.neighbours(c) for c in answer.citations], link, templates)

    def respond(message: str, chat: list[dict[str, Any]], turns: list[dict[str, str]]
                ) -> Iterator[tuple[Any, ...]]:
        text = " ".join((message or "").split())
        if not text:
            raise gr.Error("Type a question first.")
        chat = [*chat, _message("user", str(escape(text))), _message("assistant", "<em>Searching the articles…</em>")]
        yield "", chat, turns, gr.update(visible=False), None
        history = [Turn(t["question"], t["answer"]) for t in turns[-5:]]
        try:
            _too_long(text, services)
            resolved = services.answerer.resolve(text, history)
            final: Answer | None = None
            written = ""
            for chunk in services.answerer.stream(resolved):
                if isinstance(chunk, Answer):
                    final = chunk
                    break
                written += chunk
                chat[-1] = _message("assistant", str(Markup('<p class="kgqa-answer">{}</p>').format(written)))
                yield "", chat, turns, gr.update(visible=False), None
        except (KgqaError, ValueError) as exc:
            chat[-1] = _message("assistant", str(Markup('<p class="kgqa-error">{}</p>').format(str(exc))))
            yield "", chat, turns, gr.update(visible=False), None
            return
        assert final is not None
        note = ""
        if resolved != text:
            note = str(Markup('<p class="kgqa-resolved"><small>Understood as: {}</small></p>').format(resolved))
        chat[-1] = _message("assistant", note + render(final))
        turns = [*turns, {"question": resolved, "answer": "" if final.abstained else final.answer}][-10:]
        yield "", chat, turns, gr.update(visible=bool(final.sparql)), final.sparql

    def ask_api(question: str) -> dict[str, Any]:
        """The answer contract as JSON (for gradio_client and scripts)."""
        resolved, answer = services.ask(question)
        return {**answer.to_json(), "question": resolved}

    chatbot = gr.Chatbot(label="kgqa", height=520, elem_id="kgqa-chat", sanitize_html=True, render_markdown=False,
                         buttons=["copy"], feedback_options=None,
                         placeholder="Ask about the stored articles. Every answer cites its sentences.")
    with gr.Row():
        # No max_length: the browser would cut a long question silently; the server says it is too long instead
        # (the event's body is bounded by web._limits).
        question = gr.Textbox(placeholder="Ask a question about the stored articles", show_label=False,
                              scale=8, elem_id="kgqa-question", submit_btn=True)
    turns = gr.State([])
    last_sparql = gr.State(None)
    open_sparql = gr.Button("Open this answer's SPARQL in the SPARQL tab", visible=False, size="sm",
                            elem_id="kgqa-open-sparql")
    examples = gr.Dataset(components=[question], samples=[], label="Example questions", elem_id="kgqa-examples",
                          visible=False, samples_per_page=MAX_CHIPS)

    def refresh_examples() -> Any:
        chips = examples_now.current()
        return gr.Dataset(samples=[[q] for q in chips], visible=bool(chips))

    # Filled when the page loads, and again when the tab is opened (after an ingest or delete in the Articles
    # tab the store's generation has moved on, so the chips are worked out anew; otherwise they are kept).
    gr.on(triggers=None, fn=refresh_examples, inputs=None, outputs=examples, api_visibility="private")
    tab = gr.context.Context.block
    if isinstance(tab, gr.Tab):
        tab.select(refresh_examples, None, examples, api_visibility="private")
    examples.click(lambda sample: (sample or [""])[0], examples, question, api_visibility="private")
    clear = gr.Button("New conversation", size="sm", variant="secondary")
    question.submit(respond, [question, chatbot, turns], [question, chatbot, turns, open_sparql, last_sparql],
                    api_visibility="private", concurrency_limit=None)
    clear.click(lambda: ([], [], gr.update(visible=False), None), None, [chatbot, turns, open_sparql, last_sparql],
                api_visibility="private")
    gr.api(ask_api, api_name="ask", concurrency_limit=None)
    return ChatTab(chatbot=chatbot, question=question, open_sparql=open_sparql, last_sparql=last_sparql,
                   examples=examples, refresh_examples=refresh_examples)
