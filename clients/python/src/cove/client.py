"""The connection to a Cove daemon: one Unix socket shared by every thread, calls matched to answers by id.

Mirrors the Java ``CoreClient``: hello, many calls in flight (a reader thread completes them), JSON payloads,
errors as :class:`CoveError` with the daemon's code, event subscriptions, reconnect on the next call after a
lost connection, auto-start of a daemon (coalesced across threads and processes by the instance's spawn lock,
the same lock file Java clients take) and private daemons tied to this process.
"""
from __future__ import annotations

import collections
import fcntl
import itertools
import json
import os
import pwd
import secrets
import shutil
import socket as _socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from . import errors as E
from ._paths import InstancePaths, create_private_dir, user_label
from .errors import CoveError

PROTOCOL = 1
MAX_FRAME = 16 * 1024 * 1024
CLIENT_VERSION = "0.1.0"

# in-process half of the start coalescing: fcntl locks are per process, so threads take this first
_SPAWN_LOCKS: Dict[str, threading.Lock] = {}
_SPAWN_LOCKS_GUARD = threading.Lock()

Launcher = Callable[[InstancePaths, List[str]], "subprocess.Popen[bytes]"]


# ---- event stream items ----

@dataclass(frozen=True)
class Event:
    """One event: ``name`` is its type (``SessionEvent``, ``LogMessage``...), ``payload`` its JSON object."""
    sub: int
    seq: int
    name: str
    payload: Dict[str, Any]


@dataclass(frozen=True)
class Lagged:
    """Events were lost before the next one: ``missed`` of them, up to sequence number ``seq``.
    ``local`` when this client's own buffer overflowed (the application did not read fast enough)."""
    missed: int
    seq: int
    local: bool = False


@dataclass(frozen=True)
class Ended:
    """The subscription is over: ``unsubscribed``, ``shutdown`` or ``connection closed``. Always the last item."""
    reason: str


StreamItem = Union[Event, Lagged, Ended]


class Subscription:
    """Events of one subscription, as an iterator of :class:`Event`, :class:`Lagged` and a final :class:`Ended`.

    Iterating blocks until the next item; ``next_item(timeout)`` returns None when nothing came in time.
    Items wait in a bounded local buffer; past it they are dropped and reported as a local Lagged."""

    def __init__(self, sub: int, events: List[str], buffer: int, unsubscribe: Callable[[], None]):
        self.id = sub
        self.events = events
        self._buffer = buffer
        self._items: Deque[StreamItem] = collections.deque()
        self._cond = threading.Condition()
        self._missed = 0
        self._missed_seq = 0
        self._ended = False
        self._delivered_end = False
        self._unsubscribe = unsubscribe

    def _deliver(self, item: StreamItem) -> None:
        with self._cond:
            if self._ended:
                return
            if isinstance(item, Ended):
                self._ended = True
                self._items.append(item)
            elif len(self._items) >= self._buffer:
                self._missed += item.missed if isinstance(item, Lagged) else 1
                self._missed_seq = item.seq
                return
            else:
                if self._missed:
                    self._items.append(Lagged(self._missed, self._missed_seq, True))
                    self._missed = 0
                self._items.append(item)
            self._cond.notify_all()

    def next_item(self, timeout: Optional[float] = None) -> Optional[StreamItem]:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items:
                if self._delivered_end:
                    return None
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._cond.wait(left)
            item = self._items.popleft()
            if isinstance(item, Ended):
                self._delivered_end = True
            return item

    def __iter__(self) -> Iterator[StreamItem]:
        while True:
            item = self.next_item()
            if item is None:
                return
            yield item
            if isinstance(item, Ended):
                return

    def close(self) -> None:
        """Unsubscribes; the stream then ends with ``Ended('unsubscribed')``."""
        self._unsubscribe()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ---- the connection ----

class _Pending:
    __slots__ = ("done", "ok", "payload", "error", "on_ok", "method")

    def __init__(self, method: str, on_ok: Optional[Callable[[Any], Any]] = None):
        self.done = threading.Event()
        self.ok = False
        self.payload: Any = None
        self.error: Optional[CoveError] = None
        self.on_ok = on_ok
        self.method = method


