"""The built book in a real browser: Debian's Chromium driven by Playwright, offline.

What a reader sees, checked on every page at a laptop width (1280 px) and a phone
width (390 px):

* every page loads with HTTP 200, no console error and no failed request (the
  favicon included), every image loaded and every formula rendered by the
  book's own MathJax;
* code fits its column: no code cell or code block is wider than its box at
  1280 px, and at 390 px the page itself never scrolls sideways;
* tables are padded, and fit their column or scroll inside a container;
* figures have alt text that says what they show, and their smallest text is at
  least 9 CSS px at the width the page shows them;
* no test or build plumbing (nbval markers, glue calls, papermill) is shown;
* both sidebar toggles work; solution pages are titled apart from exercises.

Accessibility (axe-core, the keyboard) is tested in test_accessibility.py.

Screenshots of every page at both widths go to _build/screenshots/.
"""

import re
from pathlib import Path

import pytest

from browser_support import (
    DESKTOP,
    PHONE,
    ROOT,
    SHOTS,
    book_pages,
    figure_records,
    goto,
    open_page,
    require_chromium,
    shot_name,
)

require_chromium()
MIN_FIGURE_TEXT_PX = 9.0


DESKTOP_CHECKS = r"""() => {
  const problems = [];
  const article = document.querySelector("article");
  // Code cells and code blocks (not outputs) fit their box.
  const code = [...article.querySelectorAll(".cell_input pre, div.highlight pre")]
    .filter((pre) => !pre.closest(".cell_output"));
  for (const pre of code) {
    if (pre.scrollWidth > pre.clientWidth + 1) {
      const line = pre.textContent.split("\n").sort((a, b) => b.length - a.length)[0];
      problems.push(`code wider than its box (${pre.scrollWidth} > ${pre.clientWidth} px): ${line.slice(0, 90)}`);
    }
  }
  // Tables: padded cells; wide tables scroll inside a container, never clip.
  const right = article.getBoundingClientRect().right;
  for (const table of article.querySelectorAll("table")) {
    const cells = [...table.querySelectorAll("td")];
    const tight = cells.filter((td) => parseFloat(getComputedStyle(td).paddingLeft) < 4);
    if (tight.length) problems.push(`table with ${tight.length} unpadded cells: ${table.innerText.slice(0, 60)}`);
    let box = table.parentElement, scrolls = false;
    while (box && box !== article) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") { scrolls = true; break; }
      box = box.parentElement;
    }
    if (!scrolls && table.getBoundingClientRect().right > right + 1) {
      problems.push(`table wider than the column, not in a scroll container: ${table.innerText.slice(0, 60)}`);
    }
  }
  // Check lines wrap inside their box; claims carry their label.
  for (const pre of article.querySelectorAll(".cell_output pre")) {
    const checks = pre.textContent.split("\n").some((line) => /^[✓✗✎⏭] /.test(line));
    if (!checks) continue;
    const box = pre.closest("div.output");
    if (!box || !box.classList.contains("check-lines")) {
      problems.push(`check lines without the check-lines class: ${pre.textContent.slice(0, 60)}`);
    }
    if (pre.scrollWidth > pre.clientWidth + 1) {
      problems.push(`check lines scroll sideways: ${pre.textContent.slice(0, 60)}`);
    }
    if (box && box.classList.contains("claims")) {
      const label = getComputedStyle(box, "::before").content;
      if (!label.includes("Checks")) problems.push(`claims without their label: ${pre.textContent.slice(0, 60)}`);
    }
  }
  // Plumbing stays out of the rendered code.
  for (const input of article.querySelectorAll(".cell_input")) {
    const text = input.innerText;
    for (const word of ["NBVAL", "glue(", "papermill"]) {
      if (text.includes(word)) problems.push(`a code cell shows ${word}: ${text.slice(0, 60)}`);
    }
  }
  const images = [...article.querySelectorAll("img")].map((img) => ({
    alt: img.getAttribute("alt") || "", src: img.getAttribute("src"),
    natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
    output: !!img.closest(".cell_output"),
  }));
  return {problems, images, math: !!document.querySelector(".math")};
}"""


def check_images(rel, images, records):
    problems, alts = [], [image["alt"] for image in images]
    for image in images:
        alt = image["alt"]
        if len(alt) < 40 or re.search(
            r"\.(png|jpe?g|svg|gif)$|/_images/", alt
        ):
            problems.append(
                f"figure alt text is not a description: {alt!r}"
            )
        if alts.count(alt) > 1:
            problems.append(f"two figures share the alt text {alt[:60]!r}")
        if image["output"]:
            record = records.get(Path(image["src"]).stem)
            if record is None:
                problems.append(
                    f"figure {image['src']} has no recorded description: "
                    "draw it with the course style"
                )
                continue
            if alt != record["alt"]:
                problems.append(
                    f"figure {image['src']} shows another figure's alt text"
                )
            scale = image["shown"] / image["natural"]
            shown_px = record["min_font_px"] * scale
            if shown_px < MIN_FIGURE_TEXT_PX:
                problems.append(
                    f"figure text is {shown_px:.1f} CSS px at "
                    f"{image['shown']:.0f} px wide: {alt[:70]}"
                )
    return [f"{rel}: {p}" for p in problems]


