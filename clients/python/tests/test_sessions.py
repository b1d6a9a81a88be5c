"""Sessions from Python against a real daemon: the same semantics as the Java library."""
import os
import signal
import threading
import time
import unittest

import support
from support import Daemon, await_, temp_dir

import cove
from cove import errors as E


def _detail(c, sid):
    return c.call("query:sessions.get.v1", {"sessionId": sid, "events": 1000})


def _event_names(detail):
    return [e["name"] for e in detail["events"]]


def _one_bucket(c, sid, name):
    series = c.call("query:sessions.metrics.query.v1", {"sessionId": sid, "name": name, "buckets": 1})
    b = series["buckets"]
    return series["count"], sum(x["count"] for x in b), sum((x["sum"] or 0) for x in b)


class SessionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = temp_dir("sess")
        cls.daemon = Daemon(os.path.join(cls.dir, "data")).start()
        cls.client = cls.daemon.client()

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.daemon.kill()
        support.remove(cls.dir)

    def test_with_registers_this_process_and_ends_the_session(self):
        with cove.session("MyApp", "1.0", data_dir=self.daemon.data_dir, tags={"team": "py"}) as s:
            info = _detail(self.client, s.id)["session"]
            self.assertEqual((info["app"], info["version"], info["pid"], info["status"]),
                             ("MyApp", "1.0", os.getpid(), "ACTIVE"))
            self.assertEqual(info["tags"], {"team": "py"})
            listed = self.client.call("query:sessions.list.v1", {"app": "MyApp"})["sessions"]
            self.assertIn(s.id, [x["sessionId"] for x in listed])
        info = _detail(self.client, s.id)["session"]
        self.assertEqual((info["status"], info["exitStatus"]), ("ENDED", 0))
        self.assertFalse(s._owned_client.connected, "the client session() made is closed with it")

    def test_an_exception_leaving_with_ends_the_session_with_status_1_and_the_reason(self):
        with self.assertRaises(KeyError):
            with cove.session("Failing", data_dir=self.daemon.data_dir) as s:
                raise KeyError("boom")
        info = _detail(self.client, s.id)["session"]
        self.assertEqual((info["status"], info["exitStatus"]), ("ENDED", 1))
        self.assertIn("KeyError", info["endReason"])

    def test_state_deep_merges_and_null_deletes(self):
        s = cove.Sessions(self.client).start("state-app", state={"user": "ann"})
        s.state({"window": {"open": ["w1"], "size": {"w": 800, "h": 600}}, "theme": "dark"})
        s.state({"window": {"size": {"h": 700}}})
        s.state({"theme": None})
        s.state(flag=1)
        s.state(flag=True)  # not the same value as 1 for the daemon
        self.assertTrue(s.flush())
        detail = _detail(self.client, s.id)
        expected = {"user": "ann", "window": {"open": ["w1"], "size": {"w": 800, "h": 700}}, "flag": True}
        self.assertEqual(detail["state"], expected)
        self.assertIs(detail["state"]["flag"], True)
        self.assertEqual(s.current_state(), expected)
        # a no-op after the merge is dropped at once; changes that cancel out are never sent
        before = s.stats()
        version = detail["session"]["stateVersion"]
        for _ in range(100):
            s.state({"window": {"size": {"h": 700}}})
        s.state(user="bob")
        s.state(user="ann")
        self.assertTrue(s.flush())
        after = s.stats()
        self.assertEqual(after.state_unchanged - before.state_unchanged, 100)
        self.assertEqual(after.state_patches, before.state_patches, "nothing changed, nothing sent")
        self.assertEqual(_detail(self.client, s.id)["session"]["stateVersion"], version)
        s.state({"window": {"open": None}})
        s.close()
        self.assertEqual(_detail(self.client, s.id)["state"]["window"], {"size": {"w": 800, "h": 700}})

    def test_events_are_stored_with_level_and_data(self):
        s = cove.Sessions(self.client).start("events-app")
        s.event("file_opened", {"size": 1234, "path": "/x"})
        s.event("disk_low", {"free": 0.5}, level="warn")
        s.close()
        events = {e["name"]: e for e in _detail(self.client, s.id)["events"]}
        self.assertEqual(events["file_opened"]["data"], {"size": 1234, "path": "/x"})
        self.assertEqual(events["file_opened"]["origin"], "APP")
        self.assertEqual(events["disk_low"]["level"], "WARN")
        with self.assertRaises(ValueError):
            s.event("", {})
        with self.assertRaises(ValueError):
            cove.Sessions(self.client).start("x").event("bad", {"v": float("nan")})

    def test_100000_metric_points_in_a_second_arrive_in_a_few_dozen_calls(self):
        s = cove.Sessions(self.client).start("metrics-app")
        t0 = time.monotonic()
        total = 0.0
        for i in range(100_000):
            v = float(i % 1000)
            s.metric("load", v)
            total += v
            if i % 10 == 0:
                s.state({"phase": "run" if i % 1000 else "tick"} if i % 100 == 0 else {"phase": "run"})
            if i % 100 == 0:
                s.heartbeat()
            if i % 10_000 == 0:
                s.event("progress", {"i": i})
                s.count("requests", 2)
        elapsed = time.monotonic() - t0
        self.assertTrue(s.flush(30))
        stats = s.stats()
        app_calls = stats.metric_calls + stats.state_calls + stats.heartbeat_calls + stats.event_calls
        self.assertEqual(stats.metric_calls, 100_010)
        self.assertGreaterEqual(app_calls, 111_000)
        self.assertEqual(stats.points_sent, 100_010)
        self.assertEqual(stats.dropped, 0)
        # a few dozen daemon calls (one report per 250 ms, plus register): never one per point
        self.assertLessEqual(stats.daemon_calls, 60, f"{stats} after {elapsed:.2f} s")
        count, bucket_count, bucket_sum = _one_bucket(self.client, s.id, "load")
        self.assertEqual((count, bucket_count), (100_000, 100_000))
        self.assertEqual(bucket_sum, total)
        self.assertEqual(_one_bucket(self.client, s.id, "requests")[2], 20.0)
        s.close()
        print(f"\n  python: 100,000 points in {elapsed:.2f} s, {stats.daemon_calls} daemon calls", flush=True)

    def test_a_lost_reply_is_retried_with_the_same_batch_and_counted_once(self):
        s = cove.Sessions(self.client, flush_interval=0).start("retry-app")
        real = self.client.call
        lost = []

        def losing_call(method, payload=None, **kw):
            result = real(method, payload, **kw)
            if method.endswith("sessions.report.input.v1") and not lost:
                lost.append(payload["batch"])
                raise cove.CoveError(E.CONNECTION_LOST, "the reply was lost")  # after the daemon applied it
            return result
        self.client.call = losing_call
        try:
            for i in range(10):
                s.metric("m", 1.0, time_ms=1_800_000_000_000 + i)
            self.assertTrue(s.flush(10))
        finally:
            del self.client.call
        self.assertEqual(len(lost), 1)
        self.assertGreaterEqual(s.stats().failed_calls, 1)
        self.assertEqual(_one_bucket(self.client, s.id, "m")[:2], (10, 10))
        s.close()

    def test_a_kill_9_of_the_app_is_recorded_as_parent_process_crashed(self):
        code = ("import sys, time, cove\n"
                f"s = cove.Sessions(cove.Client({self.daemon.data_dir!r})).start('doomed')\n"
                "s.metric('x', 1)\n"
                "s.flush()\n"
                "print(s.id, flush=True)\n"
                "time.sleep(600)\n")
        p = support.run_python(code)
        sid = p.stdout.readline().strip()
        self.assertTrue(sid.startswith("s-"), sid)
        self.assertEqual(_detail(self.client, sid)["session"]["status"], "ACTIVE")
        p.send_signal(signal.SIGKILL)
        p.wait(10)
        p.stdout.close()
        detail = await_(lambda: (d := _detail(self.client, sid))["session"]["status"] == "CRASHED" and d, 15,
                        "the daemon to see the app gone")
        self.assertIn("parent_process_crashed", _event_names(detail))

    def test_atexit_delivers_what_is_buffered_and_ends_the_session(self):
        code = ("import cove\n"
                f"s = cove.Sessions(cove.Client({self.daemon.data_dir!r}), flush_interval=60).start('leaving')\n"
                "print(s.id, flush=True)\n"
                "for i in range(5000): s.metric('m', 2.0)\n"
                "s.state(done=True)\n")  # and the interpreter exits with all of it still buffered
        p = support.run_python(code)
        sid = p.stdout.readline().strip()
        p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0)
        detail = _detail(self.client, sid)
        self.assertEqual(detail["session"]["status"], "ENDED")
        self.assertEqual(detail["session"]["endReason"], "interpreter exit")
        self.assertEqual(detail["state"], {"done": True})
        self.assertEqual(_one_bucket(self.client, sid, "m")[1:], (5000, 10000.0))

    def test_a_session_the_daemon_ended_stops_reporting(self):
        s = cove.Sessions(self.client).start("ended-elsewhere")
        self.client.call("action:sessions.end.input.v1", {"sessionId": s.id, "exitStatus": 5})
        s.metric("m", 1.0)
        self.assertFalse(s.flush(10))
        self.assertEqual(s.last_error.code, E.CONFLICT)


