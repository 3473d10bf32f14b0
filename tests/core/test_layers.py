"""The apps form layers (docs/architecture.md): a lower app never imports a higher one, not
even inside a function. The contract is in pyproject.toml; this runs it with the suite, and
shows that it would catch an upward import hidden in a function body."""

import textwrap
from pathlib import Path

import pytest
from importlinter import cli

ROOT = Path(__file__).resolve().parents[2]


def lint() -> bool:
    """import-linter as ``lint-imports`` runs it (no cache: the probe must be seen)."""
    status = cli.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    return status == cli.EXIT_STATUS_SUCCESS


def test_the_layers_contract_is_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint() is True


@pytest.mark.parametrize(
    "lower, higher",
    [("membership", "standing"), ("governance", "resellers"), ("resellers", "contributions")],
)
def test_an_upward_import_inside_a_function_breaks_the_contract(monkeypatch, lower, higher):
    monkeypatch.chdir(ROOT)
    module = ROOT / lower / "zz_upward_probe.py"
    module.write_text(
        textwrap.dedent(
            f"""
            def hidden():
                from {higher} import models  # noqa: F401
            """
        )
    )
    try:
        assert lint() is False
    finally:
        module.unlink()
