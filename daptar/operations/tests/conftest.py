import pytest

from daptar.operations.tests.stack import seeded_template, stack_factory, var

__all__ = ["seeded_template", "stack_factory", "var"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: starts real processes (server, workers); each under about a minute"
    )
