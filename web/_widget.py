"""The embeddable widget: ``/widget.js`` and its panel (being written)."""

from fastapi import APIRouter


def widget_router() -> APIRouter:
    return APIRouter()
