"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (being written)."""

from fastapi import APIRouter


def sparql_router() -> APIRouter:
    return APIRouter()
