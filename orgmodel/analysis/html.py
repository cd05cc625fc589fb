"""Self-contained HTML pieces for reports: escaped text, tables, embedded figures, one inline stylesheet.

Nothing here refers to a file or address outside the page: figures are
embedded as base64 PNG data and the style sheet is inline, so a report opens
offline, by e-mail attachment or from a USB stick, exactly as it was written.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape

STYLE = """
:root { --ink: #1d2733; --muted: #5b6675; --rule: #d8dde3; --accent: #1f4e79; --soft: #f3f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.55 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 2.2rem 2rem 4rem; }
h1 { font-size: 2.1rem; margin: 0 0 .3rem; color: var(--accent); }
h2 { font-size: 1.45rem; margin: 2.6rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; }
p.question { font-size: 1.25rem; margin: .2rem 0 .6rem; }
p.meta, p.note, figcaption { color: var(--muted); font-size: .92rem; }
ul.findings { background: var(--soft); border-left: 5px solid var(--accent); padding: 1rem 1.4rem 1rem 2.4rem; }
ul.findings li { margin: .45rem 0; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .92rem; width: 100%; }
th, td { padding: .42rem .65rem; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
table.numbers td:not(:first-child) { white-space: nowrap; }
table.text td, table.text th { text-align: left; }
table.text td:first-child { white-space: nowrap; color: var(--muted); }
tr.reference td { font-weight: 600; }
figure { margin: 1.4rem 0 2rem; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
pre { background: #1d2733; color: #f3f6f9; padding: 1rem 1.2rem; overflow-x: auto; font-size: .95rem; border-radius: 4px; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; }
.warning { background: #fff4e5; border-left: 5px solid #c55a11; padding: .8rem 1.2rem; }
@media print { main { max-width: none; } figure { break-inside: avoid; } }
"""


def text(value: object) -> str:
    """Escaped text."""
    return escape(str(value))


def element(tag: str, content: str, css_class: str | None = None) -> str:
    """``<tag class=...>content</tag>``; ``content`` must already be HTML."""
    attr = f' class="{escape(css_class)}"' if css_class else ""
    return f"<{tag}{attr}>{content}</{tag}>"


def paragraph(value: object, css_class: str | None = None) -> str:
    """A paragraph of escaped text."""
    return element("p", text(value), css_class)


def bullet_list(items: Iterable[object], css_class: str | None = None) -> str:
    """An unordered list of escaped items."""
    return element("ul", "".join(element("li", text(i)) for i in items), css_class)


def table(
    header: Sequence[object] | None,
    rows: Iterable[Sequence[object]],
    css_class: str | None = None,
    row_classes: Sequence[str | None] | None = None,
) -> str:
    """A table of escaped cells (``header`` None: no head row)."""
    head = element("thead", element("tr", "".join(element("th", text(h)) for h in header))) if header else ""
    body = []
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes is not None and i < len(row_classes) else None
        body.append(element("tr", "".join(element("td", text(c)) for c in row), cls))
    return element("table", head + element("tbody", "".join(body)), css_class)


def figure(png: bytes, alt: str, caption: str) -> str:
    """A PNG embedded as base64 data, with alt text and a caption."""
    data = base64.b64encode(png).decode("ascii")
    img = f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
    return element("figure", img + element("figcaption", text(caption)))


def code(command: str) -> str:
    """A block of commands to copy."""
    return element("pre", element("code", text(command)))


def page(title: str, body: str) -> str:
    """A whole HTML document with the inline style sheet."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
