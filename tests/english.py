"""Finds the project's English left on a page or in an email shown in another language.

A phrase counts when it is a piece of a string of ours (between placeholders and tags) of at
least three words, and the language's translation of that string differs from the English:
so a page in Catalan that still shows "Your membership is active" is caught, while a
member's own name or a word that is the same in both languages is not.
"""

import functools
import html
import re

from meetcoop.core import catalogues

SPLIT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%|<[^>]+>|\n|[:;()·—]")
READ_ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt)="([^"]*)"')


@functools.cache
def english_phrases(language: str) -> tuple[str, ...]:
    phrases = set()
    for message in catalogues.read(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = " ".join(" ".join(s.split()) for s in strings if s)
        for msgid in ids:
            for fragment in SPLIT.split(msgid):
                words = fragment.split()
                phrase = " ".join(words)
                if len(words) >= 3 and phrase not in translated:
                    phrases.add(phrase)
    return tuple(sorted(phrases, key=len, reverse=True))


def visible_text(page: str) -> str:
    """What a person reads or hears of an HTML page: its text and the labels of its
    attributes, scripts and styles left out."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    labels = " ".join(READ_ATTRIBUTES.findall(page))
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(text + " " + labels).split())


def english_left(text: str, language: str) -> list[str]:
    """The project's English phrases found in ``text`` (plain text or HTML)."""
    text = visible_text(text) if "<" in text and ">" in text else " ".join(text.split())
    return [phrase for phrase in english_phrases(language) if phrase in text]
