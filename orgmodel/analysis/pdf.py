"""The report as PDF, printed by headless Chromium from the HTML page (clients receive PDFs).

Chromium lays out the same page a browser shows, with the style sheet's
print rules (A4, the appendix on a new page), so the PDF and the HTML never
disagree. Chromium is a system program, not a Python package: where it is
missing the report says so in one line and still writes the HTML.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: where Debian's package puts it (``make test`` installs it); otherwise the first on PATH
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 180


def chromium() -> str | None:
    """The Chromium executable, or None when none is installed."""
    for path in CHROMIUM_PATHS:
        if os.access(path, os.X_OK):
            return path
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(html_path: Path, pdf_path: Path) -> str | None:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium.

    The PDF is written next to its final place and moved there when whole,
    so a failed print never leaves half a file or replaces a good one.

    Returns:
        None when the PDF was written, else one line saying why not.

    """
    browser = chromium()
    if browser is None:
        return "PDF not written: Chromium is not installed (apt-get install chromium); the HTML report is complete"
    tmp = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="orgmodel-pdf-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}",
            html_path.resolve().as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            tmp.unlink(missing_ok=True)
            return f"PDF not written: Chromium failed ({type(exc).__name__}); the HTML report is complete"
    if not tmp.is_file() or tmp.stat().st_size == 0 or not tmp.read_bytes().startswith(b"%PDF"):
        tmp.unlink(missing_ok=True)
        return "PDF not written: Chromium produced no PDF; the HTML report is complete"
    os.replace(tmp, pdf_path)
    return None
