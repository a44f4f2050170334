"""Where a page's milliseconds go: the module page and the course overview, in-process.

    .venv/bin/python -m benchmarks.profile_page -n 200
    .venv/bin/python -m benchmarks.throughput --profile     # after the load run

Set-up as `throughput.py` (fresh PostgreSQL `kd_bench_<pid>`, a fake Moodle, one real
launch through gunicorn for the ltik); then the tool's app is created in this process
on the same database and each page is requested `-n` times through Flask's test client
with the ltik in the URL and the proxy's headers. Three passes per page:

1. plain: wall time per request, no profiler (the number to trust);
2. areas: a `sys.setprofile` hook charges every microsecond to one area, the innermost
   one entered (launch session, progress SQL, Markdown, CSRF, Babel), else the
   library running (SQLAlchemy/psycopg, Jinja, Flask/Werkzeug), else "other". The
   shares are scaled to the plain pass's ms per request (the hook itself slows
   Python calls, so shares of call-heavy areas are somewhat overstated);
3. cProfile: the top functions by own and by cumulative time, ms per request
   (with cProfile's overhead), and the calls per request of those that look like
   work done again on every request (Markdown renders, template loads, SQL).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from urllib.parse import urlsplit

# Areas: (name, rank). An area entered inside another keeps the outer one if the
# outer's rank is higher; among equal ranks the innermost wins.
LAUNCH = ("launch session: ltik + store read", 3)
PROGRESS = ("progress/standing queries (service, standing)", 3)
MARKDOWN = ("Markdown render + sanitise", 3)
CSRF = ("CSRF token (Flask-WTF)", 3)
BABEL = ("Babel / locale / gettext", 3)
FORMS = ("WTForms form building", 3)
SQL = ("SQL elsewhere (session, commit, pool)", 2)
JINJA = ("Jinja templates", 1)
FLASK = ("Flask/Werkzeug request + url_for", 0)
OTHER = ("other (app code, logging, headers)", 0)
AREAS = (LAUNCH, PROGRESS, MARKDOWN, CSRF, BABEL, FORMS, SQL, JINJA, FLASK, OTHER)

_LAUNCH_FUNCS = {"current_launch", "current_launch_or_none", "launch_id_from_ltik",
                 "ltik_from_request"}


def classify(code) -> tuple[str, int] | None:
    """The area a function opens, or None (it runs in its caller's area)."""
    path = code.co_filename.replace("\\", "/")
    name = code.co_name
    if path.endswith("lti_app/lti/context.py"):
        return LAUNCH if name in _LAUNCH_FUNCS else None
    if path.endswith(("lti_app/lti/store.py", "lti_app/tokens.py")):
        return LAUNCH
    if path.endswith(("lti_app/learning/service.py", "lti_app/standing.py")):
        return PROGRESS
    if "markdown_it/" in path or "/mdit_py_plugins/" in path or "/nh3" in path \
            or path.endswith("course_content/markdown.py"):
        return MARKDOWN
    if "flask_wtf/csrf.py" in path or "wtforms/csrf/" in path:
        return CSRF
    if "/babel/" in path or "/flask_babel/" in path or path.endswith("lti_app/i18n.py") \
            or "/gettext.py" in path:
        return BABEL
    if "/wtforms/" in path or "/flask_wtf/" in path or path.endswith("lti_app/forms.py") \
            or path.endswith("learning/forms.py"):
        return FORMS
    if "/sqlalchemy/" in path or "/psycopg" in path or "/flask_sqlalchemy/" in path:
        return SQL
    if "/jinja2/" in path or "/markupsafe/" in path or path.endswith(".html") \
            or path.endswith("lti_app/templating.py") or path == "<template>":
        return JINJA
    if "/flask/" in path or "/werkzeug/" in path or "/itsdangerous/" in path:
        return FLASK
    return OTHER


class AreaTimer:
    def __init__(self) -> None:
        self.seconds: dict[tuple[str, int], float] = defaultdict(float)
        self._areas: dict = {}
        self._stack: list[tuple[str, int]] = [OTHER]
        self._last = 0.0

    def _hook(self, frame, event, _arg) -> None:
        if event == "call":
            now = time.perf_counter()
            current = self._stack[-1]
            self.seconds[current] += now - self._last
            code = frame.f_code
            try:
                area = self._areas[code]
            except KeyError:
                area = self._areas[code] = classify(code)
            self._stack.append(current if area is None or area[1] < current[1] else area)
            self._last = now
        elif event == "return":
            now = time.perf_counter()
            self.seconds[self._stack[-1]] += now - self._last
            if len(self._stack) > 1:
                self._stack.pop()
            self._last = now

    def __enter__(self):
        self._stack = [OTHER]
        self._last = time.perf_counter()
        sys.setprofile(self._hook)
        return self

    def __exit__(self, *_exc):
        sys.setprofile(None)
        self.seconds[self._stack[-1]] += time.perf_counter() - self._last


def _sql_counter(app):
    from sqlalchemy import event

    from lti_app.extensions import db

    seen: Counter[str] = Counter()
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args):
        seen[" ".join(statement.split())[:110]] += 1

    return seen


