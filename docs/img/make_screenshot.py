"""Make docs/img/chat.png: the Chat tab of a running app answering a first question, with its citation.

Start the app on the seed first (for example ``.venv/bin/python app.py --port 7871``), then run
``.venv/bin/python docs/img/make_screenshot.py http://127.0.0.1:7871``. Uses Debian's chromium through
Playwright, as the browser tests do; every wait is bounded.
"""

from __future__ import annotations

import argparse
import io
import logging
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

__all__ = ["main", "shoot"]

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parent / "chat.png"
QUESTION = "Who is Iran's Defense Minister?"
#: Wide enough for the tabs and a footnote, short enough to read at a glance in a README.
VIEWPORT = {"width": 1100, "height": 760}
#: The PNG is scaled to this width so the README stays light.
WIDTH = 880


def shoot(url: str, out: Path = OUT) -> Path:
    """Ask QUESTION in the Chat tab at ``url`` and save the page, answer and citation shown, as a small PNG."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(30_000)
            page.goto(url + "/", wait_until="domcontentloaded")
            box = page.locator("#kgqa-question textarea")
            box.wait_for()
            box.fill(QUESTION)
            box.press("Enter")
            page.locator("#kgqa-chat .kgqa-citation").first.wait_for(timeout=90_000)
            page.wait_for_timeout(500)  # let the last frame of the answer paint
            png = page.screenshot(full_page=False)
        finally:
            browser.close()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    image.save(out, format="PNG", optimize=True)
    log.info("wrote %s (%d bytes)", out, out.stat().st_size)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="where the app runs, e.g. http://127.0.0.1:7871")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shoot(args.url.rstrip("/"), args.out)


if __name__ == "__main__":
    main()
