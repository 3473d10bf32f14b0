"""Markdown as the co-op's pages show it: governance documents, and the terms members accept
(which are governance documents' adopted texts)."""

import re

import markdown
import nh3

_HEADING = re.compile(r"<(/?)h([1-6])\b")


def render_markdown(text: str) -> str:
    """Markdown to HTML, then cleaned by nh3 (no script, no event handlers, no raw HTML tricks).
    Headings move one level down: the page's own title is its only ``h1``."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", html)
    return nh3.clean(html)
