"""The documentation site (issue 17): ``sphinx-build -W`` (warnings are errors) builds the
guide, the notebooks (rendered, not executed), the API reference and "Reproducing the
papers"; the version, the licence and the citation file agree with the package."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import symcrit

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: the papers the toolkit covers (docs/papers.md cites each with its DOI)
ARXIV = ["1712.08968", "2008.01805", "2003.10576", "2107.10370", "2210.06088", "2312.16819",
         "2402.05626"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("sphinx", reason="sphinx is not installed (pip install '.[docs]')")
    pytest.importorskip("myst_nb", reason="myst-nb is not installed (pip install '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q",
                          "-b", "html", "-d", str(out / "doctrees"), str(DOCS),
                          str(out / "html")], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return out / "html"


def test_site_builds_without_warnings(site):
    for page in ["index", "papers", "api/index", "api/core", "api/wider",
                 "notebooks/01_type_A_family"]:
        assert (site / f"{page}.html").is_file(), page
    # every guide page is in the site (a page outside the toctree is a warning anyway)
    for md in DOCS.glob("*.md"):
        assert (site / f"{md.stem}.html").is_file(), md.name


def test_api_reference_has_every_public_name(site):
    """Each public subpackage has a page, and each name of its ``__all__`` is described
    there."""
    import importlib
    import pkgutil
    packages = sorted(m.name for m in pkgutil.iter_modules(symcrit.__path__)
                      if not m.name.startswith("_") and m.name != "cli")
    pages = sorted(p.stem for p in (DOCS / "api").glob("*.md") if p.stem != "index")
    assert pages == packages, ("each public subpackage needs docs/api/<name>.md (one "
                               "'.. symcrit-package:: symcrit.<name>' directive), listed "
                               "in docs/api/index.md and API_PACKAGES of docs/conf.py")
    missing = []
    for package in packages:
        module = importlib.import_module(f"symcrit.{package}")
        page = (site / "api" / f"{package}.html").read_text(encoding="utf-8")
        missing += [f"symcrit.{package}.{n}" for n in module.__all__
                    if f'id="symcrit.{package}.{n}"' not in page]
    assert not missing


def test_version_written_once(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f"symcrit {symcrit.__version__}" in index            # conf.py reads it
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf'^version: "{re.escape(symcrit.__version__)}"$', cff, re.M)


def test_licence_and_citation():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "license = MIT" in (ROOT / "setup.cfg").read_text(encoding="utf-8")
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in cff and "license: MIT" in cff
    for arxiv in ARXIV:
        assert f"10.48550/arXiv.{arxiv}" in cff, arxiv


def test_papers_page_cites_every_paper():
    text = (DOCS / "papers.md").read_text(encoding="utf-8")
    for arxiv in ARXIV:
        assert f"arXiv:{arxiv}" in text and f"doi.org/10.48550/arXiv.{arxiv}" in text, arxiv
    assert text.count("```text") >= 15           # commands with their outputs
