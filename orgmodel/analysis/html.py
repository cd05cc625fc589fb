"""The report's HTML: a Jinja2 template, pandas-styled tables and figures embedded as data.

Python code builds the report's content as plain data (sections of
paragraphs, lists, tables and figures); the layout and the style sheet live
in ``templates/``. Nothing on the page refers to a file or address outside
it: figures are base64 PNG data and the style sheet is inline, so a report
opens offline, by e-mail attachment or from a USB stick, exactly as written.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_ENV = Environment(
    loader=PackageLoader("orgmodel.analysis", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass
class Block:
    """One piece of a section: ``kind`` is p, list, table, figure, code, h3 or arm; the template draws each."""

    kind: str
    text: str = ""
    items: Sequence[str] = ()
    css_class: str = ""
    html: str = ""
    src: str = ""
    alt: str = ""
    caption: str = ""


@dataclass
class Section:
    """A headed part of the page."""

    heading: str
    blocks: list[Block] = field(default_factory=list)
    css_class: str = ""

    def add(self, block: Block | None) -> None:
        """Append a block (None is skipped, so optional blocks read as one line)."""
        if block is not None:
            self.blocks.append(block)


def paragraph(text: str, css_class: str = "") -> Block:
    """A paragraph of text (escaped by the template)."""
    return Block("p", text=text, css_class=css_class)


def bullets(items: Iterable[str], css_class: str = "") -> Block:
    """A bullet list."""
    return Block("list", items=list(items), css_class=css_class)


def heading(text: str) -> Block:
    """A sub-heading inside a section."""
    return Block("h3", text=text)


def code(text: str) -> Block:
    """A block of commands to copy."""
    return Block("code", text=text)


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` address."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure(png: bytes, alt: str, caption: str, css_class: str = "") -> Block:
    """A figure embedded as base64 PNG data, with alt text and a caption."""
    return Block("figure", src=data_uri(png), alt=alt, caption=caption, css_class=css_class)


def arm(name: str, description: str, png: bytes | None, details: str = "") -> Block:
    """One arm of the experiment: its name, its description and its small org picture."""
    return Block("arm", text=name, caption=description, src=data_uri(png) if png else "", alt=details)


def table(
    frame: pd.DataFrame,
    css_class: str = "numbers",
    bold_rows: Sequence[bool] | None = None,
    caption: str = "",
    header: bool = True,
) -> Block:
    """A table of already formatted cells, styled with pandas' Styler (cells escaped, no index).

    Args:
        frame: the cells, one column per table column (its names are the heads).
        css_class: the table's class in the style sheet (``numbers`` or ``text``).
        bold_rows: rows to set in bold (the reference arm).
        caption: a caption above the table.
        header: whether to show the column heads.

    """
    frame = frame.reset_index(drop=True)
    # a stable id from the content: the same table is the same HTML, and two tables never share cell ids
    uuid = hashlib.sha1((caption + frame.to_csv()).encode("utf-8")).hexdigest()[:10]
    styler = frame.style.format(escape="html").hide(axis="index").set_table_attributes(f'class="{css_class}"')
    if not header:
        styler = styler.hide(axis="columns")
    if bold_rows is not None:
        bold = list(bold_rows)
        styler = styler.apply(lambda row: ["font-weight: 600" if bold[row.name] else "" for _ in row], axis=1)
    if caption:
        styler = styler.set_caption(caption)
    return Block("table", html=styler.to_html(table_uuid=uuid))


def page(**context: Any) -> str:
    """The whole report page from ``templates/report.html.j2``."""
    return _ENV.get_template("report.html.j2").render(style=_ENV.get_template("report.css").render(), **context)
