"""Solara's front-end files, fetched once from the npm registry so the dashboard runs offline.

Solara serves its browser side (the Vue/Vuetify app, requirejs, fonts, the
grid layout) from a cache under ``<venv>/share/solara/cdn/<package>@<version>/``
and fills that cache from a public CDN the first time a browser asks. Training
rooms and these machines have no internet, so the set-up (``make install``)
fills the cache ahead of time from the npm registry: ``npm pack`` each package
and unpack it where Solara looks. The versions are the ones the pinned Solara
(1.64.1, see the ``app`` extra in pyproject.toml) asks for; a Solara upgrade
must update this list (the dashboard's end-to-end test fails on any 404 under
``/_solara/cdn/``).

Run ``python -m orgmodel.dashboard.assets`` to fill the cache (it skips what
is there already).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

#: package@version for each front-end package Solara 1.64.1 loads through its CDN proxy
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/solara-vuetify3-app@5.2.0",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
)


class AssetError(RuntimeError):
    """The cache could not be filled (no npm, registry unreachable, bad package)."""


def cache_dir() -> Path:
    """Where Solara looks for cached CDN files in this environment (its default, ``sys.prefix``-based)."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def missing(root: Path | None = None) -> list[str]:
    """Packages not yet in the cache (an unpacked package has its ``package.json``)."""
    root = root or cache_dir()
    return [p for p in PACKAGES if not (root / p / "package.json").is_file()]


def _unpack(tarball: Path, target: Path) -> None:
    """Unpack an npm tarball (everything under ``package/``) into ``target``."""
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        members = []
        for member in tar.getmembers():
            _head, _, rest = member.name.partition("/")
            if not rest:
                continue
            member.name = rest  # npm packs everything under one top folder (usually "package/")
            members.append(member)
        tar.extractall(staging, members=members, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def fill(root: Path | None = None, npm: str = "npm") -> list[str]:
    """Fetch and unpack every missing package; returns the ones fetched.

    Raises:
        AssetError: npm is missing or a package could not be fetched.

    """
    root = root or cache_dir()
    todo = missing(root)
    if not todo:
        return []
    exe = shutil.which(npm)
    if exe is None:
        raise AssetError(f"'{npm}' not found: install Node.js and npm to fetch Solara's front-end files")
    with tempfile.TemporaryDirectory() as tmp:
        for package in todo:
            done = subprocess.run(
                [exe, "pack", "--silent", "--pack-destination", tmp, package], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                raise AssetError(f"npm pack {package} failed: {' '.join(done.stderr.split())[:300]}")
            tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
            target = root / package
            target.parent.mkdir(parents=True, exist_ok=True)
            _unpack(tarball, target)
    return todo


def main() -> None:
    """Fill the cache; one ``error:`` line and exit code 1 if that fails."""
    try:
        fetched = fill()
    except AssetError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(1) from None
    where = cache_dir()
    print(f"Solara front-end files in {where}: " + (f"fetched {', '.join(fetched)}" if fetched else "all present"))


if __name__ == "__main__":
    main()
