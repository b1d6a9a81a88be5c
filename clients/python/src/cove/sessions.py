"""Application sessions, with the semantics of the Java library (docs/sessions.md).

State changes, metric points and heartbeats are buffered and sent as one ``sessions.report`` call per flush
interval. State is kept as a local copy: a ``state(...)`` that changes nothing after the deep merge is dropped
at once, and what is sent is the difference between what the daemon has and the local copy, so changes that
cancel out within an interval are never sent. Events go out as soon as possible, with whatever else waits.
Heartbeats are sent at most about four times per hang window (and at most once a second).

A report that fails because the daemon is unreachable is kept and retried with the same batch number, so
the daemon applies it once even if the failure hid a success; new data keeps buffering meanwhile, up to
``max_buffered_points``. Open sessions are flushed and ended when the interpreter exits (``atexit``).
"""
from __future__ import annotations

import atexit
import datetime as _dt
import logging
import math
import os
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import _merge
from . import errors as E
from .client import Client
from .errors import CoveError

_LOG = logging.getLogger("cove.sessions")
_MAX_EVENTS_PER_REPORT = 10_000
_MIN_TIME_MILLIS = 946_684_800_000
_MAX_TIME_MILLIS = 253_402_300_799_999
_MAX_NAME = 200
_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR")
_KINDS = ("GAUGE", "COUNTER", "HISTOGRAM", "TIMER")
_RETRYABLE = {E.UNAVAILABLE, E.CONNECTION_LOST, E.TIMEOUT, E.SHUTTING_DOWN, E.OVERLOADED, E.CANCELLED}
_LIVE = ("ACTIVE", "HUNG")

REGISTER = "action:sessions.register.input.v1"
REPORT = "action:sessions.report.input.v1"
END = "action:sessions.end.input.v1"
LIST = "query:sessions.list.v1"
GET = "query:sessions.get.v1"
METRICS = "query:sessions.metrics.query.v1"


def _check_name(what: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is required and must not be blank")
    if len(value) > _MAX_NAME:
        raise ValueError(f"{what} is too long: {len(value)} characters (at most {_MAX_NAME})")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value):
        raise ValueError(f"{what} {value!r} contains a control character")
    return value


def _check_tags(what: str, tags: Optional[Mapping[str, str]]) -> Tuple[Tuple[str, str], ...]:
    if not tags:
        return ()
    if len(tags) > 32:
        raise ValueError(f"{what} has {len(tags)} tags; at most 32 are allowed")
    for k, v in tags.items():
        _check_name(f"{what} key", k)
        if not isinstance(v, str):
            raise ValueError(f"{what} '{k}' has the value {v!r}; tag values are strings")
        if len(v) > _MAX_NAME:
            raise ValueError(f"{what} '{k}' is longer than {_MAX_NAME} characters")
    return tuple(sorted(tags.items()))


