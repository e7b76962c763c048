// Accessibility fixes for the theme's markup, applied once the page has loaded.
// Each fixes a serious axe-core finding that the theme's templates produce.
document.addEventListener("DOMContentLoaded", () => {
  // The sidebar's expandable sections: a <summary> with only an icon has no name
  // (axe: summary-name). Name it after the section it opens.
  document.querySelectorAll(".bd-sidebar-primary details > summary").forEach((summary) => {
    const link = summary.parentElement.parentElement.querySelector(":scope > a");
    const section = link ? link.textContent.trim() : "this section";
    summary.setAttribute("aria-label", `Show the pages of ${section}`);
  });
  // A hidden cell's toggle says "Show the answer" (or "Show code cell …") but myst-nb
  // labels it "Toggle hidden content": a spoken name that differs from the visible one
  // (axe: label-content-name-mismatch). Let the visible text name it.
  document.querySelectorAll('details.hide > summary[aria-label="Toggle hidden content"]').forEach((summary) => {
    summary.removeAttribute("aria-label");
  });
  // A box that scrolls sideways (a long output line, a wide table) must be reachable
  // by keyboard, or keyboard users cannot scroll it (axe: scrollable-region-focusable).
  const scrollers = "article pre, article .output.text_html, article .pst-scrollable-table-container";
  document.querySelectorAll(scrollers).forEach((box) => {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
    }
  });
});
