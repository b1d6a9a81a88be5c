"""Scenarios that need a /tmp of their own; run by trust_support.in_namespace inside ``unshare -m`` with a fresh
tmpfs on /tmp (never directly: they create /tmp/cove-USER). Each prints one JSON object as its last line.

    python3 trust_scenarios.py race SWAPS
    python3 trust_scenarios.py xdg-fallback
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import support  # noqa: E402  (puts the client's sources on the path)
import trust_support as ts  # noqa: E402
import cove  # noqa: E402
from cove import _paths  # noqa: E402


def _long_data_dir() -> str:
    data = os.path.join("/tmp", "long", *(["a-rather-long-folder-name"] * 5))
    os.makedirs(data, mode=0o700)
    return data


def _mode(path: str) -> str:
    return f"{stat.S_IMODE(os.lstat(path).st_mode):04o}"


def race(swaps: int) -> dict:
    """nobody swaps /tmp/cove-USER between its folder and a link to a root-owned folder while the client looks
    for its short link: every attempt must be refused, and neither folder may change mode."""
    os.environ.pop("XDG_RUNTIME_DIR", None)
    link_dir = os.path.join("/tmp", "cove-" + _paths._user_name())
    victim = "/tmp/victim"
    os.mkdir(victim)
    os.chmod(victim, 0o755)
    go = "/tmp/go"
    attacker = subprocess.Popen(ts.as_other([ts.other_python(), "-c", ts.ATTACKER, link_dir, victim, str(swaps), go]),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert attacker.stdout is not None
    first = attacker.stdout.readline().decode().strip()
    if first != "ready":
        raise SystemExit(f"the attacker did not start: {first}{attacker.stdout.read().decode()}")
    rest: list = []
    reader = threading.Thread(target=lambda: rest.extend(attacker.stdout.read().decode().splitlines()))
    reader.start()
    paths = cove.InstancePaths(_long_data_dir())
    attempts = refused = 0
    accepted = []
    reasons: set = set()
    while True:
        running = attacker.poll() is None
        attempts += 1
        try:
            accepted.append(paths.connect_path())
        except (cove.CoveError, OSError) as e:
            # counted, not raised: what matters is whether the client changed a mode on the way
            refused += 1
            reasons.add(e.code if isinstance(e, cove.CoveError) else repr(e))
        if attempts == 1:
            open(go, "w").close()
        if not running:
            break
    reader.join()
    other = link_dir + ".swap"
    folder = link_dir if not os.path.islink(link_dir) else other
    return {"attempts": attempts, "refused": refused, "accepted": accepted, "attacker": rest,
            "reasons": sorted(map(str, reasons)),
            "attacker_exit": attacker.returncode, "victim_mode": _mode(victim),
            "attacker_folder_mode": _mode(folder)}


def xdg_fallback() -> dict:
    """Another user took /tmp/cove-USER; with XDG_RUNTIME_DIR set, a real daemon on a long data folder binds
    through $XDG_RUNTIME_DIR/cove and this client finds it there."""
    link_dir = os.path.join("/tmp", "cove-" + _paths._user_name())
    os.mkdir(link_dir)
    os.chown(link_dir, ts.other_uid(), ts.other_gid())
    os.chmod(link_dir, 0o777)
    runtime = "/tmp/runtime"
    os.mkdir(runtime, 0o700)
    os.environ["XDG_RUNTIME_DIR"] = runtime
    data = _long_data_dir()
    cp = os.environ.get("COVE_DAEMON_CLASSPATH", "")
    if cp.strip():
        # the runner's COVE_TEST_DAEMON reads its class path from a file in the /tmp this namespace hides
        os.environ["COVE_TEST_DAEMON"] = json.dumps(
            [os.environ.get("COVE_JAVA") or "java"] + os.environ.get("COVE_JAVA_OPTS", "").split()
            + ["-cp", cp, os.environ.get("COVE_DAEMON_MAIN", "dev.cove.daemon.DaemonMain")])
    daemon = support.Daemon(data)
    try:  # killed even when it never answers: in this namespace nothing else would ever stop it
        daemon.start()
        with daemon.client(connect_retry=0) as c:
            pid = c.ping()["pid"]
            return {"daemon_pid": daemon.pid, "ping_pid": pid, "connect_path": c.paths.connect_path(),
                    "daemon_dir": c.paths.daemon_dir,
                    "link_target": os.path.realpath(os.path.dirname(c.paths.connect_path())),
                    "taken_mode": _mode(link_dir), "taken_uid": os.lstat(link_dir).st_uid}
    finally:
        daemon.kill()


def main() -> None:
    scenario = sys.argv[1]
    if scenario == "race":
        result = race(int(sys.argv[2]))
    elif scenario == "xdg-fallback":
        result = xdg_fallback()
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
