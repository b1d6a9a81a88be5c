"""The connection: hello, many calls in flight, errors with the daemon's codes, events, auto-start, private daemons."""
import json
import os
import socket
import sys
import threading
import time
import unittest

import support
from support import Daemon, await_, pid_alive, temp_dir

import cove
from cove import errors as E


class ConnectionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = temp_dir("conn")
        cls.daemon = Daemon(os.path.join(cls.dir, "data")).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.kill()
        support.remove(cls.dir)

    def test_hello_and_ping_reach_the_daemon(self):
        with self.daemon.client(name="py-test", version="7") as c:
            self.assertEqual(c.hello["protocol"], 1)
            self.assertEqual(c.ping()["pid"], self.daemon.pid)
            clients = c.call("query:core.clients.v1")["clients"]
            me = [x for x in clients if x["name"] == "py-test"]
            self.assertEqual(len(me), 1, clients)
            self.assertEqual(me[0]["version"], "7")
            self.assertEqual(me[0]["pid"], os.getpid())

    def test_calls_from_many_threads_share_one_connection(self):
        with self.daemon.client() as c:
            results, failures = [], []

            def work():
                try:
                    for _ in range(50):
                        results.append(c.ping()["pid"])
                except Exception as e:  # collected and asserted below
                    failures.append(e)
            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            self.assertEqual(failures, [])
            self.assertEqual(len(results), 400)
            self.assertEqual(set(results), {self.daemon.pid})
            names = [x["name"] for x in c.call("query:core.clients.v1")["clients"]]
            self.assertEqual(names.count("python-client"), 1, "one connection for all threads")

    def test_the_daemons_error_codes_surface_in_the_exception(self):
        with self.daemon.client() as c:
            with self.assertRaises(cove.CoveError) as e:
                c.call("action:sessions.register.input.v1", {"app": "x", "pid": "not a number"})
            self.assertEqual(e.exception.code, E.DECODE_ERROR)
            self.assertIn("pid", e.exception.message)
            with self.assertRaises(cove.CoveError) as e:
                c.call("action:sessions.register.input.v1", {"app": "x", "pid": 1, "bogus": True})
            self.assertEqual(e.exception.code, E.DECODE_ERROR)
            self.assertIn("bogus", e.exception.message)
            with self.assertRaises(cove.CoveError) as e:
                c.call("query:sessions.get.v1", {"sessionId": "s-nosuchthing"})
            self.assertEqual(e.exception.code, E.NOT_FOUND)
            with self.assertRaises(cove.CoveError) as e:
                c.call("query:core.nope.v1")
            self.assertEqual(e.exception.code, E.METHOD_NOT_FOUND)
            # a session method refusing a value: INVALID_INPUT, through the sessions API too
            s = cove.Sessions(c).start("bad-input")
            with self.assertRaises(cove.CoveError) as e:
                c.call("action:sessions.report.input.v1", {"sessionId": s.id, "heartbeat": False,
                                                           "batches": [{"name": "m", "times": [1], "values": [1.0]}]})
            self.assertEqual(e.exception.code, E.INVALID_INPUT)
            s.close()
            self.assertEqual(c.ping()["pid"], self.daemon.pid, "the connection survives errors")

    def test_events_arrive_on_a_subscription_that_ends_when_unsubscribed(self):
        with self.daemon.client() as c:
            sub = c.subscribe(["SessionEvent"], {"app": "sub-test"})
            s = cove.Sessions(c).start("sub-test", "1")
            s.event("hello", {"n": 1})
            s.close()
            names = []
            for item in sub:
                self.assertIsInstance(item, cove.Event)
                names.append(item.payload["name"])
                if item.payload["name"] == "session_ended":
                    break
            self.assertEqual(names, ["session_registered", "hello", "session_ended"])
            sub.close()
            end = sub.next_item(10)
            self.assertEqual(end, cove.Ended("unsubscribed"))
            self.assertIsNone(sub.next_item(0.01))

    def test_a_reader_that_falls_behind_gets_lagged_before_the_next_event(self):
        with self.daemon.client(stream_buffer=3) as c:
            sub = c.subscribe(["SessionEvent"], {"app": "lag-test", "origin": "APP"})
            s = cove.Sessions(c).start("lag-test")
            for i in range(20):
                s.event("e", {"i": i})
            self.assertTrue(s.flush())
            await_(lambda: sub._missed + len(sub._items) == 20, 10, "20 events to reach the stream")
            items = [sub.next_item(10) for _ in range(3)]  # room again, then one more event
            self.assertEqual([i.payload["data"]["i"] for i in items], [0, 1, 2])
            s.event("after")
            s.flush()
            items += [sub.next_item(10) for _ in range(2)]
            self.assertEqual(items[3], cove.Lagged(17, 20, True))
            self.assertEqual(items[4].payload["name"], "after")
            s.close()

    def test_calls_reconnect_after_the_daemon_drops_the_connection(self):
        with self.daemon.client() as c:
            c.ping()
            c._conn.sock.shutdown(socket.SHUT_RDWR)  # as a broken connection
            await_(lambda: not c.connected, 10, "the client to notice")
            self.assertEqual(c.ping()["pid"], self.daemon.pid)