class _Connection:
    def __init__(self, sock: _socket.socket, hello: Dict[str, Any], rest: bytes, label: str):
        self.sock = sock
        self.hello = hello
        self.pending: Dict[int, _Pending] = {}
        self.streams: Dict[int, Subscription] = {}
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.open = True
        self.close_reason = ""
        self.reader = threading.Thread(target=self._read, args=(rest,), name=f"cove-reader-{label}", daemon=True)
        self.reader.start()

    def send(self, frame: bytes) -> None:
        with self.send_lock:
            self.sock.sendall(frame)

    def _read(self, buf: bytes) -> None:
        reason = "the daemon closed the connection"
        try:
            while True:
                while True:
                    nl = buf.find(b"\n")
                    if nl < 0:
                        break
                    line, buf = buf[:nl], buf[nl + 1:]
                    if line.strip():
                        self._dispatch(json.loads(line))
                if len(buf) > MAX_FRAME:
                    reason = "the daemon sent a frame over the size limit"
                    return
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    return
                buf += chunk
        except (OSError, ValueError) as e:
            reason = f"the connection to the daemon broke: {e}"
        finally:
            self.close(reason)

    def _dispatch(self, frame: Dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind in ("ok", "error"):
            fid = frame.get("id")
            with self.lock:
                p = self.pending.pop(fid, None) if isinstance(fid, int) else None
            if p is None:
                return
            if kind == "ok":
                payload = frame.get("payload")
                try:
                    p.payload = p.on_ok(payload) if p.on_ok else payload
                    p.ok = True
                except Exception as e:  # a callback failing must not kill the reader
                    p.error = CoveError(E.EXECUTION_ERROR, f"handling the answer to {p.method} failed: {e}")
            else:
                err = frame.get("error") or {}
                p.error = CoveError(str(err.get("code", E.EXECUTION_ERROR)), str(err.get("message", "")),
                                    err.get("details") or {})
            p.done.set()
        elif kind == "event":
            s = self.streams.get(frame.get("sub"))
            if s is not None:
                s._deliver(Event(frame["sub"], int(frame.get("seq", 0)), str(frame.get("event")),
                                 frame.get("payload") or {}))
        elif kind == "lagged":
            s = self.streams.get(frame.get("sub"))
            if s is not None:
                s._deliver(Lagged(int(frame.get("missed", 0)), int(frame.get("seq", 0))))
        elif kind == "end":
            s = self.streams.pop(frame.get("sub"), None)
            if s is not None:
                s._deliver(Ended(str(frame.get("reason", ""))))

    def close(self, reason: str) -> None:
        with self.lock:
            if not self.open:
                return
            self.open = False
            self.close_reason = reason
            pending = list(self.pending.values())
            self.pending.clear()
            streams = list(self.streams.values())
            self.streams.clear()
        try:
            self.sock.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for p in pending:
            p.error = CoveError(E.CONNECTION_LOST, f"{reason} while {p.method} was in flight")
            p.done.set()
        for s in streams:
            s._deliver(Ended("connection closed"))


def _find_on_path(name: str) -> Optional[str]:
    return shutil.which(name)


def launcher_from_environment(env: Optional[Mapping[str, str]] = None) -> Optional[Launcher]:
    """How to start a daemon, as Java's ``DaemonLauncher.fromEnvironment``: ``COVE_DAEMON_CLASSPATH`` (with
    ``COVE_JAVA`` and ``COVE_JAVA_OPTS``) runs the daemon class directly; else ``COVE_LAUNCHER``, or ``cove`` on
    the PATH, runs ``cove daemon``. None if there is no way."""
    env = os.environ if env is None else env
    cp = env.get("COVE_DAEMON_CLASSPATH", "")
    if cp.strip():
        cmd = [env.get("COVE_JAVA") or _find_on_path("java") or "java"]
        cmd += env.get("COVE_JAVA_OPTS", "--enable-native-access=ALL-UNNAMED").split()
        cmd += ["-cp", cp, env.get("COVE_DAEMON_MAIN", "dev.cove.daemon.DaemonMain")]
        return command_launcher(cmd)
    launcher = env.get("COVE_LAUNCHER", "")
    cove = launcher if launcher.strip() else _find_on_path("cove")
    return None if not cove else command_launcher([cove, "daemon"])


def command_launcher(command: Sequence[str]) -> Launcher:
    """Runs ``command --data-dir DIR --instance NAME extra...`` detached, in a new session (``setsid --wait``)
    so that neither the caller's terminal closing nor Ctrl-C in it takes the daemon down."""
    def start(paths: InstancePaths, extra: List[str]) -> "subprocess.Popen[bytes]":
        argv: List[str] = []
        setsid = _find_on_path("setsid")
        if setsid:
            argv += [setsid, "--wait"]
        argv += list(command) + ["--data-dir", paths.data_dir, "--instance", paths.instance] + list(extra)
        create_private_dir(paths.data_dir)
        os.makedirs(paths.log_dir, exist_ok=True)
        with open(paths.startup_output, "wb") as out:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    close_fds=True, start_new_session=not setsid)
    return start


