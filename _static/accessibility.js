/* Accessibility fixes for markup that the book's toolchain writes.
 * Jupyter Book loads every .js file in _static/ on every page; the browser
 * tests (tests/built_book/test_browser.py) run axe-core over the result.
 *
 * Bibliography: docutils 0.21 writes the reference list as
 * <div role="list" class="citation-list"> whose entries carry
 * role="doc-biblioentry", a role DPUB-ARIA 1.1 deprecates and that is not a
 * list item, so assistive technology announces an empty list (axe-core:
 * aria-required-children, critical). DPUB-ARIA says to use listitem instead.
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
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fixBibliographyRoles);
  } else {
    fixBibliographyRoles();
  }
})();
