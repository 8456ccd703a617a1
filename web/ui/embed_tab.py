"""The Embed tab (being written)."""

from .._services import Services


def build(services: Services) -> None:
    return None
