import os
import tempfile

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=25, deadline=None)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# the disk cache of derived losses: a fresh one per test session (the user's is not touched,
# and every derivation is exercised once, cold, then warm)
os.environ.setdefault("SYMCRIT_CACHE", tempfile.mkdtemp(prefix="symcrit-cache-"))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
