"""Real daemons for the tests: each in a process of its own, on a data folder of its own.

The daemon command comes from ``COVE_TEST_DAEMON`` (a JSON list, set by the JUnit runner PythonClientTest),
else ``bin/cove daemon`` of this repository. Auto-start tests use the launcher the environment describes
(``COVE_DAEMON_CLASSPATH`` from the runner, else ``COVE_LAUNCHER`` set here to bin/cove).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Callable, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
if SRC not in sys.path:
    sys.path.insert(0, SRC)

if not os.environ.get("COVE_DAEMON_CLASSPATH") and not os.environ.get("COVE_LAUNCHER"):
    os.environ["COVE_LAUNCHER"] = os.path.join(REPO, "bin", "cove")

import cove  # noqa: E402


def daemon_command() -> List[str]:
    raw = os.environ.get("COVE_TEST_DAEMON")
    if raw:
        return json.loads(raw)
    return [os.path.join(REPO, "bin", "cove"), "daemon"]


def temp_dir(prefix: str = "pyt") -> str:
    base = os.environ.get("COVE_TEST_TMP") or None
    if base:
        os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix + "-", dir=base)


def await_(condition: Callable[[], object], timeout: float, what: str, poll: float = 0.02):
    """Polls ``condition`` until it is truthy (returns it) or fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # a condition may fail while the daemon is still coming up
            last_error = e
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}"
                                 + (f" (last error: {last_error})" if last_error else ""))
        time.sleep(poll)


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Daemon:
    """A daemon process; ``start`` returns once it answers a ping from its own pid."""

    def __init__(self, data_dir: str, instance: str = "default", *extra: str):
        self.data_dir = data_dir
        self.instance = instance
        self.extra = list(extra)
        self.process: Optional[subprocess.Popen] = None
        self.daemon_pid = 0

    def start(self, timeout: float = 60) -> "Daemon":
        os.makedirs(self.data_dir, exist_ok=True)
        out = open(os.path.join(self.data_dir, f"..{os.path.basename(self.data_dir)}-{self.instance}.out"), "ab")
        self.process = subprocess.Popen(daemon_command() + ["--data-dir", self.data_dir, "--instance", self.instance]
                                        + self.extra, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        proc = self.process

        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"the daemon exited with {proc.returncode} before it answered")
            with self.client(connect_retry=0) as c:
                self.daemon_pid = c.ping()["pid"]
                return True
        await_(ready, timeout, "the daemon to answer")
        return self

    @property
    def pid(self) -> int:
        return self.daemon_pid

    def client(self, **kwargs) -> "cove.Client":
        return cove.Client(self.data_dir, self.instance, **kwargs)

    def kill(self) -> None:
        """SIGKILL, as a crash."""
        if self.daemon_pid:
            kill_pid(self.daemon_pid)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(30)

    def __enter__(self) -> "Daemon":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()


def kill_pid(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def python_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def run_python(code: str, **kwargs) -> subprocess.Popen:
    """Starts ``python -c code`` with this package importable; stdout is a pipe, stderr inherited."""
    return subprocess.Popen([sys.executable, "-c", code], env=python_env(), stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, **kwargs)


def remove(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
