"""Sphinx extension: render MyST `{eval}` roles from the notebooks' stored glue data.

The chapters quote computed numbers in prose as inline expressions,
`{eval}`ch05_x`` or `{eval}`f"{ch05_x:.2f}"``, because JupyterLab's MyST
renderer (jupyterlab-myst) shows those from the markdown cell's stored
`user_expressions` metadata (scripts/glue_to_eval.py writes it) and from the
kernel when the cell is run (dropout_course.glue binds the names), whereas it
cannot paste `{glue:text}`.

MyST-NB 1.x evaluates `{eval}` only with a live kernel (nb_execution_mode
"inline"); the book is built from stored outputs (execute_notebooks: off),
where MyST-NB would warn "This document does not have a running kernel". This
extension renders `{eval}` from the glue record the code cell stored (the one
strict nbval checks), exactly as `{glue:text}` does:

    {eval}`ch05_x`            is {glue:text}`ch05_x`
    {eval}`f"{ch05_x:.2f}"`   is {glue:text}`ch05_x:.2f`

A name glued in another notebook (the summary chapter quotes the others) is
pasted from that notebook. Any other expression is a warning (an error under
`-W`).

Second, it lets a markdown link name a label of another page,
`[Theorem 3.1](03_scaling_train_versus_test.ipynb#ch03-thm-moments)`: the
chapters write cross-page references that way because jupyterlab-myst sees
one notebook only and logs "Cross reference target was not found" for a
`{ref}`/`{prf:ref}` to another page, whereas it shows a link to a file.
MyST-Parser resolves `page#id` against the page's heading slugs only
(none here: no `myst_heading_anchors`) and would warn "local id not found";
this extension adds every element id of each page (labels, theorem and
exercise labels) to them, so the link resolves to `page.html#id`, the
address `{ref}` gave.

Loaded from `sphinx:` in _config.yml.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils import nodes
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import glue_warning

FSTRING = re.compile(r'^f"\{(?P<key>[A-Za-z_]\w*):(?P<spec>[^{}"]*)\}"$')
NAME = re.compile(r"^(?P<key>[A-Za-z_]\w*)$")
_ENV_KEY = "myst_eval_from_glue_owners"  # glue name -> docname of the notebook that glued it


def _glue_names(path: Path) -> set[str]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {
        output.get("metadata", {}).get("scrapbook", {}).get("name")
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
        for output in cell.get("outputs", [])
    } - {None}


def _index_glue_names(app, env, docnames) -> None:
    owners: dict[str, str] = {}
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.suffix == ".ipynb":
            for key in _glue_names(path):
                owners.setdefault(key, docname)
    setattr(env, _ENV_KEY, owners)


class EvalFromGlue(PasteTextRole):
    """`{eval}`NAME`` / `{eval}`f"{NAME:SPEC}"`` pasted as `{glue:text}`NAME:SPEC``."""

    def run(self):
        match = FSTRING.match(self.text) or NAME.match(self.text)
        if not match:
            return [], [
                glue_warning(
                    f'{{eval}} expression {self.text!r} is neither NAME nor f"{{NAME:SPEC}}" '
                    "(the book pastes it from the stored glue record)",
                    self.document,
                    self.line,
                )
            ]
        # "s" is {glue:text}'s default format; always given, as "doc::key:spec" needs one
        key, spec = match.group("key"), match.groupdict().get("spec") or "s"
        env = self.document.settings.env
        owner = getattr(env, _ENV_KEY, {}).get(key)
        reference = f"{key}:{spec}"
        if owner is not None and owner != env.docname:
            reference = f"/{env.doc2path(owner, False)}::{reference}"
        self.text = reference
        return super().run()


def _ids_as_link_targets(app, doctree) -> None:
    """Let `[text](page#id)` reach any element id of the page (see the module docstring)."""
    env = app.env
    slugs = env.metadata[env.docname].setdefault("myst_slugs", {})
    for node in doctree.findall(lambda n: isinstance(n, nodes.Element) and n["ids"]):
        for node_id in node["ids"]:
            slugs.setdefault(node_id, (0, node_id, node.astext()[:80]))


def setup(app):
    app.setup_extension("myst_nb")
    app.connect("env-before-read-docs", _index_glue_names)
    app.connect("doctree-read", _ids_as_link_targets)
    app.add_role("eval", EvalFromGlue(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
