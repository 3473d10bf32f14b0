"""Reads of governance documents: their history, rendered text, diffs and the proposals that
would change them."""

import difflib
import re
from html.parser import HTMLParser

from django.db.models import QuerySet

from meetcoop.core.markdown import render_markdown

from ..models import DocumentVersion, GovernanceDocument, Proposal
from .proposals import proposals_for_user


class _TextLines(HTMLParser):
    """The lines a reader sees in rendered HTML: a line per paragraph line, heading, list item
    ("• " or "1. "), table row and line break; no markup left. A link's target follows its
    words in brackets, and an image's address its description: a change of where a link
    leads is a change a voter must see."""

    BLOCKS = {"p", "div", "blockquote", "pre", "table", "tr", "hr", "dl", "dt", "dd"}
    BLOCKS |= {f"h{n}" for n in range(1, 7)}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [""]
        self.lists: list[list] = []  # [tag, items so far] of each open list
        self.prefix = ""
        self.in_pre = 0
        self.in_table = 0
        self.cell = 0
        self.links: list[str] = []  # the target of each open link

    def _break(self):
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
            return
        if tag == "img":
            found = dict(attrs)
            self.handle_data(f"[{found.get('alt') or ''}] ({found.get('src') or ''})")
            return
        if tag in ("ul", "ol"):
            self._break()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._break()
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            indent = "  " * max(len(self.lists) - 1, 0)
            self.prefix = indent + ("• " if kind[0] == "ul" else f"{kind[1]}. ")
        elif tag == "br":
            self.lines.append("")
        elif tag in ("td", "th"):
            if self.cell:
                self.lines[-1] = self.lines[-1].rstrip() + " | "
            self.cell += 1
        elif tag in self.BLOCKS:
            self._break()
            self.cell = 0
            if tag == "pre":
                self.in_pre += 1
            elif tag == "table":
                self.in_table += 1

    def handle_endtag(self, tag):
        if tag == "a":
            href = self.links.pop() if self.links else ""
            if href:
                self.handle_data(f" ({href})")
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._break()
        elif tag == "li" or tag in self.BLOCKS:
            self._break()
            if tag == "pre" and self.in_pre:
                self.in_pre -= 1
            elif tag == "table" and self.in_table:
                self.in_table -= 1

    def handle_data(self, data):
        if self.in_table:  # a row is one line; the newlines between its cells are layout
            data = data.replace("\n", " ")
        for number, part in enumerate(data.split("\n")):
            if number:
                self._break()
            if not self.in_pre:
                part = re.sub(r"\s+", " ", part)
                if not self.lines[-1].strip():
                    part = part.lstrip()
            if part and self.prefix and not self.lines[-1].strip():
                self.lines[-1] = self.prefix
                self.prefix = ""
            self.lines[-1] += part

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines if line.strip())


def markdown_text(text: str) -> str:
    """Markdown as the reader sees it, as plain lines: rendered (``render_markdown``), then the
    markup taken away, so a diff shows words and not ``**`` or ``#``."""
    parser = _TextLines()
    parser.feed(render_markdown(text))
    parser.close()
    return parser.text()


def rendered_diff(old: str, new: str) -> list[dict]:
    """``text_diff`` of two Markdown texts as they read once rendered."""
    return text_diff(markdown_text(old), markdown_text(new))


def text_diff(old: str, new: str) -> list[dict]:
    """A line diff as rows {"op": "equal"|"insert"|"delete", "text": line, "old": n, "new": m}
    for a readable, accessible table (each changed line says what happened to it)."""
    old_lines = (old or "").splitlines()
    new_lines = (new or "").splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                rows.append(
                    {"op": "equal", "text": old_lines[i1 + k], "old": i1 + k + 1, "new": j1 + k + 1}
                )
            continue
        if tag in ("replace", "delete"):
            for k in range(i1, i2):
                rows.append({"op": "delete", "text": old_lines[k], "old": k + 1, "new": None})
        if tag in ("replace", "insert"):
            for k in range(j1, j2):
                rows.append({"op": "insert", "text": new_lines[k], "old": None, "new": k + 1})
    return rows


def collapse_unchanged(rows: list[dict], *, context: int = 3) -> list[dict]:
    """Keep ``context`` unchanged lines around each change; a longer unchanged run becomes one
    row {"op": "skip", "count": n} ("n unchanged lines")."""
    changed = [i for i, row in enumerate(rows) if row["op"] != "equal"]
    if not changed:
        return rows
    keep = set()
    for i in changed:
        keep.update(range(max(0, i - context), min(len(rows), i + context + 1)))
    result, skipped = [], 0
    for i, row in enumerate(rows):
        if i in keep:
            if skipped:
                result.append({"op": "skip", "count": skipped})
                skipped = 0
            result.append(row)
        else:
            skipped += 1
    if skipped:
        result.append({"op": "skip", "count": skipped})
    return result


def proposal_diff(proposal) -> list[dict] | None:
    """The proposal's change against the version current when it opened (for a draft: against
    the current version now). None when it changes no document."""
    if not proposal.document_id:
        return None
    if proposal.status == Proposal.Status.DRAFT:
        base = proposal.document.current_version
    else:
        base = proposal.base_version
    return rendered_diff(base.text if base else "", proposal.new_text)


def pending_proposals_for_document(user, document, *, now) -> QuerySet[Proposal]:
    """The open and draft proposals that change ``document`` and that ``user`` may see (its
    own drafts, proposals whose electorate it is in; everything for a co-op admin)."""
    return (
        proposals_for_user(user, now=now)
        .filter(document=document, status__in=[Proposal.Status.OPEN, Proposal.Status.DRAFT])
        .order_by("-created_at")
    )


def document_list() -> QuerySet[GovernanceDocument]:
    return GovernanceDocument.objects.select_related("current_version")


def document_history(document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("proposal").order_by("-number")
