"""Load every course under a content folder into a checked, cached `Catalog`.

This module must not import Flask or lti_app: the CLI, the app and the tests all
call it the same way, and the content can be checked without an app.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

from .models import Catalog, Course, CourseModule, GlossaryTerm, Library
from .problems import ContentError, ContentInvalid, ContentProblem
from .validate import ModuleEntry, read_course, read_glossary, read_libraries, read_pass_mark
from .validate_module import RESOURCES_FOLDER, read_module

__all__ = [
    "ContentError",
    "ContentInvalid",
    "ContentProblem",
    "DEFAULT_ROOT",
    "check_content",
    "load_catalog",
]

DEFAULT_ROOT = Path(__file__).resolve().parent
LIBRARIES_FILE = "libraries.yaml"
GLOSSARY_FILE = "glossary.yaml"  # optional
COURSE_FILE = "course.yaml"
VERSION_LENGTH = 12

_FileKey = tuple[tuple[str, int, int], ...]
_Result = Catalog | tuple[ContentProblem, ...]
_cache: dict[Path, tuple[_FileKey, _Result]] = {}
_cache_lock = threading.Lock()


def load_catalog(root: Path | None = None, *, recheck: bool = True) -> Catalog:
    """The checked catalog under `root`; raises ContentInvalid listing every problem.

    `recheck=False`: once loaded, trust the cached catalog without looking at
    the files again (a served app whose content ships with the code; stat-ing
    every content file on each page view was a measurable share of it).
    """
    result = _load(root, recheck=recheck)
    if isinstance(result, Catalog):
        return result
    raise ContentInvalid(result)


def check_content(root: Path | None = None) -> list[ContentProblem]:
    """Every problem in the content under `root`, sorted by file and line."""
    result = _load(root)
    return [] if isinstance(result, Catalog) else list(result)


def _load(root: Path | None, *, recheck: bool = True) -> _Result:
    root = DEFAULT_ROOT if root is None else Path(root)
    if not recheck:
        with _cache_lock:
            cached = _cache.get(root)
        if cached is not None:
            return cached[1]
    files = _content_files(root)
    key = _file_key(files)
    with _cache_lock:
        cached = _cache.get(root)
    if cached is not None and cached[0] == key:
        # Unchanged files (same path, mtime and size): reuse the parsed catalog.
        return cached[1]
    result = _build(root)
    with _cache_lock:
        _cache[root] = (key, result)
    return result


def _course_folders(root: Path) -> list[Path]:
    # Package files (__pycache__) and hidden folders are not courses.
    return sorted(
        path
        for path in root.iterdir()
        if path.is_dir() and not path.name.startswith(("_", "."))
    )


def _content_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    files = [root / LIBRARIES_FILE, root / GLOSSARY_FILE]
    for folder in _course_folders(root):
        files.append(folder / COURSE_FILE)
        files.extend(sorted(folder.glob("*.md")))
        # Resources: a module checks that its files exist and how big they are.
        files.extend(sorted((folder / RESOURCES_FOLDER).glob("*")))
    return files


def _file_key(files: Iterable[Path]) -> _FileKey:
    key = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # a missing file is part of the key by its absence
        key.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(key)


def _read_text(path: Path, problems: list[ContentProblem]) -> tuple[bytes, str] | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(
            ContentProblem(path, 1, f"cannot read the file: {error.strerror}")
        )
        return None
    try:
        # utf-8-sig: editors on Windows may add a byte order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(ContentProblem(path, 1, f"not UTF-8 text: {error.reason}"))
        return None
    return data, text.replace("\r\n", "\n")


def _version(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:VERSION_LENGTH]


def _build(root: Path) -> _Result:
    problems: list[ContentProblem] = []
    if not root.is_dir():
        problems.append(ContentProblem(root, 1, "the content folder does not exist"))
        return tuple(problems)
    libraries = _load_libraries(root / LIBRARIES_FILE, problems)
    glossary = _load_glossary(root / GLOSSARY_FILE, problems)
    courses: dict[str, Course] = {}
    course_versions: list[bytes] = []
    for folder in _course_folders(root):
        course = _load_course(folder, problems)
        if course is not None:
            courses[course.slug] = course
            course_versions.append(f"{course.slug}={course.version}\n".encode())
    if problems:
        return tuple(sorted(problems))
    libraries_bytes = (root / LIBRARIES_FILE).read_bytes()
    glossary_path = root / GLOSSARY_FILE
    glossary_bytes = glossary_path.read_bytes() if glossary_path.is_file() else b""
    return Catalog(
        courses=courses,
        libraries=libraries,
        version=_version(libraries_bytes, glossary_bytes, *course_versions),
        glossary=glossary,
    )


def _load_glossary(path: Path, problems: list[ContentProblem]) -> tuple[GlossaryTerm, ...]:
    if not path.is_file():
        return ()
    read = _read_text(path, problems)
    return read_glossary(path, read[1], problems) if read else ()


def _load_libraries(path: Path, problems: list[ContentProblem]) -> tuple[Library, ...]:
    if not path.is_file():
        problems.append(ContentProblem(path, 1, "libraries.yaml is missing"))
        return ()
    read = _read_text(path, problems)
    return read_libraries(path, read[1], problems) if read else ()


def _load_course(folder: Path, problems: list[ContentProblem]) -> Course | None:
    course_file = folder / COURSE_FILE
    module_files = {path.stem: path for path in folder.glob("*.md")}
    if not course_file.is_file():
        if module_files:
            problems.append(ContentProblem(course_file, 1, "course.yaml is missing"))
        return None
    read = _read_text(course_file, problems)
    if read is None:
        return None
    course_bytes, text = read
    entries, spec = read_course(course_file, text, folder.name, problems)
    if entries is None:
        return None
    listed = {entry.slug for entry in entries}
    for stem, path in sorted(module_files.items()):
        if stem not in listed:
            message = f"{path.name} is not listed in the modules of course.yaml"
            problems.append(ContentProblem(path, 1, message))
    pass_mark = spec.pass_mark if spec is not None else read_pass_mark(text)
    modules = [_load_module(folder, entry, pass_mark, problems) for entry in entries]
    if spec is None or any(module is None for module in modules):
        return None
    loaded = tuple(module for module in modules if module is not None)
    version = _version(course_bytes, *(f"\n{m.version}".encode() for m in loaded))
    return Course(
        slug=spec.slug,
        title=spec.title,
        description=spec.description,
        organisers=spec.organisers,
        modules=loaded,
        shadow_days_required=spec.shadow_days_required,
        certificate_wording=spec.certificate_wording,
        version=version,
        pass_mark=spec.pass_mark,
        reveal_answers=spec.reveal_answers,
        badge=spec.badge,
    )


def _load_module(
    folder: Path,
    entry: ModuleEntry,
    pass_mark: int | None,
    problems: list[ContentProblem],
) -> CourseModule | None:
    path = folder / f"{entry.slug}.md"
    if not path.is_file():
        message = f"module {entry.slug!r} has no file {path.name} in {folder.name}/"
        problems.append(ContentProblem(folder / COURSE_FILE, entry.line, message))
        return None
    read = _read_text(path, problems)
    if read is None:
        return None
    data, text = read
    module = read_module(
        path, text, is_published=entry.published, problems=problems,
        course_pass_mark=pass_mark,
    )  # fmt: skip
    if module is None:
        return None
    return CourseModule(
        slug=module.slug,
        course_slug=folder.name,  # checked to equal the course's slug
        title=module.title,
        estimated_minutes=module.estimated_minutes,
        objectives=module.objectives,
        sources=module.sources,
        quiz=module.quiz,
        body=module.body,
        published=entry.published,
        version=_version(data),
        last_checked=module.last_checked,
        reflection=module.reflection,
        ask_your_host=module.ask_your_host,
        resources=module.resources,
        scenario=module.scenario,
    )