def test_every_page_at_laptop_and_phone_width(site, browser):
    base, html = site
    pages = book_pages(html)
    assert len(pages) >= 15, pages
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems, figures = [], 0
    desktop, phone = open_page(browser, DESKTOP), open_page(browser, PHONE)
    for rel in pages:
        desktop.errors.clear()
        goto(desktop, base, html, rel)
        broken = desktop.evaluate(
            "Array.from(document.images)"
            ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"{rel}: image not loaded: {src}" for src in broken]
        found = desktop.evaluate(DESKTOP_CHECKS)
        if found["math"]:
            desktop.wait_for_selector(
                "mjx-container", state="attached", timeout=15_000
            )
            text = desktop.inner_text("article")
            if "$$" in text or "\\(" in text:
                problems.append(f"{rel}: raw LaTeX left in the page")
        problems += [f"{rel}: {p}" for p in found["problems"]]
        problems += check_images(rel, found["images"], figure_records(rel))
        figures += sum(image["output"] for image in found["images"])
        problems += [f"{rel}: {e}" for e in desktop.errors]
        desktop.screenshot(
            path=str(SHOTS / shot_name(rel, DESKTOP)), full_page=False
        )

        goto(phone, base, html, rel)
        width = phone.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if width[0] > width[1]:
            problems.append(
                f"{rel}: at {PHONE} px the page scrolls sideways "
                f"({width[0]} px wide)"
            )
        phone.screenshot(
            path=str(SHOTS / shot_name(rel, PHONE)), full_page=False
        )
    desktop.context.close()
    phone.context.close()
    assert figures >= 20, (
        f"only {figures} figures found: is the check broken?"
    )
    assert not problems, "\n".join(problems[:40])


def test_primary_sidebar_toggle_hides_the_sidebar_on_a_laptop(
    site, browser
):
    base, html = site
    page = open_page(browser, DESKTOP)
    goto(page, base, html, "notebooks/05_gradient_clipping.html")
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    page.locator("button.primary-toggle:visible").click()
    page.wait_for_timeout(500)  # the theme animates the sidebar away
    assert not sidebar.is_visible(), "the toggle did not hide the sidebar"
    page.locator("button.primary-toggle:visible").click()
    page.wait_for_timeout(500)
    assert sidebar.is_visible(), "the toggle did not bring the sidebar back"
    page.context.close()


def test_primary_sidebar_toggle_opens_the_navigation_on_a_phone(
    site, browser
):
    base, html = site
    page = open_page(browser, PHONE)
    goto(page, base, html, "notebooks/05_gradient_clipping.html")
    drawer = page.locator("#pst-primary-sidebar-modal")
    assert not drawer.is_visible()
    page.locator("button.primary-toggle:visible").click()
    assert drawer.is_visible(), (
        "the menu button opened no navigation drawer"
    )
    links = drawer.locator("nav a.reference")
    assert links.count() >= 10
    assert drawer.get_by_role("link", name="Gradient clipping").is_visible()
    page.screenshot(path=str(SHOTS / "navigation-drawer-390.png"))
    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    page.context.close()


def test_solutions_are_titled_apart_from_their_exercises(site, page):
    base, html = site
    titles = {}
    for rel in book_pages(html):
        text = (html / rel).read_text()
        if 'http-equiv="Refresh"' in text:
            continue
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
        titles.setdefault(title, []).append(rel)
    shared = {t: p for t, p in titles.items() if len(p) > 1}
    assert not shared, f"pages that share a title: {shared}"
    for solution in sorted((ROOT / "solutions").glob("*.ipynb")):
        for folder, word in (
            ("solutions", "Solution"),
            ("exercises", "Exercise"),
        ):
            goto(page, base, html, f"{folder}/{solution.stem}.html")
            h1 = page.locator("article h1").first.inner_text()
            assert h1.startswith(word), (
                f"{folder}/{solution.stem}: H1 {h1!r}"
            )
            assert page.title().startswith(word), page.title()
        # The exercise links forward to its solution by the solution's title ...
        goto(page, base, html, f"exercises/{solution.stem}.html")
        link = page.locator("article a", has_text="Solution:").first
        assert link.get_attribute("href").endswith(
            f"solutions/{solution.stem}.html"
        )
        # ... and the solution opens with a notice that links back.
        goto(page, base, html, f"solutions/{solution.stem}.html")
        back = page.locator("article a", has_text="Exercise:").first
        assert back.get_attribute("href").endswith(
            f"exercises/{solution.stem}.html"
        )
    results = (html / "book" / "results.html").read_text()
    assert "Solution: Exercise" not in results


def test_solution_dropdown_opens_on_click(site, page):
    base, html = site
    goto(page, base, html, "book/questions.html")
    # not the sidebar's collapsible sections
    dropdown = page.locator("article details").first
    assert dropdown.get_attribute("open") is None
    assert not page.get_by_text("Drawing that one shared").is_visible()
    dropdown.locator("summary").click()
    assert dropdown.get_attribute("open") is not None
    assert page.get_by_text("Drawing that one shared").is_visible()


def test_search_finds_a_chapter(site, page):
    base, _ = site
    page.goto(f"{base}/search.html?q=initialization")
    results = page.locator("#search-results li")
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 1
    assert "Vanishing and exploding" in page.inner_text("#search-results")


@pytest.mark.parametrize(
    "chapter",
    sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")),
)
def test_chapter_exercise_answers_stay_hidden_until_asked(
    site, page, chapter
):
    base, html = site
    goto(page, base, html, f"notebooks/{chapter}.html")
    answers = page.locator(
        "article details:has(summary:has-text('Show the answer'))"
    )
    assert answers.count() >= 2, f"{chapter}: fewer than 2 hidden answers"
    for i in range(answers.count()):
        answer = answers.nth(i)
        code = answer.locator(".cell_input").first
        assert answer.get_attribute("open") is None
        assert not code.is_visible(), f"{chapter}: answer {i + 1} is shown"
        answer.locator("summary").click()
        assert answer.get_attribute("open") is not None
        assert code.is_visible() and "# Answer" in code.inner_text()
