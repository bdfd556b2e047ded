"""The output folder of `touchdsl build`: what touchdsl wrote there, whether it may be
replaced, and replacing it in one step.

Three rules keep a build from ever losing a file that is not its own:

1. A manifest (`.touchdsl-manifest.json`) in the folder lists every file the last
   build wrote, per target, with its SHA-256. A folder holding anything else (a file
   the manifest does not list, or one changed since it was written) is refused.
2. A folder that contains the project's inputs is refused, whatever its manifest says.
3. The new build is written into a sibling folder (`.touchdsl-build-…`) and swapped
   with the old one by a single `renameat2(RENAME_EXCHANGE)`: a reader (or a build
   killed at any moment) sees the complete old output or the complete new one, never
   a mix. The old one is then removed from the sibling. Where the system cannot
   exchange two folders (not Linux, or a file system without the call), the old
   folder is renamed aside (`.touchdsl-old-…`) and the new one renamed into place;
   a build killed between the two renames leaves the old output complete beside
   it, and the next build puts it back before doing anything else.

A symbolic link swap would also be atomic, but the output folder would become a
link, which `git add`, `rsync` and web servers treat differently from a folder.

Builds into the same parent folder take turns (an advisory lock on the parent), so
the next build can remove what killed builds left behind: their names start with
`.touchdsl-build-` or `.touchdsl-old-` and record the builder's process id, which is
what decides when no lock can be taken.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Iterable

MANIFEST = ".touchdsl-manifest.json"
MANIFEST_FORMAT = 1
STAGING_PREFIX = ".touchdsl-build-"
OLD_PREFIX = ".touchdsl-old-"
SHOWN = 5  # foreign files named in a refusal; the rest are counted
LIMIT = 100  # look no further for foreign files once this many are found
MAX_NAME = 200  # bytes in the output folder's name: the staging folder's name adds to it
# What operating systems leave in any folder a person opens (view settings, thumbnails):
# not a user's files, recreated when needed, so they never block a build.
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

# Test hooks (never set by users): a pause in seconds at each step of the swap, so a
# test can kill a build inside it; and the two-rename fallback forced on Linux.
_PAUSE_ENV = "TOUCHDSL_TEST_SWAP_PAUSE"
_FALLBACK_ENV = "TOUCHDSL_TEST_SWAP_FALLBACK"


class BuildFailed(Exception):
    """The build could not be written (I/O, or a refused output folder); nothing was changed.

    `help` holds the way out, one line each, printed under the message.
    """

    def __init__(self, message: str, help: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.help = list(help)


class UnsafeOutput(BuildFailed):
    """The output folder holds something the build would destroy."""


def _shown(path: Path) -> str:
    from touchdsl.compiler.sources import display_path

    return display_path(path)


# ---- the manifest ---------------------------------------------------------------------------


@dataclass
class Manifest:
    """Per target, the files the build wrote (relative POSIX paths) and their SHA-256."""

    targets: dict[str, dict[str, str]] = field(default_factory=dict)

    def files(self) -> dict[str, str]:
        return {rel: digest for files in self.targets.values() for rel, digest in files.items()}

    def dump(self) -> bytes:
        doc = {
            "format": MANIFEST_FORMAT,
            "generator": "touchdsl build",
            "about": "The files touchdsl wrote into this folder. The next build replaces the folder only "
                     "while it holds exactly these files, unchanged.",
            "targets": {t: dict(sorted(files.items())) for t, files in sorted(self.targets.items())},
        }
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The folder's manifest; None when it has none; UnsafeOutput when it is unreadable."""
        path = folder / MANIFEST
        if not path.is_file() or path.is_symlink():
            return None
        try:
            doc = json.loads(path.read_bytes().decode("utf-8"))
            targets = doc["targets"]
            ok = doc.get("format") == MANIFEST_FORMAT and isinstance(targets, dict) and all(
                isinstance(t, str) and isinstance(files, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
                for t, files in targets.items())
        except (OSError, ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise UnsafeOutput(f"`{_shown(path)}` is not a manifest touchdsl can read, so what the folder "
                               "holds cannot be told apart from files touchdsl did not write",
                               [f"delete `{_shown(folder)}` yourself if it holds nothing you need, "
                                "or build into another folder"])
        return cls({t: dict(files) for t, files in targets.items()})


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


# ---- what a folder holds ----------------------------------------------------------------------


def _foreign(folder: Path, manifest: Manifest) -> list[str]:
    """What in the folder is not the last build's own, as `path (reason)`; at most LIMIT, sorted.

    Symbolic links are listed, never followed: a link is not a file touchdsl wrote.
    """
    listed = manifest.files()
    parents = {str(p) for rel in listed for p in PurePosixPath(rel).parents}
    problems: list[str] = []
    pending = [(folder, PurePosixPath())]
    while pending and len(problems) < LIMIT:
        here, rel = pending.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                name = rel / entry.name
                path = str(name)
                if entry.is_dir(follow_symlinks=False):
                    if path in parents:
                        pending.append((Path(entry.path), name))
                    else:
                        problems.append(f"`{path}/`")
                elif not entry.is_file(follow_symlinks=False):
                    problems.append(f"`{path}` (not a regular file)")
                elif path == MANIFEST or entry.name in OS_LITTER:
                    continue
                elif path not in listed:
                    problems.append(f"`{path}`")
                elif _file_digest(Path(entry.path)) != listed[path]:
                    problems.append(f"`{path}` (changed since touchdsl wrote it)")
    return sorted(problems)


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolve_output(out: str | os.PathLike[str]) -> Path:
    """The folder the build will replace: a link named on the command line is followed, so the
    link stays and its target is what gets rebuilt."""
    try:
        folder = Path(os.path.abspath(out)).resolve()
    except RuntimeError:  # a link loop (Python < 3.13)
        raise BuildFailed(f"the output `{os.fspath(out)}` is a symbolic link that leads back to itself") from None
    except (OSError, ValueError) as exc:
        raise BuildFailed(f"the output `{os.fspath(out)}` cannot be used: {getattr(exc, 'strerror', None) or exc}") \
            from None
    if len(os.fsencode(folder.name)) > MAX_NAME:
        raise BuildFailed(f"the output folder's name is longer than {MAX_NAME} bytes",
                          ["the build stages the output beside it under a longer name; choose a shorter one"])
    return folder


def inspect(out: Path, inputs: Iterable[Path]) -> Manifest | None:
    """The manifest of the build now in `out` (None when there is none yet), or UnsafeOutput."""
    for source in inputs:
        if _within(source, out):
            what = ("is the project's own folder" if source == out
                    else f"contains the project's input `{_shown(source)}`")
            raise UnsafeOutput(
                f"the output folder `{_shown(out)}` {what}; the build replaces its output folder as a whole",
                ["write the outputs into a folder of their own, outside the project's files: e.g. `-o build`"])
    if not os.path.lexists(out):
        return None
    if not out.is_dir():
        raise UnsafeOutput(f"the output `{_shown(out)}` is a file, not a folder",
                           ["name a folder for the outputs: e.g. `-o build`"])
    try:
        manifest = Manifest.read(out)
        if manifest is None:
            # Not a touchdsl output (or one from before manifests): what is at the top is
            # enough to refuse, without walking a home folder named by mistake.
            problems = sorted(f"`{e.name}/`" if e.is_dir(follow_symlinks=False) else f"`{e.name}`"
                              for e in os.scandir(out) if e.name not in OS_LITTER)
        else:
            problems = _foreign(out, manifest)
    except OSError as exc:
        raise BuildFailed(f"cannot read the output folder `{_shown(out)}`: {exc.strerror or exc}") from None
    if problems:
        more = len(problems) - SHOWN
        more_text = f" and {more}{'+' if len(problems) >= LIMIT and manifest else ''} more" if more > 0 else ""
        if manifest is None:
            raise UnsafeOutput(
                f"the output folder `{_shown(out)}` holds files touchdsl did not write: "
                f"{', '.join(problems[:SHOWN])}{more_text}",
                ["the build replaces its output folder as a whole, so it only ever replaces a folder that "
                 "is empty or that it wrote itself (it has a `.touchdsl-manifest.json`)",
                 f"build into a folder of its own: e.g. `-o {_shown(out / 'touchdsl')}`"])
        raise UnsafeOutput(
            f"the output folder `{_shown(out)}` holds files the last build did not write: "
            f"{', '.join(problems[:SHOWN])}{more_text}",
            ["the build replaces its output folder as a whole and never deletes what it did not write",
             "move those files elsewhere (outputs are regenerated: change the .touch files instead), "
             "then build again"])
    return manifest


# ---- replacing the folder ---------------------------------------------------------------------


def _pause() -> None:
    seconds = os.environ.get(_PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False when this system cannot (the caller falls back)."""
    if sys.platform != "linux" or os.environ.get(_FALLBACK_ENV):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class _ParentLock:
    """Builds into one parent folder take turns; `held` is False where no lock can be taken."""

    def __init__(self, parent: Path) -> None:
        self.parent = parent
        self.fd: int | None = None
        self.held = False

    def __enter__(self) -> _ParentLock:
        try:
            import fcntl
        except ImportError:  # Windows: leftovers are told apart by process id alone
            return self
        try:
            self.fd = os.open(self.parent, os.O_RDONLY)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"build: waiting for another build into `{_shown(self.parent)}` to finish", file=sys.stderr)
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.held = True
        except OSError:  # a file system without locks (some network mounts)
            pass
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock


def _leftover_name(prefix: str, out: Path) -> str:
    return f"{prefix}{os.getpid()}-{secrets.token_hex(4)}-{out.name}"


def _parse_leftover(name: str) -> tuple[str, int, str] | None:
    """(prefix, pid, output name) of a folder a build made beside its output."""
    for prefix in (STAGING_PREFIX, OLD_PREFIX):
        if name.startswith(prefix):
            parts = name[len(prefix):].split("-", 2)
            if len(parts) == 3 and parts[0].isdigit():
                return prefix, int(parts[0]), parts[2]
    return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _restorable(folder: Path) -> bool:
    """An old output set aside by a killed build is complete: it holds exactly its manifest."""
    try:
        manifest = Manifest.read(folder)
        if manifest is None or _foreign(folder, manifest):
            return False
        return all((folder / rel).is_file() for rel in manifest.files())
    except (OSError, UnsafeOutput):
        return False


def recover(parent: Path, locked: bool) -> None:
    """Put back an output a killed build left set aside, and remove what killed builds left."""
    try:
        entries = sorted(os.listdir(parent))
    except OSError:
        return
    for name in entries:
        parsed = _parse_leftover(name)
        path = parent / name
        if parsed is None or path.is_symlink() or not path.is_dir():
            continue
        prefix, pid, out_name = parsed
        if not locked and _alive(pid):
            continue
        out = parent / out_name
        if prefix == OLD_PREFIX and not os.path.lexists(out):
            if _restorable(path):
                os.rename(path, out)
            # else: not provably complete, so not provably garbage either: left for a person
            continue
        shutil.rmtree(path, ignore_errors=True)


def _same_mode(folder: Path, like: Path) -> None:
    try:
        os.chmod(folder, stat.S_IMODE(like.stat().st_mode))
    except OSError:
        pass


def _stage(staging: Path, rendered: dict[str, dict[str, bytes]], keep: dict[str, dict[str, str]],
           old: Path) -> list[str]:
    """Write the new build into `staging`, carry over the kept targets' files from `old`, and
    write the manifest last. Returns the paths written this time."""
    manifest = Manifest()
    owner: dict[str, str] = {}
    for target, files in rendered.items():
        manifest.targets[target] = {}
        for name, data in sorted(files.items()):
            rel = safe_relpath(name)
            if rel in owner:
                raise BuildFailed(f"targets `{owner[rel]}` and `{target}` both write `{rel}`")
            owner[rel] = target
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            manifest.targets[target][rel] = digest(data)
    written = sorted(owner)
    for target, kept in keep.items():
        carried: dict[str, str] = {}
        for rel, sha in kept.items():
            if rel in owner or not (old / rel).is_file():
                continue
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(old / rel, dest)
            except OSError:
                shutil.copy2(old / rel, dest)
            carried[rel] = sha
        if carried:
            manifest.targets[target] = carried
    (staging / MANIFEST).write_bytes(manifest.dump())
    return written


def safe_relpath(name: str) -> str:
    """A target's file name as a relative POSIX path that stays inside the output folder."""
    path = PurePosixPath(name)
    if (path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts)
            or "\\" in name or "\x00" in name):
        raise BuildFailed(f"a target produced an unsafe path {name!r}")
    if path.parts[0].startswith(".touchdsl") or path.suffix == ".touch":
        # the manifest's name is reserved; and an output must never be read back as an input
        raise BuildFailed(f"a target produced a reserved file name {name!r}")
    return str(path)


def replace(out: Path, rendered: dict[str, dict[str, bytes]], inputs: list[Path],
            carry: Iterable[str] = ()) -> list[str]:
    """Make `out` hold exactly the rendered files (plus, from the build there now, the files of
    the `carry` targets that were not rendered this time), switching in one step.

    Raises UnsafeOutput or BuildFailed; then the output folder is as it was.
    """
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildFailed(f"cannot create `{_shown(parent)}`: {exc.strerror or exc}") from None
    with _ParentLock(parent) as lock:
        try:
            recover(parent, lock.held)
        except OSError as exc:
            raise BuildFailed(f"cannot tidy `{_shown(parent)}`: {exc.strerror or exc}") from None
        previous = inspect(out, inputs)  # again, now that no other build can change it
        keep = {t: files for t, files in (previous.targets.items() if previous else ())
                if t in set(carry) and t not in rendered}
        staging = parent / _leftover_name(STAGING_PREFIX, out)
        try:
            os.mkdir(staging)
        except OSError as exc:
            raise BuildFailed(
                f"cannot create a folder beside `{_shown(out)}` to build in: {exc.strerror or exc}",
                [f"the build replaces `{_shown(out)}` in one step from a folder beside it, so "
                 f"`{_shown(parent)}` must be writable"]) from None
        try:
            if os.path.lexists(out):
                _same_mode(staging, out)
            written = _stage(staging, rendered, keep, out)
            _pause()
            _swap(staging, out)
            _pause()
        except OSError as exc:
            raise BuildFailed(f"cannot write into `{_shown(out)}`: {exc.strerror or exc}") from None
        finally:
            # after the swap `staging` holds the old output; before it, a partial new one
            shutil.rmtree(staging, ignore_errors=True)
    return written


def _swap(staging: Path, out: Path) -> None:
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    # Two renames: in between, the complete old output waits beside, under a name
    # `recover` knows, for the next build to put back should this one be killed.
    aside = out.parent / _leftover_name(OLD_PREFIX, out)
    os.rename(out, aside)
    _pause()
    os.rename(staging, out)
    os.rename(aside, staging)  # removed with the staging folder by the caller
