/* Accessibility fixes for markup that the book's toolchain writes.
 * Jupyter Book loads every .js file in _static/ on every page; the browser
 * tests (tests/built_book/test_browser.py) run axe-core over the result.
 *
 * Bibliography: docutils 0.21 writes the reference list as
 * <div role="list" class="citation-list"> whose entries carry
 * role="doc-biblioentry", a role DPUB-ARIA 1.1 deprecates and that is not a
 * list item, so assistive technology announces an empty list (axe-core:
 * aria-required-children, critical). DPUB-ARIA says to use listitem instead.
 *
 * Book title: pydata-sphinx-theme puts the link to the book's home page (the
 * title at the top of the left sidebar) in a plain <div>, outside every
 * landmark, so a screen-reader user moving by landmarks never reaches it
 * (axe-core: region). The sidebar's table of contents next to it is a <nav>
 * ("Main"); the title link is navigation too, and becomes a landmark of its
 * own, labelled "Book home" (a label no other landmark of the page has).
 */
(function () {
  "use strict";
  function fixBibliographyRoles() {
    document
      .querySelectorAll('[role="list"] > [role="doc-biblioentry"]')
      .forEach(function (entry) {
        entry.setAttribute("role", "listitem");
      });
  }
  function fixBookTitleLandmark() {
    document
      .querySelectorAll(".bd-sidebar-primary .sidebar-primary-item")
      .forEach(function (item) {
        if (
          item.querySelector(":scope > a.navbar-brand") &&
          !item.closest("nav, [role='navigation'], header, [role='banner']")
        ) {
          item.setAttribute("role", "navigation");
          item.setAttribute("aria-label", "Book home");
        }
      });
  }
  function fixAll() {
    fixBibliographyRoles();
    fixBookTitleLandmark();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fixAll);
  } else {
    fixAll();
  }
})();