class ErrorPathTest(unittest.TestCase):
    def test_no_daemon_and_no_auto_start_names_the_socket_and_the_start_command(self):
        d = temp_dir("none")
        try:
            with cove.Client(d) as c:
                with self.assertRaises(cove.CoveError) as e:
                    c.ping()
            self.assertEqual(e.exception.code, E.UNAVAILABLE)
            sock = os.path.join(d, "daemon", "daemon.sock")
            self.assertIn(sock, e.exception.message)
            self.assertIn(f"`cove --data-dir {d} start`", e.exception.message)
            self.assertEqual(e.exception.details["socket"], sock)
            self.assertEqual(e.exception.details["reason"], "not_running")
            self.assertFalse(os.path.exists(os.path.join(d, "daemon")), "nothing was started")
        finally:
            support.remove(d)

    def test_auto_start_without_a_launcher_says_how_to_get_one(self):
        d = temp_dir("nolaunch")
        try:
            with cove.Client(d, auto_start=True, launcher=None) as c:
                c._launcher = None  # as if neither COVE_LAUNCHER nor cove on the PATH existed
                with self.assertRaises(cove.CoveError) as e:
                    c.ping()
            self.assertEqual(e.exception.code, E.UNAVAILABLE)
            self.assertIn("COVE_LAUNCHER", e.exception.message)
        finally:
            support.remove(d)

    def test_a_stale_socket_is_reported_as_such(self):
        d = temp_dir("stale")
        try:
            os.makedirs(os.path.join(d, "daemon"), mode=0o700)
            path = os.path.join(d, "daemon", "daemon.sock")
            s = socket.socket(socket.AF_UNIX)
            s.bind(path)
            s.close()  # the file stays, nobody listens
            with cove.Client(d, connect_retry=0.1) as c:
                with self.assertRaises(cove.CoveError) as e:
                    c.ping()
            self.assertEqual(e.exception.code, E.UNAVAILABLE)
            self.assertEqual(e.exception.details["reason"], "stale_socket")
            self.assertIn("start", e.exception.message)
        finally:
            support.remove(d)

    def _fake_daemon(self, hello: dict):
        d = temp_dir("fake")
        os.makedirs(os.path.join(d, "daemon"), mode=0o700)
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(os.path.join(d, "daemon", "daemon.sock"))
        srv.listen(1)

        def serve():
            conn, _ = srv.accept()
            conn.sendall(json.dumps(hello).encode() + b"\n")
            conn.recv(65536)
            time.sleep(0.5)
            conn.close()
        threading.Thread(target=serve, daemon=True).start()
        return d, srv

    def test_a_daemon_of_a_newer_protocol_says_to_upgrade_this_client(self):
        d, srv = self._fake_daemon({"type": "hello", "protocol": 2, "server": "cove"})
        try:
            with cove.Client(d) as c:
                with self.assertRaises(cove.CoveError) as e:
                    c.ping()
            self.assertEqual(e.exception.code, E.UNSUPPORTED_VERSION)
            self.assertIn("upgrade this client", e.exception.message)
        finally:
            srv.close()
            support.remove(d)

    def test_the_real_daemon_refuses_a_client_of_another_protocol(self):
        d = temp_dir("proto")
        try:
            with Daemon(os.path.join(d, "data")) as daemon:
                s = socket.socket(socket.AF_UNIX)
                s.connect(os.path.join(daemon.data_dir, "daemon", "daemon.sock"))
                s.sendall(b'{"type":"hello","protocol":99}\n')
                f = s.makefile("rb")
                hello = json.loads(f.readline())
                self.assertEqual(hello["protocol"], 1)
                answer = json.loads(f.readline())
                s.close()
                self.assertEqual(answer["type"], "error")
                self.assertEqual(answer["error"]["code"], E.UNSUPPORTED_VERSION)
                # and this client, if it spoke protocol 99, would stop at the daemon's hello and say which to upgrade
                import cove.client as cc
                old = cc.PROTOCOL
                cc.PROTOCOL = 99
                try:
                    with daemon.client() as c:
                        with self.assertRaises(cove.CoveError) as e:
                            c.ping()
                finally:
                    cc.PROTOCOL = old
                self.assertEqual(e.exception.code, E.UNSUPPORTED_VERSION)
                self.assertIn("upgrade the daemon", e.exception.message)
        finally:
            support.remove(d)


