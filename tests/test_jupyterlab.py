"""`make lab` opens a working JupyterLab: start it headless on a free port, GET /lab, stop it."""

from __future__ import annotations

import urllib.request

from lab_server import TOKEN, jupyterlab


def test_jupyterlab_answers_on_lab():
    with jupyterlab() as url, urllib.request.urlopen(f"{url}/lab?token={TOKEN}", timeout=30) as response:
        assert response.status == 200 and "JupyterLab" in response.read().decode()
