# SPDX-License-Identifier: MIT
"""Fixtures for the integration suites: an `instance` per test, in both
modes (as root with daemons dropping to the test user, and as that
unprivileged user), always stopped afterwards."""
import os
import shutil
import tempfile

import pytest

from petrel_instance import Instance


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("the integration tests need root (to create the test user and test "
                                "privilege drops): run scripts/test.sh as root or with sudo")


@pytest.fixture
def scratch():
    """A directory every test user can traverse (pytest's own tmp_path is 0700)."""
    path = tempfile.mkdtemp(prefix="petrel-it-", dir="/tmp")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(params=["root", "user"])
def instance(request, scratch):
    inst = Instance(scratch, request.param)
    yield inst
    inst.cleanup()


@pytest.fixture
def root_instance(scratch):
    inst = Instance(scratch, "root")
    yield inst
    inst.cleanup()
