"""No user-facing English escapes the catalogues: a scan of every template's text (outside
``{% translate %}`` and ``{% blocktranslate %}``) and of the Python code's messages (form labels,
errors, flash messages, admin labels) finds none left unmarked for translation.

The catalogue test (test_catalogues.py) then makes sure every marked string is translated.
"""

import ast
import html
import re
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
APPS = ["meetcoop", "membership", "governance", "resellers", "contributions", "standing"]
TEMPLATE_ROOTS = [ROOT / "templates", *(ROOT / app for app in APPS)]

# Attributes whose value a person reads or hears.
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "aria-description")
# Words that are names, not English.
NAMES = {"Meet.coop", "BigBlueButton", "Greenlight", "CSV", "IBAN", "RF", "EUR", "OK"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[a-z]")


def _templates():
    for root in TEMPLATE_ROOTS:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".txt"} and "templates" in path.parts:
                yield path


def _words(text: str) -> list[str]:
    text = html.unescape(text)
    return [w for w in WORD.findall(text) if w not in NAMES]


MARK = "\u2063"  # stands for a tag or variable of the template: not text, no word


def _template_text_problems(path: Path) -> list[str]:
    """The template's text with every ``{% %}`` and ``{{ }}`` (and everything inside
    ``blocktranslate`` and ``comment``) replaced by a mark; then HTML comments, scripts and
    tags are dropped, and any word left, or in an attribute a person reads, is unmarked."""
    source = path.read_text()
    parts = []
    skip_depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name in {"blocktranslate", "blocktrans", "comment"}:
                skip_depth += 1
            elif name in {"endblocktranslate", "endblocktrans", "endcomment"}:
                skip_depth -= 1
            parts.append(MARK)
        elif token.token_type == TokenType.TEXT and not skip_depth:
            parts.append(token.contents)
        else:
            parts.append(MARK + "\n" * token.contents.count("\n"))
    text = "".join(parts)
    problems = []

    def where(position: int) -> str:
        return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, position) + 1}"

    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    text = re.sub(
        r"<(script|style)\b.*?</\1>", lambda m: "\n" * m.group().count("\n"), text, flags=re.S
    )
    for attribute in READ_ATTRIBUTES:
        for match in re.finditer(rf'\s{attribute}="([^"]*)"', text):
            if _words(match.group(1)):
                problems.append(f"{where(match.start())}: {attribute}={match.group(1)!r}")
    visible = re.sub(r"<[^>]*>", lambda m: " " + "\n" * m.group().count("\n"), text)
    for match in re.finditer(r"[^\n]+", visible):
        if _words(match.group()):
            problems.append(f"{where(match.start())}: {' '.join(match.group().split())[:80]!r}")
    return problems


def test_every_template_text_is_marked_for_translation():
    problems = [p for path in _templates() for p in _template_text_problems(path)]
    assert not problems, "Text not marked for translation:\n" + "\n".join(problems)


# --- Python ---------------------------------------------------------------------------------

# Calls whose first argument (or the named keywords) a person reads.
MESSAGE_CALLS = {
    "DomainError": [0],
    "ValidationError": [0],
    "PermissionDenied": [0],
    "Http404": [],
    "add_error": [1],
    "success": [1],
    "error": [1],
    "warning": [1],
    "info": [1],
    "message_user": [1],
    "CommandError": [],
}
MESSAGE_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "help_text",
    "label",
    "description",
    "short_description",
    "empty_label",
    "violation_error_message",
    "title",
    "message",
}
TRANSLATE_FUNCS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "gettext_noop",
    "format_lazy",
}


def _is_english(node) -> bool:
    """A plain string or f-string with words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_words(node.value)) and " " in node.value.strip() or _capitalised(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and _words(str(v.value)) for v in node.values)
    return False


def _capitalised(value: str) -> bool:
    """A one-word label ("Email", "Members"); codes and identifiers are lower-case."""
    return bool(re.fullmatch(r"[A-Z][a-z]+", value.strip())) and value.strip() not in NAMES


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _python_problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in TRANSLATE_FUNCS:
            continue
        arguments = [node.args[i] for i in MESSAGE_CALLS.get(name, []) if i < len(node.args)]
        arguments += [kw.value for kw in node.keywords if kw.arg in MESSAGE_KEYWORDS]
        for argument in arguments:
            if _is_english(argument):
                text = ast.unparse(argument)[:80]
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({text})")
    return problems


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.parts
            if "migrations" in parts or "management" in parts or "demo" in parts:
                continue
            if path.parent.name == "settings":
                continue
            yield path


def test_every_python_message_is_marked_for_translation():
    problems = [p for path in _python_files() for p in _python_problems(path)]
    assert not problems, "Messages not marked for translation:\n" + "\n".join(problems)