class DaemonRestartTest(unittest.TestCase):
    def test_nothing_is_lost_when_the_daemon_restarts_mid_run(self):
        d = temp_dir("restart")
        daemon = Daemon(os.path.join(d, "data")).start()
        client = daemon.client()
        try:
            s = cove.Sessions(client, flush_interval=0.05).start("survivor", "1")
            stop = threading.Event()
            sent = [0]

            def produce():
                while not stop.is_set():
                    s.metric("ticks", 1.0)
                    s.count("work", 3)
                    sent[0] += 1
                    if sent[0] % 2000 == 0:
                        s.event("checkpoint", {"n": sent[0]})
                        time.sleep(0.01)
            t = threading.Thread(target=produce)
            t.start()
            await_(lambda: s.stats().points_sent > 1000, 20, "points to flow")
            daemon.kill()  # kill -9: replies may be lost after the daemon committed
            failed_before = s.stats().failed_calls
            await_(lambda: s.stats().failed_calls > failed_before, 20, "a report to fail while the daemon is gone")
            delivered = s.stats().points_sent
            daemon = Daemon(daemon.data_dir).start()
            # the run goes on against the new daemon (not only a replay of what waited)
            await_(lambda: s.stats().points_sent > delivered + 1000, 30, "points to reach the new daemon")
            stop.set()
            t.join(10)
            self.assertTrue(s.flush(30), f"flush after the restart: {s.last_error}")
            n = sent[0]
            stats = s.stats()
            self.assertEqual(stats.dropped, 0)
            self.assertGreater(stats.failed_calls, 0)
            with daemon.client() as c:
                self.assertEqual(_one_bucket(c, s.id, "ticks")[:2], (n, n))
                self.assertEqual(_one_bucket(c, s.id, "work")[2], 3.0 * n)
                events = [e for e in _detail(c, s.id)["events"] if e["name"] == "checkpoint"]
                self.assertEqual(len(events), n // 2000, "each event stored once")
                s.close()
                self.assertEqual(_detail(c, s.id)["session"]["status"], "ENDED")
        finally:
            client.close()
            daemon.kill()
            support.remove(d)

    def test_points_are_buffered_up_to_the_bound_while_no_daemon_answers(self):
        d = temp_dir("bound")
        daemon = Daemon(os.path.join(d, "data")).start()
        client = daemon.client()
        try:
            s = cove.Sessions(client, max_buffered_points=1000).start("bounded")
            daemon.kill()
            for _ in range(5000):
                s.metric("m", 1.0)
            # 1,000 wait in the buffer, and at most one report of up to 1,000 more is in flight, kept for its
            # retry (the interval may have sent one before the buffer filled, so it can hold any number of points)
            dropped = s.stats().dropped
            self.assertTrue(3000 <= dropped <= 4000, dropped)
            self.assertFalse(s.flush(0.5), "nothing can be delivered without a daemon")
            daemon = Daemon(daemon.data_dir).start()
            self.assertTrue(s.flush(30), str(s.last_error))
            with daemon.client() as c:
                self.assertEqual(_one_bucket(c, s.id, "m")[:2], (5000 - dropped, 5000 - dropped))
            s.close()
        finally:
            client.close()
            daemon.kill()
            support.remove(d)


if __name__ == "__main__":
    unittest.main()
