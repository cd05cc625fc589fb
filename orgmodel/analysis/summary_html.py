"""A small self-contained HTML page for the summaries of ``orgmodel discover`` and ``orgmodel robustness``.

Deliberately independent of the experiment report's template
(:mod:`orgmodel.analysis.html`): these summaries are a heading, a list of
findings, figures embedded as base64 PNG data and blocks of text, and must
open offline exactly as written.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from html import escape

_STYLE = """
body { margin: 0; font: 16px/1.5 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1d2733; }
main { max-width: 1100px; margin: 0 auto; padding: 2rem; }
h1 { color: #1f4e79; font-size: 1.7rem; } h2 { border-bottom: 2px solid #d8dde3; font-size: 1.3rem; margin-top: 2.2rem; }
ul.findings { background: #f3f6f9; border-left: 5px solid #1f4e79; padding: 1rem 1.2rem 1rem 2.2rem; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; border: 1px solid #d8dde3; }
figcaption { color: #5b6675; font-size: .9rem; }
pre { background: #1d2733; color: #f3f6f9; padding: 1rem; overflow-x: auto; font-size: .85rem; }
"""


def heading(text: str, level: int = 2) -> str:
    """A heading of escaped text."""
    return f"<h{level}>{escape(text)}</h{level}>"


def bullets(items: Iterable[str]) -> str:
    """The findings as a list of escaped items."""
    return '<ul class="findings">' + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def figure(png: bytes, caption: str) -> str:
    """A PNG embedded as data, with its caption as alt text too."""
    data = base64.b64encode(png).decode("ascii")
    img = f'<img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
    return f"<figure>{img}<figcaption>{escape(caption)}</figcaption></figure>"


def preformatted(text: str) -> str:
    """A block of text or commands shown as written."""
    return f"<pre><code>{escape(text)}</code></pre>"


def page(title: str, parts: Iterable[str]) -> str:
    """The whole page: the title as heading, then the parts (already HTML)."""
    body = "\n".join([heading(title, 1), *parts])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


__all__ = ["bullets", "figure", "heading", "page", "preformatted"]
