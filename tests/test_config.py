"""BASE_URL, what QR codes point to: set, or the address gunicorn binds."""

from __future__ import annotations

import runpy
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from bouteilles.config import DEFAULT_BIND, load_config

GUNICORN_CONF = Path(__file__).parents[1] / "gunicorn.conf.py"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """No BASE_URL nor GUNICORN_BIND from outside (restored after the test), no .env."""
    for name in ("BASE_URL", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "test")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize("bind, url", [
    (None, "http://127.0.0.1:5000"),
    ("127.0.0.1:8123", "http://127.0.0.1:8123"),
    ("[::1]:8000", "http://[::1]:8000"),
    ("0.0.0.0:8000", f"http://{socket.gethostname()}:8000"),
    ("unix:/run/bouteilles.sock", "http://localhost"),
])
def test_base_url_follows_the_bind_when_unset(env, tmp_path, bind, url):
    if bind:
        env.setenv("GUNICORN_BIND", bind)
    assert load_config(tmp_path)["BASE_URL"] == url


def test_base_url_set_wins(env, tmp_path):
    env.setenv("GUNICORN_BIND", "127.0.0.1:8123")
    env.setenv("BASE_URL", "https://bouteilles.example/")
    assert load_config(tmp_path)["BASE_URL"] == "https://bouteilles.example"


def test_gunicorn_prints_the_address_it_binds_and_hands_it_to_the_workers(env, tmp_path,
                                                                          capsys):
    settings = runpy.run_path(str(GUNICORN_CONF))
    assert settings["bind"] == DEFAULT_BIND  # the app's default is gunicorn's

    class Listener:  # gunicorn's TCP listener, bound to a port the system chose
        def __str__(self) -> str:
            return "http://127.0.0.1:41234"

    settings["when_ready"](SimpleNamespace(LISTENERS=[Listener()]))
    assert "Bouteilles: http://127.0.0.1:41234" in capsys.readouterr().out
    # A worker forked now builds its app with this environment.
    assert load_config(tmp_path)["BASE_URL"] == "http://127.0.0.1:41234"


def test_gunicorn_reads_the_bind_from_dot_env(env, tmp_path):
    (tmp_path / ".env").write_text("GUNICORN_BIND=127.0.0.1:8765\n")
    assert runpy.run_path(str(GUNICORN_CONF))["bind"] == "127.0.0.1:8765"
    assert load_config(tmp_path)["BASE_URL"] == "http://127.0.0.1:8765"
