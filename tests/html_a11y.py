"""Checks on rendered HTML that tie each form control to its label, help text and errors."""

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.elements = []  # (tag, attrs)
        self.fieldsets = []  # the aria-describedby of each fieldset open around a control

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "fieldset":
            self.fieldsets.append(attrs.get("aria-describedby") or "")
        # A radio or checkbox in a group is described by its fieldset.
        attrs["_group"] = " ".join(self.fieldsets)
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def describedby_problems(html: str) -> list[str]:
    """Every id an ``aria-describedby`` names exists in the page, and every ``aria-invalid``
    control is described by an element holding its error."""
    page = parse(html)
    problems = []
    for tag, attrs in page.elements:
        names = (attrs.get("aria-describedby") or "").split()
        for name in names:
            if name not in page.ids:
                problems.append(f"<{tag} name={attrs.get('name')}> names missing #{name}")
        described = names + attrs["_group"].split()
        if attrs.get("aria-invalid") == "true" and not any(n.endswith("_error") for n in described):
            problems.append(f"<{tag} name={attrs.get('name')}> is invalid with no error described")
    return problems


def summary_links(html: str) -> list[str]:
    """The fields the error summary links to (``#id_<field>``), each checked to exist."""
    page = parse(html)
    links = []
    inside = False
    for tag, attrs in page.elements:
        if "data-error-summary" in attrs:
            inside = True
        elif inside and tag == "a" and attrs.get("href", "").startswith("#"):
            target = attrs["href"][1:]
            assert target in page.ids, f"the summary links to missing #{target}"
            links.append(target)
        elif inside and tag in {"form", "fieldset", "input"}:
            break
    return links
