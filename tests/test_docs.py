"""The docs: a MkDocs site that builds without a warning, and a README that is a quick start."""

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).parent / "mkdocs"
README_MOST_LINES = 250
# A Markdown link or image: [text](target) or ![text](target), the target up to a space or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MKDOCS), "build", "--strict", "--config-file", str(project / "mkdocs.yml")]
        + ["--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The docs as `make test` builds them, --strict."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT, site)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def test_the_docs_build_with_no_warning(site):
    assert (site / "index.html").is_file()
    assert (site / "architecture" / "index.html").is_file()


class _Fetched(HTMLParser):
    """What a page makes the browser fetch: scripts, stylesheets, images."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") != "canonical":
            self.urls.append(attrs["href"])


def test_the_site_loads_nothing_from_elsewhere(site):
    """No CDN: the theme's highlight.js is off, every script and style is the site's own."""
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        fetched = _Fetched()
        fetched.feed(page.read_text())
        elsewhere = [url for url in fetched.urls if re.match(r"^(https?:)?//", url)]
        assert elsewhere == [], page


def copy_of_the_docs(target: Path) -> Path:
    target.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", target / "docs")
    return target


@pytest.mark.parametrize(
    ("breakage", "warning"),
    [
        ("[a page](nowhere.md)", "contains a link 'nowhere.md', but the target is not found"),
        ("[a heading](deploying.md#no-such-heading)", "does not contain an anchor"),
        ("[a file outside](../README.md)", "'../README.md', but the target"),
    ],
)
def test_a_broken_link_fails_the_build(tmp_path, breakage, warning):
    project = copy_of_the_docs(tmp_path / "project")
    index = project / "docs" / "index.md"
    index.write_text(index.read_text() + f"\n{breakage}\n")

    result = mkdocs_build(project, tmp_path / "site")

    assert result.returncode == 1
    assert warning in result.stderr
    assert "Aborted with 1 warnings in strict mode!" in result.stdout


def test_a_page_left_out_of_the_navigation_fails_the_build(tmp_path):
    project = copy_of_the_docs(tmp_path / "project")
    (project / "docs" / "forgotten.md").write_text("# Forgotten\n")

    result = mkdocs_build(project, tmp_path / "site")

    assert result.returncode == 1
    assert "forgotten.md" in result.stderr


def test_the_readme_is_a_quick_start_of_at_most_250_lines():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MOST_LINES
    assert "make run" in "\n".join(lines)
    assert "make test" in "\n".join(lines)


def broken_links(markdown: str) -> list[str]:
    """Its relative links (into the checkout: the docs' pages, their pictures) that name no
    file; such links work on GitHub too."""
    links = LINK.findall(markdown)
    local = [link for link in links if not re.match(r"^[a-z]+:", link)]
    return [link for link in local if not (ROOT / link.split("#")[0]).is_file()]


def test_the_readme_links_into_the_docs_and_every_link_names_a_file():
    readme = (ROOT / "README.md").read_text()
    links = LINK.findall(readme)
    assert any(link.startswith("docs/") and link.endswith(".md") for link in links)
    assert any(link.startswith("docs/images/") for link in links)
    assert broken_links(readme) == []


def test_a_link_to_a_missing_page_is_broken():
    markdown = "Read [on](docs/deploying.md#behind-a-proxy), [this](docs/nowhere.md), ![x](a.png)."
    assert broken_links(markdown) == ["docs/nowhere.md", "a.png"]


def test_every_webhook_is_in_the_docs_table():
    """docs/twilio.md's table names every URL Twilio may request of us."""
    from django.urls import reverse

    from ivr import urls

    table = (ROOT / "docs" / "twilio.md").read_text()
    for pattern in urls.urlpatterns:
        if pattern.name != "elsewhere":
            assert f"`{reverse(f'ivr:{pattern.name}')}`" in table, pattern.name
