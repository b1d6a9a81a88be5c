"""The Python row of `bin/bench sessions`: the same workload as the Java row, through the Python client.

An app logs RATE metrics per second for SECONDS (paced to the millisecond), sets an unchanged state once a
millisecond and heartbeats every 10 ms, then flushes. Prints one JSON line with the session's id and stats;
the Java side reads the stored point count back from the daemon.

    python3 bench/python/sessions_bench.py DATA_DIR INSTANCE SECONDS RATE
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python", "src"))
import cove  # noqa: E402


def main() -> None:
    data_dir, instance, seconds, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    points = rate * seconds
    per_milli = max(1, rate // 1000)
    with cove.Client(data_dir, instance, name="bench-python") as client:
        s = cove.Sessions(client, flush_interval=0.25).start("bench-python", "1")
        start = time.perf_counter()
        sent = 0
        tick = 0
        while sent < points:
            due = start + tick / 1000.0
            while time.perf_counter() < due:
                pass  # pacing to the target rate; this is the workload, not a wait
            for _ in range(min(per_milli, points - sent)):
                s.metric("fps", sent % 60)
                sent += 1
            s.state(frame={"scene": "main", "paused": False})  # unchanged after the first
            if tick % 10 == 0:
                s.heartbeat()
            tick += 1
        flushed = s.flush(60)
        elapsed = time.perf_counter() - start
        st = s.stats()
        s.close()
    print(json.dumps({"sessionId": s.id, "flushed": flushed, "elapsed": elapsed,
                      "appCalls": st.metric_calls + st.state_calls + st.heartbeat_calls + st.event_calls,
                      "metricCalls": st.metric_calls, "stateCalls": st.state_calls,
                      "stateUnchanged": st.state_unchanged, "heartbeatCalls": st.heartbeat_calls,
                      "daemonCalls": st.daemon_calls, "dropped": st.dropped}))


if __name__ == "__main__":
    main()
