import pytest

from runtime.rules import load_rules


@pytest.fixture(scope="session")
def rules():
    return load_rules()
