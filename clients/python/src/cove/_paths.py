"""Where an instance keeps its socket, locks and logs: the same rules as the Java side (InstancePaths)."""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import pwd
import re
import stat
from typing import Mapping, Optional

from .errors import BAD_DATA_DIR, CoveError

_LOG = logging.getLogger("cove")

DEFAULT = "default"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")
# sun_path is 108 bytes on Linux and 104 on macOS, both counting the terminating NUL
MAX_SOCKET_PATH_BYTES = 100


def default_data_dir(env: Optional[Mapping[str, str]] = None) -> str:
    """``$COVE_DATA_DIR``, else ``$XDG_DATA_HOME/cove``, else ``$HOME/.local/share/cove``."""
    env = os.environ if env is None else env
    cove = env.get("COVE_DATA_DIR", "")
    if cove.strip():
        return cove
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg.strip():
        return os.path.join(xdg, "cove")
    home = env.get("HOME", "")
    if not home.strip():
        home = pwd.getpwuid(os.getuid()).pw_dir
    return os.path.join(home, ".local", "share", "cove")


def check_name(instance: str) -> None:
    if not _NAME.match(instance):
        raise ValueError(f"instance name '{instance}' must be 1-40 characters of a-z, 0-9, '-' and '_', "
                         "starting with a letter or digit")


def _user_name() -> str:
    # Java's user.name comes from the password database, not $USER
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def user_label(uid: int) -> str:
    """``name (uid N)`` for messages, or ``uid N`` for a uid without a name."""
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _mode(st: os.stat_result) -> str:
    return f"{stat.S_IMODE(st.st_mode):04o}"


def _parent_problem(parent: str, pfd: int) -> Optional[str]:
    """Why the folder ``parent`` (open as ``pfd``) lets others replace what we keep in it, or None."""
    st = os.fstat(pfd)
    if st.st_uid not in (os.getuid(), 0):
        return (f"its parent {parent} belongs to {user_label(st.st_uid)}, mode {_mode(st)}: neither you nor root, "
                "so its owner can replace it")
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        return (f"its parent {parent} (owner {user_label(st.st_uid)}, mode {_mode(st)}) is writable by others and "
                "not sticky, so they can replace it")
    return None


def private_folder(path: str) -> Optional[str]:
    """The path rule (docs/reliability.md, "Security"), for one folder on the way to the socket.

    ``path`` is created 0700 if absent; then it is opened without following a link (``O_NOFOLLOW|O_DIRECTORY``,
    relative to its already opened parent) and judged through that descriptor: it must be ours, and its parent
    ours or root's and not writable by others unless sticky. Ours but looser than 0700 is tightened with fchmod
    on the descriptor, never by path: a path can be swapped for a link between a check and a chmod. Returns why
    the folder cannot be used (nothing changed then), or None.
    """
    path = os.path.abspath(path)
    parent, name = os.path.split(path)
    if not name:
        return "it is the root folder"
    os.makedirs(parent, exist_ok=True)
    pfd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        why = _parent_problem(parent, pfd)
        if why:
            return why
        try:
            os.mkdir(name, 0o700, dir_fd=pfd)
        except FileExistsError:
            pass  # judged below like any existing one, whoever made it
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=pfd)
        except OSError as e:
            # O_NOFOLLOW|O_DIRECTORY on a symlink fails with ELOOP or ENOTDIR, depending on the system
            if e.errno in (errno.ELOOP, errno.ENOTDIR):
                try:
                    st = os.lstat(name, dir_fd=pfd)
                except OSError:
                    return "it vanished while Cove was opening it"
                if stat.S_ISLNK(st.st_mode):
                    try:
                        return f"it is a symlink (to {os.readlink(name, dir_fd=pfd)})"
                    except OSError:
                        return "it is a symlink"
                if stat.S_ISDIR(st.st_mode):
                    # a folder now, not a moment ago: swapped with a symlink while we opened it
                    return "it was swapped with a symlink while Cove opened it"
                return f"it is not a folder (owner {user_label(st.st_uid)}, mode {_mode(st)})"
            if e.errno == errno.ENOENT:
                return "it vanished while Cove was creating it"
            raise
        try:
            st = os.fstat(fd)
            if st.st_uid != os.getuid():
                return f"it belongs to {user_label(st.st_uid)} (mode {_mode(st)}), not to you"
            if stat.S_IMODE(st.st_mode) != 0o700:
                _LOG.warning("%s was mode %s; tightened to 0700 (Cove's folders are their owner's alone)",
                             path, _mode(st))
                os.fchmod(fd, 0o700)
        finally:
            os.close(fd)
    finally:
        os.close(pfd)
    return None


def _fix(path: str, why: str) -> str:
    if why.startswith("it is a symlink"):
        return (f"Cove does not follow links on the way to its socket: use the real folder as the data folder "
                f"(--data-dir or COVE_DATA_DIR), or replace the link {path} with a folder of your own")
    if why.startswith("it is not a folder"):
        return f"Move {path} away, or choose another --data-dir"
    if why.startswith("its parent"):
        parent = os.path.dirname(path)
        return (f"Make {parent} yours and not writable by others (`chmod go-w {parent}`), or choose a data folder "
                "elsewhere (--data-dir or COVE_DATA_DIR)")
    return (f"Another user may have made it to capture your daemon's clients; Cove does not use it. Remove it "
            f"(as root if need be: `sudo rm -rf {path}`), or choose another --data-dir")