def _server_uid(s: _socket.socket) -> Optional[int]:
    """The uid of the process serving the connected socket ``s``; None where the system cannot tell."""
    if hasattr(_socket, "SO_PEERCRED"):
        _pid, uid, _gid = struct.unpack("3i", s.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED,
                                                           struct.calcsize("3i")))
        return uid
    if sys.platform == "darwin":
        # LOCAL_PEERCRED (1) at SOL_LOCAL (0) gives a struct xucred: cr_version, then cr_uid
        _version, uid = struct.unpack("Ii", s.getsockopt(0, 1, 76)[:8])
        return uid
    return None


def _check_server(s: _socket.socket, sock_path: str) -> None:
    """Refuses a server that does not run as this user, before a byte is sent to it: whoever can create the
    socket's folder could otherwise receive this client's calls (the daemon checks its clients the same way)."""
    uid = _server_uid(s)
    if uid is None or uid == os.getuid():
        return
    folder = os.path.dirname(sock_path)
    raise CoveError(E.UNTRUSTED_SERVER, f"the socket {sock_path} is served by a process of {user_label(uid)}, not by "
                    f"you ({user_label(os.getuid())}): Cove sends nothing to another user's server. Whoever made "
                    f"{folder} may be trying to capture your daemon's clients. Remove {folder} (as root if need be: "
                    f"`sudo rm -rf {folder}`) and start your own daemon, or use a data folder only you can write to",
                    {"socket": sock_path, "user": _name_of(uid), "uid": uid})


