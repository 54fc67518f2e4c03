"""Fixtures for every test folder.

pytest puts the folder of this file on sys.path (it has no __init__.py), which is what lets tests
anywhere below import the shared helpers kept here, such as `cfn_yaml`.
"""

from typing import Any

import pytest

from cfn_yaml import load_template


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml, with CloudFormation's short tags in their long form."""
    return load_template()
