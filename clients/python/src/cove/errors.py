"""Errors from the daemon or the connection, each carrying a stable code (docs/protocol.md)."""
from __future__ import annotations

from typing import Any, Dict, Optional

# Codes the daemon sends (stable: never renamed, never reused)
BAD_FRAME = "BAD_FRAME"
UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
METHOD_NOT_FOUND = "METHOD_NOT_FOUND"
DECODE_ERROR = "DECODE_ERROR"
INVALID_INPUT = "INVALID_INPUT"
NOT_FOUND = "NOT_FOUND"
CONFLICT = "CONFLICT"
EXECUTION_ERROR = "EXECUTION_ERROR"
TIMEOUT = "TIMEOUT"
UNAUTHORIZED = "UNAUTHORIZED"
FRAME_TOO_LARGE = "FRAME_TOO_LARGE"
OVERLOADED = "OVERLOADED"
SHUTTING_DOWN = "SHUTTING_DOWN"
# Codes of the client itself, as CoreClient's: they never travel on the wire
UNAVAILABLE = "UNAVAILABLE"
CONNECTION_LOST = "CONNECTION_LOST"
CANCELLED = "CANCELLED"
UNTRUSTED_SERVER = "UNTRUSTED_SERVER"  # the socket is served by another user's process; nothing was sent
BAD_DATA_DIR = "BAD_DATA_DIR"  # a folder on the way to the socket breaks the path rule (docs/reliability.md)


class CoveError(Exception):
    """A call failed. ``code`` is one of the constants of this module; ``details`` is the daemon's object."""

    def __init__(self, code: str, message: str, details: Optional[Dict[str, Any]] = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})

    def __reduce__(self):  # picklable, for multiprocessing users
        return (CoveError, (self.code, self.message, self.details))