def _iso(epoch_seconds: float) -> str:
    t = _dt.datetime.fromtimestamp(epoch_seconds, _dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"


@dataclass(frozen=True)
class SessionStats:
    """Calls the application made versus calls sent to the daemon (as Java's SessionStats)."""
    state_calls: int
    state_unchanged: int
    event_calls: int
    metric_calls: int
    heartbeat_calls: int
    daemon_calls: int
    reports: int
    state_patches: int
    events_sent: int
    points_sent: int
    heartbeats_sent: int
    dropped: int
    failed_calls: int


class _Column:
    __slots__ = ("times", "values")

    def __init__(self) -> None:
        self.times: List[int] = []
        self.values: List[float] = []


class Sessions:
    """Starts sessions over a client, with settings (same names and defaults as the Java ``Sessions``).

    ``flush_interval`` (s, 0.25; 0 sends at once), ``hang_window`` (s; None: the daemon's; 0 turns detection
    off), ``tags``, ``end_on_exit`` (True: atexit ends open sessions, else only flushes them),
    ``auto_heartbeat`` (the library heartbeats by itself), ``max_buffered_points`` (1,000,000),
    ``close_timeout`` (s, 10)."""

    def __init__(self, client: Client, *, flush_interval: float = 0.25, hang_window: Optional[float] = None,
                 tags: Optional[Mapping[str, str]] = None, end_on_exit: bool = True, auto_heartbeat: bool = False,
                 max_buffered_points: int = 1_000_000, max_points_per_report: int = 100_000,
                 call_timeout: float = 10.0, close_timeout: float = 10.0):
        if flush_interval < 0:
            raise ValueError("the flush interval cannot be negative")
        if max_buffered_points < 1:
            raise ValueError("max_buffered_points must be at least 1")
        self.client = client
        self.flush_interval = flush_interval
        self.hang_window = hang_window
        self.tags = dict(tags or {})
        self.end_on_exit = end_on_exit
        self.auto_heartbeat = auto_heartbeat
        self.max_buffered_points = max_buffered_points
        self.max_points_per_report = min(max_points_per_report, max_buffered_points)
        self.call_timeout = call_timeout
        self.close_timeout = close_timeout

    def start(self, app: str, version: Optional[str] = None, state: Optional[Mapping[str, Any]] = None,
              pid: Optional[int] = None) -> "Session":
        """Registers a session for this process (or ``pid``) and starts batching for it."""
        initial = _merge.normalize(state, "state")
        payload: Dict[str, Any] = {"app": app, "pid": pid if pid is not None else os.getpid()}
        if version is not None:
            payload["version"] = version
        if self.tags:
            payload["tags"] = self.tags
        if self.hang_window is not None:
            payload["hangWindowMillis"] = int(round(self.hang_window * 1000))
        if initial:
            payload["state"] = initial
        registered = self.client.call(REGISTER, payload, timeout=self.call_timeout)
        return Session(self, registered, app, initial)

    # ---- reading ----

    def list(self, **query: Any) -> List[Dict[str, Any]]:
        """``query:sessions.list.v1``: app, active, hung, crashed, ended, since, limit (camelCase as the wire)."""
        return self.client.call(LIST, query)["sessions"]

    def get(self, session_id: str, events: Optional[int] = None) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"sessionId": session_id}
        if events is not None:
            payload["events"] = events
        return self.client.call(GET, payload)

    def metrics(self, session_id: str, name: str, **query: Any) -> Dict[str, Any]:
        """``query:sessions.metrics.query.v1``: tags, from, to, intervalMillis, buckets."""
        return self.client.call(METRICS, dict(query, sessionId=session_id, name=name))


_OPEN: "weakref.WeakSet[Session]" = weakref.WeakSet()
_HOOK = threading.Lock()
_hook_installed = False


def _install_exit_hook() -> None:
    global _hook_installed
    with _HOOK:
        if not _hook_installed:
            atexit.register(_close_all)
            _hook_installed = True


def _close_all() -> None:
    open_sessions = list(_OPEN)
    threads = []
    for s in open_sessions:
        if s._settings.end_on_exit:
            t = threading.Thread(target=s.end, args=(None, "interpreter exit"), daemon=True)
        else:
            t = threading.Thread(target=s.flush, daemon=True)
        t.start()
        threads.append((t, s._settings.close_timeout + 2))
    for t, wait in threads:
        t.join(wait)


