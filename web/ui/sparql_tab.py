"""The SPARQL tab (being written)."""

from dataclasses import dataclass

import gradio as gr

from .._services import Services


@dataclass
class SparqlTab:
    editor: gr.Code


def build(services: Services) -> SparqlTab:
    return SparqlTab(editor=gr.Code(language="sql", label="SPARQL"))
