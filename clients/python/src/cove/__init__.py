"""Cove's Python client: talk to the Cove daemon and report application sessions.

>>> import cove
>>> with cove.session("MyApp", "1.0") as s:
...     s.state({"window": {"open": ["w1"]}})
...     s.event("file_opened", {"size": 1234})
...     s.metric("fps", 59.8)
...     s.heartbeat()
"""
from .client import Client, Ended, Event, Lagged, Subscription, launcher_from_environment
from .errors import CoveError
from ._paths import InstancePaths, default_data_dir
from .sessions import Session, Sessions, SessionStats, session

__all__ = ["Client", "CoveError", "Ended", "Event", "InstancePaths", "Lagged", "Session", "SessionStats", "Sessions",
           "Subscription", "default_data_dir", "launcher_from_environment", "session"]
__version__ = "0.1.0"
