"""The path rule (docs/reliability.md, "Security") and the server check, against real folders, a real other user
(``nobody``) and real daemons: the shared table testdata/path-rules.json, nobody's server on our socket path,
the RENAME_EXCHANGE race on /tmp/cove-USER and the $XDG_RUNTIME_DIR fallback."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import unittest

import support
import trust_support as ts
from support import await_, temp_dir

import cove
from cove import errors as E

TABLE = os.path.join(support.REPO, "testdata", "path-rules.json")


def _need_root(test: unittest.TestCase) -> None:
    if not ts.is_root():
        test.skipTest("needs root, to act as user nobody and to mount a private /tmp (CI runs as root)")


def _owner(name: str) -> int:
    return {"self": os.getuid(), "root": 0, "nobody": ts.other_uid() if ts.is_root() else -1}[name]


def _build(base: str, steps: list) -> None:
    for step in steps:
        if "symlink" in step:
            to = step["to"]
            os.symlink(to if os.path.isabs(to) else os.path.join(base, to), os.path.join(base, step["symlink"]))
            continue
        path = os.path.join(base, step.get("mkdir") or step["file"])
        if "mkdir" in step:
            os.mkdir(path)
        else:
            open(path, "w").close()
        uid = _owner(step["owner"])
        if uid != os.getuid():
            os.chown(path, uid, ts.other_gid() if step["owner"] == "nobody" else 0)
        os.chmod(path, int(step["mode"], 8))


class PathRulesTest(unittest.TestCase):
    """One test per case of the shared table (the Java and Go suites run the same table)."""

    def check(self, case: dict) -> None:
        base = temp_dir("rules")
        try:
            os.chmod(base, 0o755)
            _build(base, case["setup"])
            data = os.path.join(base, case.get("data", "data"))
            paths = cove.InstancePaths(data)
            if case["expect"] in ("ok", "tightened"):
                paths.create_daemon_dir()
                for d in (data, paths.daemon_dir):
                    st = os.lstat(d)
                    self.assertTrue(stat.S_ISDIR(st.st_mode), f"{d} is a real folder")
                    self.assertEqual(st.st_uid, os.getuid(), d)
                    self.assertEqual(stat.S_IMODE(st.st_mode), 0o700, d)
                return
            with self.assertRaises(cove.CoveError) as e:
                paths.create_daemon_dir()
            self.assertEqual(e.exception.code, E.BAD_DATA_DIR)
            self.assertTrue(e.exception.details.get("folder") and e.exception.details.get("fix"), e.exception.details)
            for word in case.get("mentions", []):
                self.assertIn(word, e.exception.message)
            for u in case.get("unchanged", []):
                p = os.path.join(base, u["path"])
                self.assertEqual(f"{stat.S_IMODE(os.lstat(p).st_mode):04o}", u["mode"], f"{p} keeps its mode")
        finally:
            support.remove(base)


def _add_table_cases() -> None:
    with open(TABLE, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    for case in cases:
        owners = {s.get("owner", "self") for s in case["setup"]}
        if owners - {"self"} and not ts.is_root():
            continue  # as the table says: without root, only the cases whose owners are all self

        def test(self, case=case):
            self.check(case)
        setattr(PathRulesTest, "test_" + case["name"].replace("-", "_"), test)


_add_table_cases()


class ForeignServerTest(unittest.TestCase):
    def test_nobodys_server_on_our_socket_receives_nothing_and_is_named(self):
        _need_root(self)
        # in the machine's /tmp, not in the runner's private temporary folder: nobody has to reach it
        base = tempfile.mkdtemp(prefix="cove-foreign-", dir="/tmp")
        server = None
        try:
            os.chmod(base, 0o755)
            data = os.path.join(base, "data")
            os.mkdir(data)
            os.chmod(data, 0o777)  # a shared folder, where anyone can make daemon/ first
            sock = os.path.join(data, "daemon", "daemon.sock")
            server = subprocess.Popen(ts.as_other([ts.other_python(), "-c", ts.FAKE_SERVER, sock]),
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            log: list = []
            reader = threading.Thread(target=lambda: log.extend(
                line.decode().strip() for line in iter(server.stdout.readline, b"")), daemon=True)
            reader.start()
            await_(lambda: "listening" in log, 30, f"nobody's server to listen ({log})")
            with cove.Client(data, connect_retry=0) as c:
                with self.assertRaises(cove.CoveError) as e:
                    c.ping()
            self.assertEqual(e.exception.code, E.UNTRUSTED_SERVER)
            self.assertEqual(e.exception.details.get("user"), ts.OTHER)
            self.assertIn("nobody", e.exception.message)
            self.assertIn(sock, e.exception.message)
            await_(lambda: any(line.startswith("eof") for line in log), 30, f"the connection to end ({log})")
            self.assertIn("accepted", log, "the client did connect")
            self.assertEqual([line for line in log if line.startswith("received")], [], "not one byte sent")
            self.assertIn("eof 0", log)
        finally:
            if server is not None:
                server.kill()
                server.wait(30)
                server.stdout.close()
            shutil.rmtree(base, ignore_errors=True)


class NamespaceTest(unittest.TestCase):
    """Scenarios on /tmp/cove-USER, each in a private mount namespace with its own tmpfs on /tmp."""

    def test_rename_exchange_race_on_the_link_folder_changes_no_mode(self):
        _need_root(self)
        r = ts.in_namespace("race", "5000")
        self.assertEqual(r["attacker_exit"], 0, r["output"])
        self.assertIn("swapped 5000", r["attacker"], r["output"])
        self.assertEqual(r["victim_mode"], "0755", "the root-owned folder behind nobody's link keeps its mode")
        self.assertEqual(r["attacker_folder_mode"], "0777", "nobody's own folder is not chmodded either")
        self.assertEqual(r["accepted"], [], "no attempt used the taken folder")
        self.assertEqual(r["refused"], r["attempts"])
        self.assertEqual(r["reasons"], [E.BAD_DATA_DIR], r["output"])
        self.assertGreater(r["attempts"], 1)

    def test_a_taken_tmp_link_folder_falls_back_to_xdg_runtime_dir(self):
        _need_root(self)
        env = dict(os.environ)
        env.pop("COVE_TEST_TMP", None)  # the runner's temporary folder is under the hidden /tmp
        r = ts.in_namespace("xdg-fallback", env=env)
        self.assertEqual(r["ping_pid"], r["daemon_pid"], r["output"])
        self.assertTrue(r["connect_path"].startswith("/tmp/runtime/cove/"), r["connect_path"])
        self.assertEqual(r["link_target"], r["daemon_dir"])
        self.assertEqual((r["taken_mode"], r["taken_uid"]), ("0777", ts.other_uid()), "the taken folder is left alone")


if __name__ == "__main__":
    unittest.main()
