"""HEAD answers wherever GET does: the same status and headers, no body; and the guards judge it as that GET."""

from __future__ import annotations

import pytest

PATHS = ["/articles", "/search?q=defence+minister", "/sparql", "/sparql?query=ASK%20%7B%7D", "/widget/config",
         "/widget.js", "/openapi.json", "/", "/gradio_api/info", "/no-such-page"]


@pytest.mark.parametrize("path", PATHS)
def test_head_is_get_without_the_body(client, path: str) -> None:  # type: ignore[no-untyped-def]
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code != 405
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    if "content-length" in got.headers and path != "/sparql?query=ASK%20%7B%7D":  # a query's timing may vary
        assert head.headers["content-length"] == got.headers["content-length"]


def test_a_head_naming_a_url_for_gradio_to_fetch_is_refused_like_the_get(client) -> None:  # type: ignore[no-untyped-def]
    path = "/gradio_api/file=http://127.0.0.1:9/secret"
    got, head = client.get(path), client.head(path)
    assert got.status_code == head.status_code and got.status_code >= 400 and head.content == b""


@pytest.mark.parametrize("headers", [{"Host": "evil.example"}, {"Origin": "http://evil.example"}],
                         ids=["foreign host", "foreign origin"])
def test_a_head_from_a_foreign_host_or_origin_is_refused_like_the_get(client, headers) -> None:  # type: ignore[no-untyped-def]
    for path in ("/articles", "/widget/panel"):
        got, head = client.get(path, headers=headers), client.head(path, headers=headers)
        assert head.status_code == got.status_code and head.content == b""
    assert client.head("/articles", headers={"Host": "evil.example"}).status_code == 400
