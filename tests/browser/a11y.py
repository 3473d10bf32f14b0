"""axe-core in the browser tests (axe-playwright-python ships axe-core: nothing is downloaded).

``assert_accessible(page)`` runs axe on the page as it stands and fails on every serious or
critical violation, listing each rule with the elements it found."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING = {"serious", "critical"}
VIEWPORTS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
VIEWPORT_IDS = ["1280", "390"]

_axe = Axe()


def violations(page) -> list[dict]:
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def describe(found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:240]}")
    return "\n".join(lines)


def assert_accessible(page, *, where: str = "") -> None:
    found = violations(page)
    assert not found, f"axe on {where or page.url}:\n{describe(found)}"
