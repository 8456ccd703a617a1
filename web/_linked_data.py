"""The graph's IRIs dereferenced (being written)."""

from fastapi import APIRouter

from kg import Settings


def linked_data_router(settings: Settings) -> APIRouter:
    return APIRouter()