def _name_of(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _unavailable(reason: str, message: str, sock: str) -> CoveError:
    return CoveError(E.UNAVAILABLE, message, {"reason": reason, "socket": sock})


class Client:
    """A connection to one daemon instance, shared by all threads; it connects on first use.

    >>> with cove.Client(auto_start=True) as c:
    ...     print(c.call("query:core.ping.v1"))
    """

    def __init__(self, data_dir: Optional[str] = None, instance: Optional[str] = None, *,
                 socket: Optional[str] = None, name: str = "python-client", version: str = CLIENT_VERSION,
                 timeout: Optional[float] = 120.0, auto_start: bool = False, launcher: Optional[Launcher] = None,
                 connect_retry: float = 0.5, start_timeout: float = 30.0, stream_buffer: int = 10_000,
                 launch_args: Sequence[str] = ()):
        self.paths: Optional[InstancePaths] = None if socket and data_dir is None and instance is None \
            else InstancePaths(data_dir, instance)
        self.socket_path = socket or (self.paths.socket if self.paths else "")
        self.name = name
        self.version = version
        self.timeout = timeout
        self.connect_retry = connect_retry
        self.start_timeout = start_timeout
        self.stream_buffer = stream_buffer
        self._auto_start = auto_start
        self._launcher = launcher if launcher is not None else (launcher_from_environment() if auto_start else None)
        self._launch_args = list(launch_args)
        self._ids = itertools.count(1)
        self._connect_lock = threading.Lock()
        self._conn: Optional[_Connection] = None
        self._closed = False

    @classmethod
    def private(cls, data_dir: Optional[str] = None, **kwargs: Any) -> "Client":
        """A client of a private daemon: a fresh instance named after this process, started on first use and
        tied to this process's PID, so it stops and removes its files when this process ends."""
        pid = os.getpid()
        instance = f"p{pid}-{secrets.token_hex(3)}"
        kwargs.setdefault("launcher", launcher_from_environment())
        args = list(kwargs.pop("launch_args", ())) + ["--parent-pid", str(pid)]
        return cls(data_dir, instance, auto_start=True, launch_args=args, **kwargs)

    # ---- calls ----

    def call(self, method: str, payload: Optional[Mapping[str, Any]] = None, *,
             timeout: Union[float, None, str] = "default") -> Any:
        """Calls a method by its wire name (``query:core.ping.v1``, ``action:sessions.report.input.v1``) with a
        JSON payload and returns the JSON result. Raises :class:`CoveError` with the daemon's code."""
        t = self.timeout if timeout == "default" else timeout
        kind = "action" if method.startswith("action:") else "query"
        frame: Dict[str, Any] = {"type": kind, "method": method, "encoding": "json"}
        if payload is not None:
            frame["payload"] = payload
        if t is not None:
            frame["timeout"] = max(1, int(t * 1000))
        return self._request(frame, t, method)

    def _request(self, frame: Dict[str, Any], timeout: Optional[float], what: str,
                 on_ok: Optional[Callable[[Any], Any]] = None, conn: Optional[_Connection] = None) -> Any:
        c = conn or self._connection()
        fid = next(self._ids)
        frame["id"] = fid
        try:
            data = json.dumps(frame, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode() + b"\n"
        except (TypeError, ValueError) as e:
            raise CoveError(E.INVALID_INPUT, f"cannot encode the request for {what}: {e}") from None
        p = _Pending(what, on_ok)
        with c.lock:
            if not c.open:
                raise CoveError(E.CONNECTION_LOST, f"{c.close_reason} before {what} was sent")
            c.pending[fid] = p
        try:
            c.send(data)
        except OSError as e:
            c.close(f"the connection to the daemon broke: {e}")
        # the daemon enforces the deadline and answers TIMEOUT; this backstop covers a daemon that cannot answer
        if not p.done.wait(None if timeout is None else timeout + 2):
            with c.lock:
                mine = c.pending.pop(fid, None) is not None
            if mine:
                try:
                    c.send(json.dumps({"type": "cancel", "id": fid}).encode() + b"\n")
                except OSError:
                    pass
                raise CoveError(E.TIMEOUT, f"no answer to {what} within {int((timeout or 0) * 1000)} ms")
            p.done.wait()
        if p.error is not None:
            raise CoveError(p.error.code, p.error.message, p.error.details)
        return p.payload

    def ping(self) -> Dict[str, Any]:
        return self.call("query:core.ping.v1")

    # ---- subscriptions ----

    def subscribe(self, events: Iterable[str] = (), filter: Optional[Mapping[str, Any]] = None) -> Subscription:
        """Subscribes to event types by name (empty for all), with an optional filter (field -> value)."""
        c = self._connection()
        names = list(events)

        def registered(payload: Dict[str, Any]) -> Subscription:
            sub = int(payload["subscription"])
            s = Subscription(sub, list(payload.get("events") or names), self.stream_buffer,
                             lambda: self._unsubscribe(c, sub))
            c.streams[sub] = s  # on the reader thread, before any event of it is read
            return s

        frame = {"type": "subscribe", "events": names, "filter": dict(filter or {}), "encoding": "json"}
        return self._request(frame, self.timeout, "subscribe", registered, conn=c)

    def _unsubscribe(self, c: _Connection, sub: int) -> None:
        if not c.open:
            s = c.streams.pop(sub, None)
            if s is not None:
                s._deliver(Ended("connection closed"))
            return
        try:
            c.send(json.dumps({"type": "unsubscribe", "id": next(self._ids), "sub": sub}).encode() + b"\n")
        except OSError:
            pass

    # ---- connecting ----

    @property
    def hello(self) -> Dict[str, Any]:
        """The daemon's hello (connecting first if needed)."""
        return self._connection().hello

    def connect(self) -> Dict[str, Any]:
        return self.hello

    @property
    def connected(self) -> bool:
        c = self._conn
        return c is not None and c.open

    def _connection(self) -> _Connection:
        c = self._conn
        if c is not None and c.open:
            return c
        with self._connect_lock:
            if self._closed:
                raise CoveError(E.CONNECTION_LOST, "this client is closed")
            c = self._conn
            if c is not None and c.open:
                return c
            try:
                c = self._connect_with_retry()
            except CoveError as e:
                if self._launcher is None and self._auto_start and e.code == E.UNAVAILABLE:
                    raise CoveError(e.code, e.message + " (auto-start found no way to start one: put `cove` on "
                                    "the PATH, or set COVE_LAUNCHER to bin/cove)", e.details) from None
                if self._launcher is None or self.paths is None or e.code != E.UNAVAILABLE \
                        or e.details.get("reason") == "permission_denied":
                    raise
                c = self._start_and_connect()
            self._conn = c
            return c

    def _start_command(self) -> str:
        return self.paths.start_command() if self.paths else "cove start"

    def _connect_with_retry(self) -> _Connection:
        deadline = time.monotonic() + self.connect_retry
        backoff = 0.01
        while True:
            try:
                return self._connect_once()
            except CoveError as e:
                reason = e.details.get("reason")
                if reason not in ("refused", "busy") or time.monotonic() > deadline:
                    if reason == "refused":
                        raise _unavailable("stale_socket", f"a socket exists at {self.socket_path} but no daemon "
                                           "answers on it (the daemon probably crashed). Start a new one with `"
                                           f"{self._start_command()}`; it replaces the stale socket",
                                           self.socket_path) from None
                    raise
                time.sleep(backoff)
                backoff = min(backoff * 2, 0.2)

    def _connect_once(self) -> _Connection:
        sock_path = self.socket_path
        if not os.path.exists(sock_path):
            where = f" for instance '{self.paths.instance}'" if self.paths else ""
            raise _unavailable("not_running", f"no Cove daemon is running{where}: there is no socket at {sock_path}. "
                               f"Start one with `{self._start_command()}`", sock_path)
        s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            s.connect(self.paths.connect_path() if self.paths else sock_path)
        except ConnectionRefusedError:
            s.close()
            raise _unavailable("refused", f"connection refused on {sock_path}", sock_path) from None
        except BlockingIOError:
            s.close()
            raise _unavailable("busy", f"the daemon's accept queue is full on {sock_path}", sock_path) from None
        except PermissionError:
            s.close()
            raise _unavailable("permission_denied", f"permission denied on {sock_path}: it belongs to another user "
                               f"or its folder is not yours. Check `ls -l {os.path.dirname(sock_path)}`, or use your "
                               "own data folder", sock_path) from None
        except FileNotFoundError:
            s.close()
            raise _unavailable("not_running", f"no Cove daemon is running: {sock_path} vanished. Start one with `"
                               f"{self._start_command()}`", sock_path) from None
        except OSError as e:
            s.close()
            raise _unavailable("io", f"cannot connect to {sock_path}: {e}", sock_path) from None
        except BaseException:
            s.close()
            raise
        try:
            _check_server(s, sock_path)
        except BaseException:
            s.close()
            raise
        return self._handshake(s)

    def _handshake(self, s: _socket.socket) -> _Connection:
        sock_path = self.socket_path
        hello_failed: Optional[OSError] = None
        try:
            s.sendall(json.dumps({"type": "hello", "protocol": PROTOCOL, "name": self.name, "version": self.version,
                                  "pid": os.getpid(), "encodings": ["json"]}).encode() + b"\n")
        except OSError as e:
            # a daemon that refuses us writes its error and closes at once; the error is still there to read
            hello_failed = e
        # a daemon that accepts but never greets must not hang us
        s.settimeout(max(5.0, self.connect_retry))
        buf = b""
        try:
            while b"\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    raise OSError("the daemon closed the connection before saying hello")
                buf += chunk
                if len(buf) > MAX_FRAME:
                    raise OSError("the daemon's hello is over the frame limit")
            line, rest = buf.split(b"\n", 1)
            h = json.loads(line)
        except (OSError, ValueError) as e:
            s.close()
            raise _unavailable("refused", f"the daemon at {sock_path} did not complete the hello: {e}",
                               sock_path) from None
        s.settimeout(None)
        if h.get("type") == "error":
            s.close()
            err = h.get("error") or {}
            raise CoveError(str(err.get("code")), str(err.get("message")), err.get("details") or {})
        if hello_failed is not None:
            s.close()
            raise _unavailable("refused", f"the daemon at {sock_path} did not complete the hello: {hello_failed}",
                               sock_path)
        protocol = h.get("protocol", -1)
        if h.get("type") != "hello" or protocol != PROTOCOL:
            s.close()
            upgrade = "upgrade this client" if isinstance(protocol, int) and protocol > PROTOCOL \
                else "upgrade the daemon and run `cove restart`"
            raise CoveError(E.UNSUPPORTED_VERSION, f"the daemon at {sock_path} speaks protocol {protocol} but this "
                            f"client speaks {PROTOCOL}: {upgrade}", {"protocol": protocol})
        return _Connection(s, h, rest, self.paths.instance if self.paths else "socket")

    def _start_and_connect(self) -> _Connection:
        assert self.paths is not None and self._launcher is not None
        paths = self.paths
        lock_path = paths.spawn_lock_file
        with _SPAWN_LOCKS_GUARD:
            thread_lock = _SPAWN_LOCKS.setdefault(lock_path, threading.Lock())
        try:
            with thread_lock:
                paths.create_daemon_dir()
                fd = os.open(lock_path, os.O_CREAT | os.O_WRONLY, 0o600)
                try:
                    # fcntl record locks, as Java's FileChannel.lock takes: Java and Python clients coalesce too
                    fcntl.lockf(fd, fcntl.LOCK_EX)
                    try:
                        # whoever held the lock before us may have started the daemon already
                        return self._connect_with_retry()
                    except CoveError as e:
                        if e.code != E.UNAVAILABLE:
                            raise
                    log_before = os.path.getsize(paths.log_file) if os.path.exists(paths.log_file) else 0
                    process = self._launcher(paths, self._launch_args)
                    deadline = time.monotonic() + self.start_timeout
                    exited_at = 0.0
                    backoff = 0.01
                    while True:
                        try:
                            return self._connect_once()
                        except CoveError as e:
                            if e.code != E.UNAVAILABLE:
                                raise
                        if exited_at == 0.0 and process.poll() is not None:
                            exited_at = time.monotonic()
                        # a daemon that exited may have lost a race to one that is just binding: give it a moment
                        if exited_at and time.monotonic() - exited_at > 2:
                            raise CoveError(E.UNAVAILABLE, f"the daemon for instance '{paths.instance}' exited with "
                                            f"status {process.returncode} before it answered."
                                            + _tail(paths.startup_output, 0) + _tail(paths.log_file, log_before),
                                            {"reason": "start_failed", "socket": self.socket_path})
                        if time.monotonic() > deadline:
                            raise CoveError(E.UNAVAILABLE, f"the daemon for instance '{paths.instance}' did not "
                                            f"answer within {self.start_timeout:g} s of starting."
                                            + _tail(paths.log_file, log_before),
                                            {"reason": "start_timeout", "socket": self.socket_path})
                        time.sleep(backoff)
                        backoff = min(backoff * 2, 0.1)
                finally:
                    os.close(fd)  # releases the lock
        except OSError as e:
            raise CoveError(E.UNAVAILABLE, f"could not start a daemon for instance '{paths.instance}': {e}",
                            {"reason": "start_failed", "socket": self.socket_path}) from None

    # ---- closing ----

    def close(self) -> None:
        """Closes the connection; calls in flight fail with CONNECTION_LOST and streams end."""
        with self._connect_lock:
            self._closed = True
            c = self._conn
        if c is not None:
            c.close("this client is closed")

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _tail(path: str, start: int) -> str:
    """The last lines a file gained after byte ``start``, for an error message."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            start = start if start <= size else 0
            f.seek(max(start, size - 64 * 1024))
            lines = f.read().decode("utf-8", "replace").splitlines()[-20:]
    except OSError:
        return ""
    return "" if not lines else f"\n--- {path} ---\n" + "\n".join(lines)
