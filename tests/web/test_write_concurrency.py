"""An upload's parse does not make other writes wait (issue 22 item 8, the HTTP side).

The web layer held its own lock around a whole upload, so a delete or an update
waited for a large article to be parsed even after the library stopped holding
its writer lock while parsing. Here the first parse of an upload is held until
a delete of another article has finished.
"""

from __future__ import annotations

import threading
from pathlib import Path

from kg import Settings
from tests.conftest import ENCODER_CACHE
from web import Services


def test_a_delete_does_not_wait_for_an_uploads_parse(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "built", encoder_cache=ENCODER_CACHE, writes="open")
    services = Services(settings, ingest_shipped=False)
    try:
        services.add_file("small.txt", b"Rain in Spain\n\nIt rained in Madrid on Aug. 3. Nobody minded.")
        extractor = services.graph.extractor
        assert extractor is not None
        parse = extractor.docs
        parsing, release = threading.Event(), threading.Event()

        def held_docs(texts):  # noqa: ANN001, ANN202 - the first parse waits until the delete has run
            if not parsing.is_set():
                parsing.set()
                release.wait(60)
            return parse(texts)

        extractor.docs = held_docs  # type: ignore[method-assign]
        body = ("Big news\n\n" + "The council met in Leeds on Monday. " * 200).encode()
        upload = threading.Thread(target=services.add_file, args=("big.txt", body))
        upload.start()
        try:
            assert parsing.wait(60), "the upload never started parsing"
            delete = threading.Thread(target=services.delete, args=("small",))
            delete.start()
            delete.join(20)
            assert not delete.is_alive(), "the delete waited for another upload's parse"
        finally:
            release.set()
            upload.join(120)
        assert sorted(services.graph.article_hashes()) == ["big"]
    finally:
        services.close()
