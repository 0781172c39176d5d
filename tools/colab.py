"""Where the course is published, and the two places that name it: the Colab badges under every notebook's title
and the setup cell that clones the course on Colab. ``make notebooks`` rewrites both from :data:`REPOSITORY_URL`.

Publishing a fork: set ``REPOSITORY_URL`` (and ``BRANCH``) below, run ``make notebooks``, commit, push.
"""

from __future__ import annotations

import re

import nbformat

#: The one setting: the public GitHub repository students' Colab sessions clone the course from.
REPOSITORY_URL = "https://github.com/cnn-course/cnn-course"
BRANCH = "main"

_GITHUB = re.compile(r"https://github\.com/(?P<slug>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")
_BADGE_LINE = re.compile(r"^.*colab-badge\.svg.*$", re.M)
_BADGE = '<a href="{url}"><img src="https://colab.research.google.com/assets/colab-badge.svg" alt="{alt}"></a>'
#: The setup cell's code ends with this line; what follows it is the notebook's own imports.
SETUP_END = "runtime.setup(seed=0)\n"


def github_slug(url: str | None = None) -> str:
    """``owner/name`` of a GitHub URL, by default :data:`REPOSITORY_URL` (Colab opens notebooks from GitHub only)."""
    url = REPOSITORY_URL if url is None else url
    match = _GITHUB.match(url)
    if not match:
        raise ValueError(f"REPOSITORY_URL must be a GitHub URL like https://github.com/owner/name, got {url!r}")
    return match["slug"]


def badges(name: str) -> str:
    """The badge line under a notebook's title: open the exercises or the solutions of ``name`` in Colab."""
    colab = f"https://colab.research.google.com/github/{github_slug()}/blob/{BRANCH}"
    return " ".join(_BADGE.format(url=f"{colab}/{folder}/{name}", alt=f"Open the {what} in Colab")
                    for folder, what in (("notebooks", "exercises"), ("solutions", "solutions"))) \
        + " &nbsp; exercises · solutions"


def setup_bootstrap() -> str:
    """The first lines of every setup cell: find utils/ locally, or clone the course once on Colab."""
    github_slug()
    url = REPOSITORY_URL
    return f'''# Setup -- run this cell first. Locally it finds the course's utils/; on Colab it fetches the course once.
import pathlib, subprocess, sys
REPOSITORY = "{url}"
COURSE = pathlib.Path("/content/cnn-course")
if "google.colab" in sys.modules and not (COURSE / "utils").exists():
    clone = subprocess.run(["git", "clone", "-q", "--depth=1", REPOSITORY, str(COURSE)], capture_output=True, text=True)
    if clone.returncode != 0:
        raise RuntimeError(f"Could not clone the course from {{REPOSITORY}}: {{clone.stderr.strip()}}. "
                           "Is this runtime online and the repository public? To use another copy of the course, "
                           "set REPOSITORY above to its URL and run this cell again.")
HERE = pathlib.Path.cwd()
FOUND = next((p for p in [HERE, *HERE.parents, COURSE] if (p / "utils" / "runtime.py").exists()), None)
if FOUND is None:
    raise RuntimeError(f"utils/ not found above {{HERE}}: open this notebook from inside the course folder.")
sys.path.insert(0, str(FOUND))
from utils import runtime
{SETUP_END}'''


def apply(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """Rewrite ``nb``'s badge line and setup-cell bootstrap from the settings above (in place; returns ``nb``)."""
    title = nb.cells[0]
    if title.cell_type != "markdown" or not _BADGE_LINE.search(title.source):
        raise ValueError(f"{name}: the first cell must be the title with a Colab badge line")
    title.source = _BADGE_LINE.sub(lambda _: badges(name), title.source, count=1)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    if SETUP_END not in setup.source:
        raise ValueError(f"{name}: the first code cell must be the setup cell ending its bootstrap with {SETUP_END!r}")
    setup.source = setup_bootstrap() + setup.source.split(SETUP_END, 1)[1]
    return nb
