"""Look of the dashboard: projector-sized type, colours, and the one way a chart becomes an image.

A workshop room reads the screen from ten metres away, so everything here is
larger than a web page's defaults. Charts are matplotlib figures on the Agg
canvas (no window, no global pyplot state), turned into PNG bytes once per
model week; the browser only swaps images, so a redraw costs the server a
few tens of milliseconds per chart and the browser nothing.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from orgmodel.analysis.figures import ACTIVITY_COLOURS, ACTIVITY_LABELS

if TYPE_CHECKING:
    from collections.abc import Callable

TITLE = "The stagnation trap: a B2B sales organisation, week by week"

#: salespeople (hunters) in blue, account managers in orange, as in the overview figures
ROLE_COLOURS = {"salesperson": "#1f4e79", "account_manager": "#ed7d31"}
ROLE_LABELS = {"salesperson": "Salesperson", "account_manager": "Account manager"}

#: hunting vs keeping clients, from the overview figures' activity palette
HUNTING_COLOUR = ACTIVITY_COLOURS["prospecting"]
SERVICE_COLOUR = ACTIVITY_COLOURS["servicing"]
REVENUE_COLOUR = "#4472c4"
NEW_CLIENTS_COLOUR = "#2f5597"
PARTIAL_ALPHA = 0.45  # the year still running

DPI = 100
RC = {
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 14,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "figure.dpi": DPI,
}

#: page-wide CSS: larger type for the sidebar and title, slider values always shown
CSS = """
.v-application { font-size: 18px; }
.v-toolbar__title { font-size: 28px !important; font-weight: 600; }
.v-card__title { font-size: 22px !important; }
.v-label, .v-select__selection, .v-input input, .v-btn__content { font-size: 17px !important; }
.v-select.v-text-field { padding-top: 20px; }
.v-select .v-label--active { transform: translateY(-24px) scale(0.95) !important; }
.v-menu__content .v-list-item__title { font-size: 18px !important; line-height: 1.4; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-label { width: 100%; max-width: 100%; margin-bottom: 2px; white-space: normal; }
.v-input__slider .v-slider { margin-top: 38px; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { font-size: 14px; font-weight: 600; }
.orgmodel-monitors { display: flex; flex-wrap: wrap; gap: 14px; margin: 4px 0 12px 0; }
.orgmodel-monitor { flex: 1 1 210px; background: #f3f6fa; border-left: 6px solid #1f4e79;
  border-radius: 4px; padding: 8px 16px; }
.orgmodel-monitor .label { font-size: 17px; color: #444; }
.orgmodel-monitor .value { font-size: 38px; font-weight: 700; line-height: 1.15; color: #111; }
.orgmodel-monitor .note { font-size: 16px; color: #555; }
.orgmodel-chart img { width: 100%; height: auto; }
.orgmodel-message { font-size: 17px; }
"""

__all__ = [
    "ACTIVITY_COLOURS",
    "ACTIVITY_LABELS",
    "CSS",
    "DPI",
    "HUNTING_COLOUR",
    "NEW_CLIENTS_COLOUR",
    "PARTIAL_ALPHA",
    "REVENUE_COLOUR",
    "ROLE_COLOURS",
    "ROLE_LABELS",
    "SERVICE_COLOUR",
    "TITLE",
    "margins",
    "render",
]


def render(draw: Callable[[Figure], None], width: float, height: float) -> bytes:
    """PNG bytes of a ``width`` x ``height`` inch figure that ``draw`` fills, in the dashboard's style."""
    with mpl.rc_context(RC):
        fig = Figure(figsize=(width, height))  # fixed margins (see margins()): a layout engine doubles the cost
        FigureCanvasAgg(fig)
        draw(fig)
        buffer = io.BytesIO()
        # zlib's fastest level: the image only travels to a browser on the same machine; it saves ~45 ms
        # of the ~520 ms that redrawing all six charts takes (the files come out 7% larger)
        fig.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def margins(fig: Figure, left: float = 1.0, right: float = 0.3, bottom: float = 0.8, top: float = 0.55, gap: float = 1.1) -> None:
    """Fixed margins in inches (room for labels and titles at the dashboard's type size); ``gap`` between panels."""
    width, height = fig.get_size_inches()
    panels = max(1, len(fig.axes))
    inner = width - left - right
    fig.subplots_adjust(
        left=left / width,
        right=1.0 - right / width,
        bottom=bottom / height,
        top=1.0 - top / height,
        wspace=gap * panels / max(inner - gap * (panels - 1), 0.1),
    )
