"""Where an instance keeps its socket, locks and logs: the same rules as the Java side (InstancePaths)."""
from __future__ import annotations

import hashlib
import os
import pwd
import re
import stat
from typing import Mapping, Optional

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


def create_private_dir(path: str) -> None:
    """Creates ``path`` with mode 0700, or tightens it to 0700 if it exists."""
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not os.path.isdir(path):
            raise OSError(f"{path} exists and is not a folder") from None
    os.chmod(path, 0o700)


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
        if not os.path.exists(self.data_dir):
            create_private_dir(self.data_dir)  # a new data folder is the user's alone
        create_private_dir(self.daemon_dir)

    def connect_path(self) -> str:
        """The socket path to connect to: the socket itself, or, when that is longer than the kernel accepts,
        the same socket through the daemon's short private link ``/tmp/cove-USER/HASH`` to the daemon folder."""
        sock = self.socket
        if len(sock.encode("utf-8")) <= MAX_SOCKET_PATH_BYTES:
            return sock
        base = os.path.join("/tmp", "cove-" + _user_name())
        if os.path.islink(base):
            raise OSError(f"{base} is a symlink; refusing to use it for the short socket path. Remove it, "
                          "or choose a shorter data folder")
        create_private_dir(base)
        self.create_daemon_dir()
        if os.lstat(base).st_uid != os.stat(self.daemon_dir).st_uid:
            raise OSError(f"{base} belongs to another user; choose a shorter data folder")
        digest = hashlib.sha256(self.daemon_dir.encode("utf-8")).hexdigest()[:12]
        link = os.path.join(base, digest)
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
