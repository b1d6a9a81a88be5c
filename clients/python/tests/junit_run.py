"""Runs the suite and writes each test's outcome to a JSON file, for the JUnit runner (PythonClientTest), which
turns every Python test into a test of its own in Surefire's counts.

    python3 tests/junit_run.py RESULTS.json
"""
import json
import os
import sys
import time
import traceback
import unittest


class _Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = []
        self._started = 0.0

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def _record(self, test, outcome, err=None):
        text = "" if err is None else "".join(traceback.format_exception(*err))
        self.records.append({"id": test.id(), "outcome": outcome, "detail": text,
                             "seconds": round(time.monotonic() - self._started, 3)})

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "ok")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", err)

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.records.append({"id": test.id(), "outcome": "skipped", "detail": reason, "seconds": 0})


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)
    runner = unittest.TextTestRunner(resultclass=_Recorder, verbosity=2, stream=sys.stdout)
    result = runner.run(suite)
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(result.records, f, indent=1)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
