"""The HTML report exercised in a real browser: Playwright for Python driving Debian's
chromium through its executable path (Playwright's own browser download is not needed).

Four pages: penguins (classification, validated), concrete (regression, validated), a
table with a date column and a many-level text column (validated), and concrete without a
target. Each, at 1280 and at 390 pixels: no console or page errors, every plot has a drawing
area with something drawn in it, every sortable table sorts by each of its columns both
ways, every section opens and closes, and the page is never wider than the viewport (a
wide table scrolls inside its own box). And with the network cut off and with scripts
disabled, the page still reads.

``ADVISOR_UPDATE_SCREENSHOTS=1`` also writes the screenshots docs/reports.md shows
(docs/images/report-1280.png and report-390.png, penguins, quantized to stay small).
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import chromium

from advisor import advise
from advisor.report.html import render_html

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium()
    if executable is None:
        pytest.skip("no chromium found: install Debian's chromium (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def _dated_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    city = np.array([f"city {i:02d}" for i in range(60)])[rng.integers(0, 60, n)]
    x = rng.lognormal(0, 1, n)
    label = np.where(x + (days.month > 6) + rng.normal(0, 1, n) > 2, "high", "low")
    return pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "city": city, "x": x,
                         "y": rng.normal(size=n), "label": label})  # fmt: skip


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    with contextlib.chdir(ROOT):
        advices = {
            "penguins": advise("sample_data/penguins.csv", target="species", seed=0),
            "concrete-regression": advise(
                "sample_data/concrete.csv", target="compressive_strength", seed=0
            ),
            "dates-and-text": advise(_dated_table(), target="label", seed=0),
            "no-target": advise("sample_data/concrete.csv", seed=0),
        }
    out = {}
    for name, advice in advices.items():
        path = folder / f"{name}.html"
        path.write_text(render_html(advice.to_dict()), encoding="utf-8")
        out[name] = path
    return out


def _open(browser: Any, path: Path, width: int, **context: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(viewport={"width": width, "height": 900}, **context)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(path.as_uri())
    return ctx, page, problems


PLOTS = """() => Array.from(document.querySelectorAll('svg')).map(s => {
  const r = s.getBoundingClientRect();
  return [r.width, r.height, s.querySelectorAll('circle, line, polyline, rect, polygon').length];
})"""

COLUMN = """([t, c]) => Array.from(document.querySelectorAll('table.sortable')[t].tBodies[0].rows)
  .map(r => { const cell = r.cells[c]; if (!cell) return null;
              const v = cell.getAttribute('data-v');
              return v !== null ? parseFloat(v) : cell.textContent.trim().toLowerCase(); })"""


def _ordered(values: list[Any], ascending: bool) -> bool:
    present = [v for v in values if v is not None]
    return all((a <= b) if ascending else (a >= b) for a, b in itertools.pairwise(present))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["penguins", "concrete-regression", "dates-and-text", "no-target"])
def test_the_report_works_in_a_real_browser(browser, pages, name, width):
    ctx, page, problems = _open(browser, pages[name], width)
    try:
        assert page.get_attribute("html", "data-rendered") == "ok"
        assert page.get_attribute("html", "data-errors") == "0"
        if os.environ.get("ADVISOR_UPDATE_SCREENSHOTS") and name == "penguins":
            _screenshot(page, width)
        plots = page.evaluate(PLOTS)
        assert plots, "no plot on the page"
        for w, h, drawn in plots:
            assert w > 0 and h > 0 and drawn > 0, plots
        tables = page.locator("table.sortable")
        for t in range(tables.count()):
            headers = tables.nth(t).locator("th")
            for c in range(headers.count()):
                headers.nth(c).click()
                assert _ordered(page.evaluate(COLUMN, [t, c]), True), (name, t, c)
                headers.nth(c).click()
                assert _ordered(page.evaluate(COLUMN, [t, c]), False), (name, t, c)
        sections = page.locator("details")
        assert sections.count() > 0
        for i in range(sections.count()):
            section = sections.nth(i)
            was = section.evaluate("d => d.open")
            section.locator("summary").first.click()
            assert section.evaluate("d => d.open") is not was
            section.locator("summary").first.click()
            assert section.evaluate("d => d.open") is was
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name} is {wide} px wide at a {width} px viewport"
        assert not problems, problems
    finally:
        ctx.close()


def _screenshot(page: Any, width: int) -> None:
    from PIL import Image

    target = ROOT / "docs" / "images" / f"report-{width}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = target.with_suffix(".raw.png")
    clip = {"x": 0, "y": 0, "width": width, "height": 1100}
    page.screenshot(path=str(raw), full_page=True, clip=clip)
    with Image.open(raw) as shot:
        shot.convert("RGB").quantize(colors=64).save(target, optimize=True)
    raw.unlink()


def test_the_report_reads_offline_and_without_scripts(browser, pages):
    for path in pages.values():
        ctx, page, problems = _open(browser, path, 1280, java_script_enabled=False)
        try:
            assert page.get_attribute("html", "data-rendered") is None  # scripts did not run
            assert page.locator("svg").count() > 0 and page.locator("table").count() > 0
            assert page.locator("h1").inner_text().startswith("Normalization advice")
            assert not problems, problems
        finally:
            ctx.close()
        assert [u for u in _requests_offline(browser, path) if not u.startswith("file:")] == []


def _requests_offline(browser: Any, path: Path) -> list[str]:
    """Every URL the page asks for with the network cut off (it must render all the same)."""
    ctx = browser.new_context(offline=True)
    asked: list[str] = []

    def record(route: Any) -> None:
        asked.append(route.request.url)
        route.continue_()

    ctx.route("**/*", record)
    page = ctx.new_page()
    try:
        page.goto(path.as_uri())
        assert page.get_attribute("html", "data-rendered") == "ok"
    finally:
        ctx.close()
    return asked
