"""A throwaway PostgreSQL server for one test: a new cluster in a temporary folder,
listening only on a Unix socket there, stopped and removed at the end, every step
bounded in time. Debian installs the server under /usr/lib/postgresql/<version>/bin
(`.ci/run` installs the `postgresql` package); PostgreSQL refuses to run as root, so
as root the server runs as `nobody`."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

USER = "touchdsl"


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if found:
        return found
    reason = f"PostgreSQL's `{name}` is not installed (on Debian: apt-get install postgresql; see .ci/run)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must install it", pytrace=False)
    pytest.skip(reason)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def server() -> Iterator[str]:
    """Yields the socket folder (psycopg's `host`); the database is `postgres`, the user USER."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    folder = tempfile.mkdtemp(prefix="touchdsl-pg-")
    data = os.path.join(folder, "data")
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser") or shutil.which("setpriv")
        if runuser is None:
            pytest.skip("running as root without runuser to start PostgreSQL as another user")
        prefix = [runuser, "-u", "nobody", "--"] if runuser.endswith("runuser") else \
            [runuser, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
        os.chmod(folder, 0o777)
    try:
        subprocess.run([*prefix, initdb, "-D", data, "-U", USER, "--auth=trust", "--no-locale", "-E", "UTF8"],
                       check=True, capture_output=True, timeout=120)
        options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=off"
        subprocess.run([*prefix, pg_ctl, "-D", data, "-o", options, "-l", os.path.join(folder, "log"), "-w",
                        "-t", "60", "start"], check=True, capture_output=True, timeout=90)
        try:
            yield folder
        finally:
            subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
