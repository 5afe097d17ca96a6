"""One warm judge for the whole sandbox test session."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for sandbox_helpers

from sandbox import Judge


@pytest.fixture(scope="session")
def judge():
    with Judge(workers=2) as j:
        yield j
