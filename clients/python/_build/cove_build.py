"""A PEP 517 build backend in the standard library only.

The package is pure Python with no dependencies, so a wheel is a zip of ``src/cove`` plus three metadata
files. setuptools would need to be downloaded into pip's isolated build environment (or ``wheel`` beside
it), which fails on a machine without network; this backend needs nothing.
"""
import base64
import hashlib
import os
import zipfile

NAME = "cove"
VERSION = "0.1.0"
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DIST_INFO = f"{NAME}-{VERSION}.dist-info"
_TAG = "py3-none-any"

_METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Python client for the Cove daemon: calls, events and application sessions
Requires-Python: >=3.9
License: Apache-2.0
"""

_WHEEL = f"""Wheel-Version: 1.0
Generator: cove_build
Root-Is-Purelib: true
Tag: {_TAG}
"""


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_metadata(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_metadata(metadata_directory)


def _write_metadata(directory):
    d = os.path.join(directory, _DIST_INFO)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_METADATA)
    with open(os.path.join(d, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_WHEEL)
    return _DIST_INFO


def _package_files():
    src = os.path.join(_ROOT, "src")
    for dirpath, dirnames, filenames in os.walk(os.path.join(src, NAME)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(dirpath, name)
            yield full, os.path.relpath(full, src).replace(os.sep, "/")


def _build(wheel_directory, files):
    """files: (archive name, bytes) pairs; writes the wheel with its RECORD."""
    wheel_name = f"{NAME}-{VERSION}-{_TAG}.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in files + [(f"{_DIST_INFO}/METADATA", _METADATA.encode()),
                                      (f"{_DIST_INFO}/WHEEL", _WHEEL.encode())]:
            z.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{arcname},sha256={digest},{len(data)}")
        records.append(f"{_DIST_INFO}/RECORD,,")
        z.writestr(f"{_DIST_INFO}/RECORD", "\n".join(records) + "\n")
    return wheel_name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = []
    for full, arcname in _package_files():
        with open(full, "rb") as f:
            files.append((arcname, f.read()))
    return _build(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    pth = os.path.join(_ROOT, "src") + "\n"
    return _build(wheel_directory, [(f"_{NAME}_editable.pth", pth.encode())])


def build_sdist(sdist_directory, config_settings=None):
    import tarfile
    base = f"{NAME}-{VERSION}"
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ("pyproject.toml", "README.md", "_build/cove_build.py"):
            full = os.path.join(_ROOT, rel)
            if os.path.exists(full):
                t.add(full, f"{base}/{rel}")
        for full, arcname in _package_files():
            t.add(full, f"{base}/src/{arcname}")
        info = os.path.join(sdist_directory, "PKG-INFO")
        with open(info, "w", encoding="utf-8") as f:
            f.write(_METADATA)
        t.add(info, f"{base}/PKG-INFO")
        os.remove(info)
    return name
