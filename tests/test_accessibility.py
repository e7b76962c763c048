"""Accessibility of the built book, in Chromium: axe-core on every page in light
and dark mode, and a keyboard walk through one page.

axe-core comes from npm (`make test` installs it, like MathJax) and is injected
into each page. Serious and critical violations fail the test; the others are
printed. The structural rules do not depend on the colour mode, so the dark-mode
pass runs the colour rules only.
"""

import warnings

import pytest
from browser_support import (
    DESKTOP,
    ROOT,
    book_pages,
    goto,
    open_page,
    require_chromium,
)

require_chromium()
AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
if not AXE.exists():
    pytest.fail(
        f"axe-core is missing ({AXE}): `make test` installs it from npm",
        pytrace=False,
    )
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
BACKGROUND = "getComputedStyle(document.body).backgroundColor"


def axe_violations(page, rules=None):
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (rules) => {
          const options = {resultTypes: ["violations"]};
          if (rules) options.runOnly = {type: "rule", values: rules};
          const result = await axe.run(document, options);
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, count: v.nodes.length,
            where: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
          }));
        }""",
        rules,
    )


def scan(page, rel, rules, serious, summary):
    """Table contrast and axe-core on the page as it is shown now."""
    low = page.evaluate(TABLE_CONTRAST)
    if low:
        serious.append(f"{rel}: table text below 4.5:1 contrast: {low[:3]}")
    for v in axe_violations(page, rules):
        key = f"{v['impact']}: {v['id']}"
        summary[key] = summary.get(key, 0) + v["count"]
        if v["impact"] in ("serious", "critical"):
            serious.append(
                f"{rel}: {v['id']} ({v['impact']}) at {v['where']}"
            )


def test_no_serious_accessibility_violations(site, browser):
    """Each page in light mode (every rule), then switched to dark mode the
    way a reader's system setting switches it (the colour rules: the
    structural ones do not depend on the colour mode)."""
    base, html = site
    page = open_page(browser, DESKTOP, color_scheme="light")
    serious, summaries = [], {"light": {}, "dark": {}}
    for rel in book_pages(html):
        page.emulate_media(color_scheme="light")
        goto(page, base, html, rel)
        theme = page.evaluate("document.documentElement.dataset.theme")
        assert theme == "light", f"{rel} opened in {theme} mode"
        scan(page, rel, None, serious, summaries["light"])
        light_background = page.evaluate(BACKGROUND)
        # the theme follows the system setting while its mode is "auto"
        page.emulate_media(color_scheme="dark")
        page.wait_for_function(
            "document.documentElement.dataset.theme === 'dark'",
            timeout=5_000,
        )
        page.wait_for_timeout(150)  # let any colour transition finish
        assert page.evaluate(BACKGROUND) != light_background, (
            f"{rel}: the page kept its light background in dark mode"
        )
        scan(page, rel, COLOUR_RULES, serious, summaries["dark"])
    page.context.close()
    # Shown in pytest's warnings summary, so it is read even when the test passes.
    for scheme, summary in summaries.items():
        warnings.warn(
            f"axe-core, {scheme} mode, all pages (impact: rule: nodes): "
            f"{summary or 'no violations'}",
            stacklevel=1,
        )
    assert not serious, "\n".join(serious[:30])


TABLE_CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && rgb(c).length === 3 || (rgb(c).length === 4 && rgb(c)[3] > 0)) return rgb(c).slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const cell of document.querySelectorAll("article table td, article table th")) {
    if (!cell.innerText.trim()) continue;
    const a = lum(rgb(getComputedStyle(cell).color).slice(0, 3)), b = lum(background(cell));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(`${cell.innerText.slice(0, 20)}: ${ratio.toFixed(1)}:1`);
  }
  return worst;
}"""

FOCUS_STYLE = """(el) => {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(" ");
}"""

DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const where = el.closest(".bd-sidebar-primary") ? "sidebar"
    : el.closest("article") ? "article" : "header";
  const kind = el.matches(".search-button-field, .search-button") ? "search"
    : el.matches(".theme-switch-button") ? "theme"
    : el.closest(".dropdown-download-buttons") ? "download"
    : el.matches("summary") && el.closest("article") ? "dropdown"
    : el.matches("a.reference") && where === "sidebar" ? "sidebar-link" : "other";
  return {kind, where, text: (el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 40)};
}"""


def test_keyboard_reaches_every_control_with_a_visible_focus(site, browser):
    base, html = site
    page = open_page(browser, DESKTOP)
    goto(page, base, html, "book/questions.html")
    order, unfocused_styles = [], {}
    for _ in range(120):
        page.keyboard.press("Tab")
        where = page.evaluate(DESCRIBE_FOCUS)
        if where is None:
            continue
        kind = where["kind"]
        if kind != "other" and kind not in [k for k, _ in order]:
            focused = page.evaluate_handle("document.activeElement")
            style = focused.evaluate(FOCUS_STYLE)
            order.append((kind, style))
            unfocused_styles[kind] = focused
    kinds = [k for k, _ in order]
    print(f"\nfirst reached by Tab, in order: {kinds}")
    for needed in (
        "search",
        "sidebar-link",
        "download",
        "theme",
        "dropdown",
    ):
        assert needed in kinds, f"Tab never reached the {needed}: {kinds}"
    assert (
        kinds.index("sidebar-link")
        < kinds.index("download")
        < kinds.index("dropdown")
    )
    # Each reached control looks different when focused than when not.
    page.evaluate("document.activeElement.blur()")
    for kind, style in order:
        plain = unfocused_styles[kind].evaluate(FOCUS_STYLE)
        assert plain != style, f"no visible focus on the {kind}: {style}"
    # Enter opens a dropdown answer.
    summary = page.locator("article details > summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert (
        page.locator("article details").first.get_attribute("open")
        is not None
    )
    # Escape closes the search dialog.
    page.locator(".search-button-field").first.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#pst-search-dialog")
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.context.close()
