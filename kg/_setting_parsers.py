"""How a ``KGQA_*`` value is read from its text: each parser returns the value or raises ``ValueError`` saying why.

:mod:`kg.settings` declares which parser each setting uses; ``ValueError`` becomes a ``ConfigError`` naming the
variable there.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["WRITE_MODES", "optional", "positive_float", "fraction", "origins", "public_url", "hosts", "proxies", "writes", "non_negative_int", "port", "positive_int"]


def optional(text: str) -> str | None:
    return text.strip() or None


def positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be > 0")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError("must be between 0 and 1")
    return value


def origins(text: str) -> tuple[str, ...]:
    out = []
    for item in text.split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        if origin != "*" and not re.fullmatch(r"https?://[^/?#\s]+", origin):
            raise ValueError(f"{origin!r} is not an origin like https://example.org or http://127.0.0.1:8000")
        out.append(origin)
    return tuple(out)


def public_url(text: str) -> str | None:
    url = text.strip().rstrip("/")
    if not url:
        return None
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", url):
        raise ValueError("must be the URL people open the app at, like https://kgqa.example.org")
    return url


def hosts(text: str) -> tuple[str, ...]:
    out = []
    for item in text.split(","):
        host = item.strip().lower()
        if not host:
            continue
        if not re.fullmatch(r"(\*\.)?[a-z0-9.-]+|\*|\[[0-9a-f:]+\]|[0-9a-f:]+", host):
            raise ValueError(f"{host!r} is not a host name like kgqa.example.org, 10.0.0.5 or *.example.org")
        out.append(host)
    return tuple(out)


def proxies(text: str) -> tuple[str, ...]:
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            # An address or a network; "*" is refused on purpose: trusting everyone lets any client pick its address.
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network like 10.0.0.5 or 10.0.0.0/24") from None
        out.append(item)
    return tuple(out)


#: Who may write (``KGQA_WRITES``).
WRITE_MODES = ("admin", "add", "open")


def writes(text: str) -> str:
    mode = text.strip().lower() or "admin"
    if mode not in WRITE_MODES:
        raise ValueError(f"must be one of {', '.join(WRITE_MODES)}")
    return mode


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be >= 0")
    return value


def port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise ValueError("must be a TCP port, 1-65535")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be > 0")
    return value
