"""Templates obey the Content-Security-Policy: no inline style or script, which the browser would block."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
TEMPLATE_DIRS = ["oimsite", "accounts", "returns", "reintegration", "resettlement"]
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)  # onclick=, onload= …


def templates():
    for folder in TEMPLATE_DIRS:
        yield from sorted((BASE / folder).rglob("templates/**/*.html"))


def test_there_are_templates_to_check():
    assert len(list(templates())) > 20


def test_no_template_has_an_inline_style_script_or_event_handler():
    found = []
    for path in templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if INLINE_STYLE.search(line) or INLINE_SCRIPT.search(line) or HANDLER.search(line):
                found.append(f"{path.relative_to(BASE)}:{number}: {line.strip()[:100]}")
    assert found == []
