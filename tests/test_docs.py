"""The guides point at files that exist, and keep their figures where the commands write them."""

from __future__ import annotations

import re

import pytest

from bot.content.loader import REPO_ROOT

DOCS = REPO_ROOT / "docs"
PATH = re.compile(r"`((?:bot|actions|content|data|tests|deploy|bench)/[A-Za-z0-9_./<>-]*|[a-z_]+\.yml)`")


def test_every_file_the_architecture_page_names_exists():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    named = {m.group(1) for m in PATH.finditer(text)}
    assert len(named) > 30
    missing = []
    for path in sorted(named):
        if "<" in path:  # content/topics/<id>.md: its folder
            path = path.split("<", 1)[0]
        if "/" not in path:  # a bare name such as tasks.yml: at the root or in the folder the page names
            if not (REPO_ROOT / path).exists() and not list(REPO_ROOT.glob(f"data/*/{path}")):
                missing.append(path)
        elif not (REPO_ROOT / path.rstrip("/")).exists():
            missing.append(path)
    assert missing == []


def test_the_readme_sends_readers_to_the_architecture_page_in_the_repository():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "../shared" not in readme


@pytest.mark.parametrize("guide, command", [("nlu.md", "make nlu-report"), ("scale-out.md", "make bench")])
def test_each_guide_says_how_it_works_how_to_change_it_and_how_well(guide, command):
    text = (DOCS / guide).read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert any("How it works" in h or "how it works" in h for h in headings), headings
    assert any("how to change it" in h.lower() for h in headings), headings
    assert headings[-1] == "How well", headings  # one results section, last
    assert text.count(f"<!-- results: {command} -->") == 1 and text.count(f"<!-- /results: {command} -->") == 1
    assert not re.search(r"\b[Ss]ession \d+\b|\bround \d+\b", text), "history belongs in the commit log"