class LongPathTest(unittest.TestCase):
    def test_a_data_folder_too_long_for_a_socket_path_goes_through_the_tmp_link(self):
        d = temp_dir("long")
        data = os.path.join(d, *(["a-rather-long-folder-name"] * 5))
        try:
            self.assertGreater(len(os.path.join(data, "daemon", "daemon.sock")), 108)
            with Daemon(data) as daemon, daemon.client() as c:
                self.assertEqual(c.ping()["pid"], daemon.pid)
                base = os.path.dirname(os.path.dirname(c.paths.connect_path()))
                links = [n for n in os.listdir(base) if os.path.islink(os.path.join(base, n))
                         and os.readlink(os.path.join(base, n)) == c.paths.daemon_dir]
                self.assertEqual(len(links), 1, f"the daemon's link and this client's are one: {links}")
                path = c.paths.connect_path()
                self.assertTrue(path.startswith("/tmp/cove-"), path)
                # the link the daemon made is the one this client computes: the same rule as Java's
                self.assertEqual(os.path.realpath(os.path.dirname(path)), os.path.realpath(c.paths.daemon_dir))
                self.assertEqual(os.stat(os.path.dirname(os.path.dirname(path))).st_mode & 0o777, 0o700)
        finally:
            support.remove(d)


class AutoStartTest(unittest.TestCase):
    def test_racing_clients_start_one_daemon_between_them(self):
        d = temp_dir("auto")
        pids = set()
        try:
            code = ("import sys, cove\n"
                    f"c = cove.Client({d!r}, auto_start=True)\n"
                    "print(c.ping()['pid'], flush=True)\n")
            procs = [support.run_python(code) for _ in range(2)]
            found, failures = [], []

            def in_thread():
                try:
                    with cove.Client(d, auto_start=True) as c:
                        found.append(c.ping()["pid"])
                except Exception as e:
                    failures.append(e)
            threads = [threading.Thread(target=in_thread) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            for p in procs:
                out, _ = p.communicate(timeout=90)
                self.assertEqual(p.returncode, 0)
                found.append(int(out.strip()))
            self.assertEqual(failures, [])
            pids = set(found)
            self.assertEqual(len(found), 6)
            self.assertEqual(len(pids), 1, f"one daemon for all: {found}")
            self.assertTrue(pid_alive(found[0]))
        finally:
            for pid in pids:
                support.kill_pid(pid)
            support.remove(d)

    def test_a_private_daemon_stops_with_the_process_that_made_it(self):
        d = temp_dir("priv")
        daemon_pid = 0
        try:
            code = ("import sys, os, cove\n"
                    f"c = cove.Client.private({d!r})\n"
                    "print(c.ping()['pid'], c.paths.instance, flush=True)\n"
                    "sys.stdin.readline()\n")
            p = support.subprocess.Popen([sys.executable, "-c", code], env=support.python_env(), text=True,
                                         stdin=support.subprocess.PIPE, stdout=support.subprocess.PIPE)
            pid_text, instance = p.stdout.readline().split()
            daemon_pid = int(pid_text)
            self.assertTrue(instance.startswith(f"p{p.pid}-"), instance)
            self.assertTrue(pid_alive(daemon_pid))
            sock = os.path.join(d, "daemon", f"daemon-{instance}.sock")
            self.assertTrue(os.path.exists(sock))
            p.kill()  # the parent dies without a word: its daemon must notice by itself
            p.wait(10)
            await_(lambda: not pid_alive(daemon_pid), 30, "the private daemon to exit with its parent")
            self.assertFalse(os.path.exists(sock), "the private instance's socket is removed")
        finally:
            if daemon_pid:
                support.kill_pid(daemon_pid)
            support.remove(d)


if __name__ == "__main__":
    unittest.main()
