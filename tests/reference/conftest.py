import pytest

from runtime.rules import load_rules  # production's rules, only to run production


@pytest.fixture(scope="session")
def rules():
    return load_rules()
