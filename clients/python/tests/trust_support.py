"""Another local user (``nobody``) and private mount namespaces, for the tests of the path rule and the server check.

Other-user steps run through ``setpriv --reuid=nobody --regid=nogroup --clear-groups``; steps that would touch
``/tmp/cove-USER`` run inside ``unshare -m`` with a fresh tmpfs on ``/tmp``, so the machine's own ``/tmp`` is never
touched. Both need root; the tests skip without it (a root machine, as CI is, always runs them).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
OTHER = "nobody"
SETPRIV = "/usr/bin/setpriv"


def is_root() -> bool:
    return os.geteuid() == 0


def other_uid() -> int:
    import pwd
    return pwd.getpwnam(OTHER).pw_uid


def other_gid() -> int:
    import grp
    return grp.getgrnam("nogroup").gr_gid


def other_python() -> str:
    """A python3 that ``nobody`` may run (this one may live under root's home)."""
    for p in ("/usr/bin/python3", "/usr/local/bin/python3", sys.executable):
        if os.access(p, os.X_OK) and all(os.stat(d).st_mode & 0o001 for d in _parents(os.path.realpath(p))):
            return p
    raise AssertionError("no python3 that user nobody may run: install python3-minimal")


def _parents(path: str) -> List[str]:
    out = []
    d = os.path.dirname(path)
    while True:
        out.append(d)
        if d == "/":
            return out
        d = os.path.dirname(d)


def as_other(argv: List[str]) -> List[str]:
    if not os.access(SETPRIV, os.X_OK):
        raise AssertionError(f"{SETPRIV} is missing (package util-linux): a security test must not skip as root")
    return [SETPRIV, f"--reuid={OTHER}", "--regid=nogroup", "--clear-groups"] + argv


# nobody's server on the owner's socket path: greets every client like a daemon and logs every byte it receives
FAKE_SERVER = r'''
import os, socket, sys
path = sys.argv[1]
folder = os.path.dirname(path)
os.makedirs(folder, exist_ok=True)
os.chmod(folder, 0o777)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o777)
s.listen(16)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    print("accepted", flush=True)
    try:
        c.sendall(b'{"type":"hello","protocol":1,"server":"cove","version":"0","instance":"default","pid":1,'
                  b'"encodings":["json"],"maxFrame":16777216}\n')
    except OSError:
        pass
    total = 0
    while True:
        try:
            b = c.recv(65536)
        except OSError:
            break
        if not b:
            break
        total += len(b)
        print("received", b.hex(), flush=True)
    print("eof", total, flush=True)
    c.close()
'''

# nobody's side of the RENAME_EXCHANGE race: LINK_DIR is swapped, SWAPS times, between nobody's own folder
# and a symlink to VICTIM, atomically (renameat2), so a client that checks a path and then chmods it may chmod
# the victim
ATTACKER = r'''
import ctypes, os, sys, time
link_dir, victim, swaps, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
other = link_dir + ".swap"
os.mkdir(link_dir)
os.chmod(link_dir, 0o777)
os.symlink(victim, other)
libc = ctypes.CDLL(None, use_errno=True)
SYS_renameat2 = {"x86_64": 316, "aarch64": 276}[os.uname().machine]
AT_FDCWD, RENAME_EXCHANGE = -100, 2
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
done = 0
for _ in range(swaps):
    if libc.syscall(SYS_renameat2, AT_FDCWD, link_dir.encode(), AT_FDCWD, other.encode(), RENAME_EXCHANGE) != 0:
        print("renameat2 failed:", os.strerror(ctypes.get_errno()), flush=True)
        sys.exit(1)
    done += 1
print("swapped", done, flush=True)
'''


def in_namespace(scenario: str, *args: str, env: Optional[Dict[str, str]] = None,
                 timeout: float = 300) -> dict:
    """Runs ``trust_scenarios.py SCENARIO ARGS`` as root in a private mount namespace with a tmpfs on /tmp, and
    returns the JSON object it prints last."""
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    script = os.path.join(HERE, "trust_scenarios.py")
    # a checkout under /tmp (as a CI clone may be) stays visible at its own path: bound from the shell's working
    # folder, which still is the old one once the tmpfs hides it (--no-canonicalize, or mount would resolve ".")
    root = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
    keep = root if root.startswith("/tmp/") else ""
    cmd = [unshare, "-m", "--propagation", "private", "sh", "-c",
           'k="$1"; shift; if [ -n "$k" ]; then cd "$k" || exit 1; fi; '
           'mount -t tmpfs -o mode=1777 cove-test /tmp || exit 1; '
           'if [ -n "$k" ]; then mkdir -p "$k" && mount --no-canonicalize --bind . "$k" && cd / || exit 1; fi; '
           'exec "$@"', "sh", keep, sys.executable, script, scenario, *args]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, env=env)
    out = p.stdout.decode("utf-8", "replace")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if p.returncode != 0 or not lines:
        raise AssertionError(f"scenario {scenario} failed (exit {p.returncode}):\n{out}")
    result = json.loads(lines[-1])
    result["output"] = out
    return result
