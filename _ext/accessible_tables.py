"""Sphinx extension: no empty header cell in the tables of stored pandas outputs.

A code cell that ends with a pandas DataFrame stores its HTML (text/html),
which MyST-NB pastes into the page as it is. pandas writes the top-left
corner of the header as an empty <th></th>, and, when the index has a name,
a second header row holding that name followed by one empty <th></th> per
column. An empty header cell labels nothing: a screen reader announces a
column or row header with no name (axe-core: empty-table-header), and the
accessibility guidance (WAI tables tutorial, WebAIM) is that an empty corner
is a data cell, not a header.

This extension rewrites, in the HTML builders' doctrees only (the stored
notebooks and their outputs are not touched; the PDF does not use the HTML
output), every empty <th> of a pasted DataFrame table as an empty <td> with
the same attributes. The column and row headers that have text stay <th>.
tests/built_book/test_built_html.py checks that no built page has an empty
<th>; test_browser.py runs axe-core over every page.

Loaded from `sphinx:` in _config.yml.
"""

from __future__ import annotations

import re

from docutils import nodes

# an empty header cell: nothing, whitespace or a no-break space between the tags
EMPTY_TH = re.compile(
    r"<th(?P<attrs>(?:\s[^>]*)?)>(?P<space>(?:\s|&nbsp;|&#160;|\xa0)*)</th>", re.IGNORECASE
)
DATAFRAME = re.compile(r"<table\b[^>]*\bclass=\"[^\"]*\bdataframe\b", re.IGNORECASE)


def empty_headers_as_data_cells(html: str) -> str:
    """Every empty <th> of the DataFrame tables in html, as an empty <td>."""
    if not DATAFRAME.search(html):
        return html
    return EMPTY_TH.sub(lambda m: f"<td{m['attrs']}>{m['space']}</td>", html)


def _rewrite_tables(app, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        html = node.astext()
        fixed = empty_headers_as_data_cells(html)
        if fixed != html:
            replacement = nodes.raw(node.rawsource, fixed, **node.attributes)
            node.replace_self(replacement)


def setup(app):
    app.connect("doctree-resolved", _rewrite_tables)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