def create_private_dir(path: str) -> None:
    """Creates ``path`` with mode 0700, or uses it if it is ours (tightened to 0700); else raises
    :class:`CoveError` ``BAD_DATA_DIR`` naming the folder, its owner and mode, and the fix (details ``folder``,
    ``problem``, ``fix``, as the Java client's).
    """
    why = private_folder(path)
    if why is not None:
        raise _bad_data_dir(path, f"{path} cannot be used: {why}", _fix(path, why))


def _bad_data_dir(folder: str, problem: str, fix: str) -> CoveError:
    return CoveError(BAD_DATA_DIR, f"{problem}. Fix: {fix}", {"folder": folder, "problem": problem, "fix": fix})


class InstancePaths:
    """The files of one named instance under a data folder.

    ``{data}/daemon/daemon[-NAME].sock`` is the socket, ``spawn[-NAME].lock`` the lock clients hold while
    they start a daemon, ``{data}/logs/daemon[-NAME].log`` the log, ``.out`` the start-up output.
    """

    def __init__(self, data_dir: Optional[str] = None, instance: Optional[str] = None):
        self.data_dir = os.path.abspath(data_dir if data_dir is not None else default_data_dir())
        self.instance = instance if instance and instance.strip() else DEFAULT
        check_name(self.instance)

    @property
    def is_default(self) -> bool:
        return self.instance == DEFAULT

    def _suffix(self) -> str:
        return "" if self.is_default else "-" + self.instance

    @property
    def daemon_dir(self) -> str:
        return os.path.join(self.data_dir, "daemon")

    @property
    def socket(self) -> str:
        return os.path.join(self.daemon_dir, f"daemon{self._suffix()}.sock")

    @property
    def lock_file(self) -> str:
        return os.path.join(self.daemon_dir, f"daemon{self._suffix()}.lock")

    @property
    def spawn_lock_file(self) -> str:
        return os.path.join(self.daemon_dir, f"spawn{self._suffix()}.lock")

    @property
    def log_dir(self) -> str:
        return os.path.join(self.data_dir, "logs")

    @property
    def log_file(self) -> str:
        return os.path.join(self.log_dir, f"daemon{self._suffix()}.log")

    @property
    def startup_output(self) -> str:
        return os.path.join(self.log_dir, f"daemon{self._suffix()}.out")

    def create_daemon_dir(self) -> None:
        create_private_dir(self.data_dir)
        create_private_dir(self.daemon_dir)

    def connect_path(self) -> str:
        """The socket path to connect to: the socket itself, or, when that is longer than the kernel accepts,
        the same socket through the daemon's short private link ``/tmp/cove-USER/HASH`` to the daemon folder
        (``$XDG_RUNTIME_DIR/cove/HASH`` when another user took ``/tmp/cove-USER``), as Java's InstancePaths."""
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        return self.connect_path_via(os.path.join("/tmp", "cove-" + _user_name()),
                                     os.path.join(runtime, "cove") if runtime.strip() else None)

    def connect_path_via(self, link_dir: str, fallback: Optional[str]) -> str:
        """:meth:`connect_path` with the link folder and its fallback given (tests pass folders of their own)."""
        sock = self.socket
        if len(sock.encode("utf-8")) <= MAX_SOCKET_PATH_BYTES:
            return sock
        base = link_dir
        why = private_folder(link_dir)
        if why is not None:
            fallback_why = "XDG_RUNTIME_DIR is not set" if fallback is None else private_folder(fallback)
            if fallback_why is not None:
                alternative = fallback_why if fallback is None else f"{fallback} is no alternative either: {fallback_why}"
                raise CoveError(BAD_DATA_DIR, f"{link_dir} cannot hold the short link to the socket: {why}. Another "
                                "user may have created it to capture your daemon's clients; Cove refuses to use it "
                                f"({alternative}). Remove {link_dir} (as root if need be), set XDG_RUNTIME_DIR, or "
                                "choose a shorter --data-dir",
                                {"folder": link_dir, "problem": f"{link_dir} cannot hold the short link to the socket: "
                                 f"{why}", "fix": f"remove {link_dir} (as root if need be), set XDG_RUNTIME_DIR, or "
                                 "choose a shorter --data-dir"})
            _LOG.warning("%s cannot hold the short link to the socket: %s; using %s instead (clients find it there "
                         "as long as they see the same XDG_RUNTIME_DIR)", link_dir, why, fallback)
            base = fallback
        self.create_daemon_dir()
        # the same name as Java's: the first 12 hex digits of SHA-256 of the daemon folder
        link = os.path.join(base, hashlib.sha256(self.daemon_dir.encode("utf-8")).hexdigest()[:12])
        target = self.daemon_dir
        if os.path.islink(link):
            if os.readlink(link) != target:
                os.unlink(link)
                os.symlink(target, link)
        else:
            try:
                st = os.lstat(link)
                if stat.S_ISDIR(st.st_mode):
                    os.rmdir(link)
                else:
                    os.unlink(link)
            except FileNotFoundError:
                pass
            os.symlink(target, link)
        return os.path.join(link, os.path.basename(sock))

    def start_command(self) -> str:
        """What a user types to start this instance's daemon, for messages."""
        parts = ["cove"]
        if self.data_dir != os.path.abspath(default_data_dir()):
            parts += ["--data-dir", self.data_dir]
        if not self.is_default:
            parts += ["--instance", self.instance]
        parts.append("start")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"InstancePaths({self.data_dir!r}, {self.instance!r})"