class Session:
    """A running application's session. Every method may be called from any thread; none waits for the daemon
    except :meth:`flush`, :meth:`end` and :meth:`close`. A ``with`` block flushes and ends it on exit (exit
    status 0, or 1 with the exception as the reason)."""

    def __init__(self, settings: Sessions, registered: Dict[str, Any], app: str,
                 initial_state: Optional[Dict[str, Any]]):
        self._settings = settings
        self._client = settings.client
        self.id: str = registered["sessionId"]
        self.app = app
        self.hang_window_millis: int = int(registered.get("hangWindowMillis") or 0)
        gap = min(1000, max(10, self.hang_window_millis // 4)) if self.hang_window_millis > 0 else 1000
        self._heartbeat_gap = gap / 1000.0
        self._immediate = settings.flush_interval == 0
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._flushed = threading.Condition(self._lock)
        # guarded by _lock
        self._current: Dict[str, Any] = _merge.merged({}, initial_state or {})
        self._state_dirty = False
        self._events: List[Dict[str, Any]] = []
        self._columns: Dict[Tuple[str, str, Optional[str], Tuple[Tuple[str, str], ...]], _Column] = {}
        self._buffered_points = 0
        self._heartbeat_pending = False
        self._last_heartbeat_sent = time.monotonic()
        self._urgent = False
        self._requested = 0
        self._completed = 0
        self._closing = False
        self._dead = False
        self.last_error: Optional[CoveError] = None
        self._owned_client: Optional[Client] = None
        # flusher thread only
        self._sent: Dict[str, Any] = _merge.merged({}, self._current)
        self._in_flight: Optional[Tuple[Dict[str, Any], Optional[Dict[str, Any]], int, bool]] = None
        self._next_batch = 1
        self._c = dict(state_calls=0, state_unchanged=0, event_calls=0, metric_calls=0, heartbeat_calls=0,
                       daemon_calls=1, reports=0, state_patches=0, events_sent=0, points_sent=0, heartbeats_sent=0,
                       dropped=0, failed_calls=0)
        self._flusher = threading.Thread(target=self._run_flusher, name=f"cove-session-{self.id}", daemon=True)
        _OPEN.add(self)
        _install_exit_hook()
        self._flusher.start()

    # ---- reporting ----

    def heartbeat(self) -> None:
        """"Still alive". Call it from the loop whose stalls should count as a hang; it never blocks."""
        with self._lock:
            self._c["heartbeat_calls"] += 1
            if not self._accepting():
                return
            self._heartbeat_pending = True
            if time.monotonic() - self._last_heartbeat_sent >= self._heartbeat_gap:
                self._urgent = True
                self._wake.notify()

    def state(self, patch: Optional[Mapping[str, Any]] = None, /, **keys: Any) -> None:
        """Deep-merges ``patch`` (and/or keyword keys) into the state: nested dicts merge, lists and scalars
        replace, None deletes the key. Sent with the next batch, only if it changed anything."""
        if patch is None and not keys:
            raise ValueError("state(): pass a dict of the keys to change")
        p = _merge.normalize(dict(patch or {}, **keys), "state") or {}
        with self._lock:
            self._c["state_calls"] += 1
            if not self._accepting():
                return
            if _merge.apply(self._current, p):
                self._state_dirty = True
                if self._immediate:
                    self._urgent = True
                    self._wake.notify()
            else:
                self._c["state_unchanged"] += 1

    def current_state(self) -> Dict[str, Any]:
        """The state as this session last set it (a copy)."""
        with self._lock:
            return _merge.merged({}, self._current)

    def event(self, name: str, data: Optional[Mapping[str, Any]] = None, level: str = "INFO") -> None:
        """Logs an event (level TRACE, DEBUG, INFO, WARN or ERROR); it is sent at once, with whatever waits."""
        _check_name("event name", name)
        lv = str(level).upper()
        if lv not in _LEVELS:
            raise ValueError(f"unknown log level '{level}'; use trace, debug, info, warn or error")
        e: Dict[str, Any] = {"name": name, "level": lv, "time": _iso(time.time())}
        d = _merge.normalize(data, f"event '{name}' data")
        if d is not None:
            e["data"] = d
        with self._lock:
            self._c["event_calls"] += 1
            if not self._accepting():
                return
            self._events.append(e)
            self._urgent = True
            self._wake.notify()

    def metric(self, name: str, value: float, kind: str = "GAUGE", unit: Optional[str] = None,
               tags: Optional[Mapping[str, str]] = None, time_ms: Optional[int] = None) -> None:
        """Records a value of a series (name, kind GAUGE/COUNTER/HISTOGRAM/TIMER, unit, tags), timed now or at
        ``time_ms`` (epoch milliseconds)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
                or math.isinf(value):
            raise ValueError(f"metric '{name}' has the value {value!r}; values must be finite numbers")
        t = int(time.time() * 1000) if time_ms is None else int(time_ms)
        key = (name, kind, unit or None, tuple(sorted(tags.items())) if tags else ())
        with self._lock:
            self._c["metric_calls"] += 1
            if not self._accepting():
                return
            col = self._columns.get(key)
            if col is None:
                _check_name("metric name", name)
                if kind not in _KINDS:
                    raise ValueError(f"metric '{name}' has the kind {kind!r}; use one of {', '.join(_KINDS)}")
                if unit:
                    _check_name("metric unit", unit)
                key = (name, kind, unit or None, _check_tags(f"metric '{name}' tag", tags))
                col = self._columns.get(key)
                if col is None:
                    col = self._columns[key] = _Column()
            if self._buffered_points >= self._settings.max_buffered_points:
                self._c["dropped"] += 1
                return
            if not _MIN_TIME_MILLIS <= t <= _MAX_TIME_MILLIS:
                raise ValueError(f"metric '{name}' time {t} is not epoch milliseconds between the years 2000 and "
                                 "9999; is it in seconds or nanoseconds?")
            col.times.append(t)
            col.values.append(float(value))
            self._buffered_points += 1
            if self._immediate or self._buffered_points >= self._settings.max_points_per_report:
                self._urgent = True
                self._wake.notify()

    def count(self, name: str, delta: float = 1) -> None:
        """Adds ``delta`` to a counter."""
        self.metric(name, delta, "COUNTER")

    def time(self, name: str, seconds: float) -> None:
        """Records a duration (in seconds, as ``time.perf_counter`` differences) as a timer in milliseconds."""
        self.metric(name, seconds * 1000.0, "TIMER", "ms")

    def _accepting(self) -> bool:
        if self._closing or self._dead:
            self._c["dropped"] += 1
            return False
        return True

    # ---- delivery ----

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything recorded so far and waits until the daemon has it on disk. True when all of it
        was acknowledged within ``timeout`` (default: the close timeout)."""
        deadline = time.monotonic() + (self._settings.close_timeout if timeout is None else timeout)
        with self._lock:
            if self._dead:
                return False
            self._requested += 1
            mine = self._requested
            self._urgent = True
            self._wake.notify()
            while self._completed < mine:
                left = deadline - time.monotonic()
                if self._dead or left <= 0 or not self._flusher.is_alive():
                    return self._completed >= mine
                self._flushed.wait(left)
            return True

    def close(self) -> None:
        """Ends the session with exit status 0 after delivering everything buffered."""
        self.end(0, None)

    def end(self, exit_status: Optional[int] = 0, reason: Optional[str] = None) -> None:
        """Delivers everything buffered (for up to the close timeout), then ends the session with this exit
        status and reason. Later calls on this session are ignored."""
        try:
            self._end(exit_status, reason)
        finally:
            if self._owned_client is not None:
                self._owned_client.close()

    def _end(self, exit_status: Optional[int], reason: Optional[str]) -> None:
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._requested += 1
            self._urgent = True
            self._wake.notify()
        if threading.current_thread() is not self._flusher:
            self._flusher.join(self._settings.close_timeout + 1)
        _OPEN.discard(self)
        if self._dead:
            return
        payload: Dict[str, Any] = {"sessionId": self.id}
        if exit_status is not None:
            payload["exitStatus"] = exit_status
        if reason:
            payload["reason"] = reason[:1000]
        try:
            with self._lock:
                self._c["daemon_calls"] += 1
            self._client.call(END, payload, timeout=self._settings.call_timeout)
        except CoveError as e:
            with self._lock:
                self._c["failed_calls"] += 1
            self.last_error = e
            _LOG.warning("Cove session %s could not be ended: %s", self.id, e.message)
        with self._lock:
            lost = self._buffered_points + len(self._events)
            if self._in_flight is not None:
                lost += _points(self._in_flight[0]) + len(self._in_flight[0].get("events", ()))
            self._c["dropped"] += lost
        if lost:
            _LOG.warning("Cove session %s: %d buffered items could not be delivered before close%s", self.id, lost,
                         "" if self.last_error is None else ": " + self.last_error.message)

    def stats(self) -> SessionStats:
        with self._lock:
            return SessionStats(**self._c)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None or issubclass(exc_type, SystemExit) and exc.code in (None, 0):
            self.end(0, None)
        elif issubclass(exc_type, SystemExit):
            self.end(exc.code if isinstance(exc.code, int) else 1, None)
        else:
            self.end(1, f"{exc_type.__name__}: {exc}")

    def __repr__(self) -> str:
        return f"Session[{self.id}, {self.app}]"

    # ---- the flusher thread ----

    def _run_flusher(self) -> None:
        # in immediate mode calls wake the flusher; the timed wake-up only serves auto-heartbeats
        interval = 1.0 if self._immediate else self._settings.flush_interval
        backoff = 0.0
        close_deadline = 0.0
        while True:
            with self._lock:
                until = time.monotonic() + (backoff if backoff > 0 else interval)
                while True:
                    # after a failure wait out the back-off (only the start of closing cuts it short), so an
                    # unreachable daemon is not hammered by every event or by a closing session
                    now = (self._closing and close_deadline == 0) if backoff > 0 else (self._urgent or self._closing)
                    left = until - time.monotonic()
                    if now or left <= 0:
                        break
                    self._wake.wait(left)
                if self._closing and close_deadline == 0:
                    close_deadline = time.monotonic() + self._settings.close_timeout
                self._urgent = False
                if self._settings.auto_heartbeat and not self._closing:
                    self._heartbeat_pending = True
            try:
                ok = self._flush_once()
            except Exception:  # never let the flusher die silently
                _LOG.exception("Cove session %s: the flusher failed", self.id)
                ok = False
            if self._dead:
                return
            if self._closing and (ok or time.monotonic() > close_deadline):
                return
            backoff = 0.0 if ok else min(max(backoff * 2, 0.1), 2.0)

    def _flush_once(self) -> bool:
        """Sends until nothing is left; False when a call failed (what it carried stays for the retry)."""
        while True:
            p = self._in_flight
            if p is None:
                with self._lock:
                    p = self._drain()
                    if p is None:
                        self._completed = max(self._completed, self._requested)
                        self._flushed.notify_all()
                        return True
                self._in_flight = p
            report, state_after, generation, drained_all = p
            try:
                with self._lock:
                    self._c["daemon_calls"] += 1
                result = self._client.call(REPORT, report, timeout=self._settings.call_timeout)
            except CoveError as e:
                with self._lock:
                    self._c["failed_calls"] += 1
                self.last_error = e
                client_closed = e.code == E.CONNECTION_LOST and "client is closed" in e.message
                if e.code in _RETRYABLE and not client_closed:
                    return False
                self._in_flight = None
                with self._lock:
                    self._c["dropped"] += _points(report) + len(report.get("events", ())) + (1 if "state" in report
                                                                                           else 0)
                if e.code in (E.NOT_FOUND, E.CONFLICT) or client_closed:
                    _LOG.warning("Cove session %s stops reporting: %s", self.id, e.message)
                    self._mark_dead()
                    return False
                _LOG.warning("Cove session %s: the daemon refused a report, which is dropped: %s", self.id, e)
                continue
            self._in_flight = None
            with self._lock:
                self._c["reports"] += 1
                if not result.get("duplicate"):
                    self._c["events_sent"] += len(report.get("events", ()))
                    self._c["points_sent"] += _points(report)
                    if "state" in report:
                        self._c["state_patches"] += 1
                    if report.get("heartbeat"):
                        self._c["heartbeats_sent"] += 1
            if state_after is not None:
                self._sent = state_after
            if result.get("status") not in _LIVE:
                self._mark_dead()
                return False
            if drained_all:
                with self._lock:
                    self._completed = max(self._completed, generation)
                    self._flushed.notify_all()

    def _mark_dead(self) -> None:
        with self._lock:
            self._dead = True
            self._c["dropped"] += self._buffered_points + len(self._events)
            self._columns.clear()
            self._events = []
            self._buffered_points = 0
            self._flushed.notify_all()
        _OPEN.discard(self)

    def _drain(self) -> Optional[Tuple[Dict[str, Any], Optional[Dict[str, Any]], int, bool]]:
        """Takes what is buffered into one report (under the lock); None when there is nothing to send."""
        generation = self._requested
        patch = None
        after = None
        if self._state_dirty:
            self._state_dirty = False
            d = _merge.diff(self._sent, self._current)
            if d:
                patch = d
                after = _merge.merged({}, self._current)
        evs: List[Dict[str, Any]] = []
        if self._events:
            evs = self._events[:_MAX_EVENTS_PER_REPORT]
            self._events = self._events[_MAX_EVENTS_PER_REPORT:]
        batches: List[Dict[str, Any]] = []
        budget = self._settings.max_points_per_report
        for key in list(self._columns):
            if budget <= 0:
                break
            col = self._columns[key]
            take = min(len(col.times), budget)
            if take == 0:
                del self._columns[key]
                continue
            name, kind, unit, tags = key
            b: Dict[str, Any] = {"name": name, "kind": kind, "times": col.times[:take], "values": col.values[:take]}
            if unit:
                b["unit"] = unit
            if tags:
                b["tags"] = dict(tags)
            if take == len(col.times):
                del self._columns[key]
            else:
                del col.times[:take]
                del col.values[:take]
            batches.append(b)
            self._buffered_points -= take
            budget -= take
        other = patch is not None or bool(evs) or bool(batches)
        heartbeat = False
        if self._heartbeat_pending and (other or self._closing
                                        or time.monotonic() - self._last_heartbeat_sent >= self._heartbeat_gap):
            heartbeat = True
            self._heartbeat_pending = False
            self._last_heartbeat_sent = time.monotonic()
        if not other and not heartbeat:
            return None
        drained_all = not self._events and self._buffered_points == 0
        report: Dict[str, Any] = {"sessionId": self.id, "heartbeat": heartbeat}
        if other:
            report["batch"] = self._next_batch
            self._next_batch += 1
        if patch is not None:
            report["state"] = patch
        if evs:
            report["events"] = evs
        if batches:
            report["batches"] = batches
        return report, after, generation, drained_all


def _points(report: Mapping[str, Any]) -> int:
    return sum(len(b["times"]) for b in report.get("batches", ()))


def session(app: str, version: Optional[str] = None, *, state: Optional[Mapping[str, Any]] = None,
            data_dir: Optional[str] = None, instance: Optional[str] = None, auto_start: bool = True,
            client: Optional[Client] = None, **settings: Any) -> Session:
    """Connects (starting a daemon if none answers), registers a session for this process and returns it.

    ``with cove.session("MyApp", "1.0") as s:`` is the whole integration; keyword settings are those of
    :class:`Sessions` (flush_interval, hang_window, tags, ...)."""
    own = client is None
    c = client or Client(data_dir, instance, name=app, version=version or "", auto_start=auto_start)
    try:
        sessions = Sessions(c, **settings)
        s = sessions.start(app, version, state)
    except BaseException:
        if own:
            c.close()
        raise
    if own:
        s._owned_client = c  # closed when the session ends
    return s