class RoundTrips:
    """Every statement and command psycopg sends (the pool's ping, BEGIN and
    ROLLBACK included): each is one wait for PostgreSQL on a loaded machine."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def __enter__(self):
        import psycopg

        self._saved = (psycopg.Cursor.execute, psycopg.Connection._exec_command)
        execute, command = self._saved
        seen = self.seen

        def counted_execute(cursor, query, *args, **kwargs):
            text = query if isinstance(query, str) else str(getattr(query, "as_string",
                                                                     lambda _c: query)(None))
            seen["ping (pool)" if text.strip().lower() in (";", "select 1")
                 else "statement"] += 1
            return execute(cursor, query, *args, **kwargs)

        def counted_command(connection, cmd, *args, **kwargs):
            name = cmd if isinstance(cmd, (str, bytes)) else getattr(cmd, "_obj", cmd)
            if isinstance(name, bytes):
                name = name.decode(errors="replace")
            seen[str(name).split()[0].upper() if str(name).strip() else "command"] += 1
            return command(connection, cmd, *args, **kwargs)

        psycopg.Cursor.execute = counted_execute
        psycopg.Connection._exec_command = counted_command
        return self

    def __exit__(self, *_exc):
        import psycopg

        psycopg.Cursor.execute, psycopg.Connection._exec_command = self._saved


def profile_app(app, pages: dict[str, str], headers: dict[str, str], base_url: str,
                n: int, top: int = 18) -> None:
    client = app.test_client()
    sql = _sql_counter(app)

    def get(path_and_query: str) -> None:
        response = client.get(path_and_query, base_url=base_url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path_and_query}: HTTP {response.status_code}")

    for label, url in pages.items():
        parts = urlsplit(url)
        target = f"{parts.path}?{parts.query}"
        for _ in range(20):  # warm: templates compiled, connections pooled
            get(target)
        sql.clear()
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(n):
            get(target)
        plain_ms = (time.perf_counter() - start) * 1000 / n
        # This process's CPU only: steadier than wall time on a busy machine,
        # but without PostgreSQL's share (its work shows in the wall time).
        cpu_ms = (time.process_time() - cpu_start) * 1000 / n
        statements = sum(sql.values()) / n
        with RoundTrips() as trips:
            for _ in range(n):
                get(target)

        with AreaTimer() as areas:
            for _ in range(n):
                get(target)
        traced = sum(areas.seconds.values())

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            get(target)
        profiler.disable()
        stats = pstats.Stats(profiler)

        print(f"\n=== {label}: {plain_ms:.2f} ms per request in-process "
              f"(no profiler, n={n}; {cpu_ms:.2f} ms of this process's CPU); "
              f"{statements:.1f} SQL statements per request")
        print(f"  by area (sys.setprofile shares x {plain_ms:.2f} ms; hook-traced "
              f"{traced * 1000 / n:.2f} ms/request):")
        for area in sorted(AREAS, key=lambda a: -areas.seconds.get(a, 0.0)):
            share = areas.seconds.get(area, 0.0) / traced if traced else 0.0
            print(f"    {area[0]:<48} {share * plain_ms:7.2f} ms  {share:6.1%}")
        print(f"  round trips to PostgreSQL per request: {sum(trips.seen.values()) / n:.1f} ("
              + ", ".join(f"{name} {count / n:.1f}" for name, count in trips.seen.most_common())
              + ")")
        print("  SQL statements per request:")
        for statement, count in sql.most_common(8):
            print(f"    {count / n / 4:5.1f}  {statement}")  # 4 passes counted
        _print_top(stats, n, top)
        _print_repeated(stats, n)


def _where(func: tuple) -> str:
    path, line, name = func
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line}:{name}" if line else name


def _print_top(stats: pstats.Stats, n: int, top: int) -> None:
    rows = stats.stats  # func -> (cc, nc, tt, ct, callers)
    print(f"  top {top} functions by own time (cProfile, ms/request, calls/request):")
    for func, (_cc, nc, tt, _ct, _callers) in sorted(rows.items(), key=lambda kv: -kv[1][2])[:top]:
        print(f"    {tt * 1000 / n:7.3f} ms {nc / n:8.1f}x  {_where(func)}")
    print(f"  top {top} of the app's own functions by cumulative time (lti_app, course_content):")
    own = [(f, v) for f, v in rows.items()
           if "/lti_app/" in f[0] or "/course_content/" in f[0]]
    for func, (_cc, nc, _tt, ct, _callers) in sorted(own, key=lambda kv: -kv[1][3])[:top]:
        print(f"    {ct * 1000 / n:7.3f} ms {nc / n:8.1f}x  {_where(func)}")


# Functions whose calls per request say that work is repeated, not cached.
_REPEATED = (
    ("course_content/markdown.py", "render_markdown"),
    ("markdown_it/main.py", "render"),
    ("markdown_it/main.py", "__init__"),
    ("nh3", "clean"),
    ("jinja2/environment.py", "_load_template"),
    ("jinja2/environment.py", "compile"),
    ("jinja2/loaders.py", "get_source"),
    ("flask_wtf/csrf.py", "generate_csrf"),
    ("itsdangerous/timed.py", "unsign"),
    ("itsdangerous/serializer.py", "dumps"),
    ("flask_babel/__init__.py", "get_translations"),
    ("flask_babel/__init__.py", "get_locale"),
    ("babel/support.py", "load"),
    ("babel/core.py", "parse"),
    ("babel/dates.py", "format_date"),
    ("lti_app/i18n.py", "select_locale"),
    ("lti_app/lti/store.py", "get"),
    ("lti_app/lti/context.py", "current_launch"),
    ("lti_app/learning/service.py", "progress_by_module"),
    ("lti_app/standing.py", "status_for"),
    ("course_content/loader.py", "load_catalog"),
    ("lti_app/learning/content.py", "catalog"),
    ("sqlalchemy/engine/base.py", "_execute_context"),
    ("sqlalchemy/orm/session.py", "commit"),
    ("flask/templating.py", "render_template"),
    ("werkzeug/routing/map.py", "build"),
)


def _print_repeated(stats: pstats.Stats, n: int) -> None:
    print("  calls per request of work that could be cached (cProfile cumulative ms/request):")
    for func, (_cc, nc, _tt, ct, _callers) in sorted(stats.stats.items(),
                                                        key=lambda kv: -kv[1][3]):
        path = func[0].replace("\\", "/")
        if any(part in path and func[2] == name for part, name in _REPEATED):
            print(f"    {nc / n:7.1f}x {ct * 1000 / n:8.3f} ms  {_where(func)}")
            callers = sorted(_callers.items(), key=lambda kv: -kv[1][3])[:2]
            if callers:
                print("             called from " + "; ".join(
                    f"{_where(c)} ({v[1] / n:.1f}x)" for c, v in callers))


def profile_against(launched, server_base: str, *, n: int) -> None:
    """In this process, on the database and launch that `throughput.py` set up."""
    from .loadtest.tool_setup import in_process_app
    from .throughput import proxy_headers

    app = in_process_app(launched.env)
    print(f"\nprofile: Flask test client in-process, PostgreSQL {launched.db}, "
          f"the launch's ltik in the URL; {n} requests per pass")
    profile_app(
        app,
        {"module page": launched.module_url, "course overview": launched.overview_url},
        proxy_headers(server_base),
        server_base,
        n,
        top=int(os.environ.get("PROFILE_TOP", "18")),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--redis", metavar="URL", default=None)
    args = parser.parse_args(argv)
    from . import throughput

    extra = ["--redis", args.redis] if args.redis else []
    return throughput.main(["--profile-only", "-n", str(args.n), *extra])


if __name__ == "__main__":
    sys.exit(main())
