"""A throw-away Moodle for the end-to-end suite (tests_e2e/).

Unpacked from a source tarball into a temporary folder (never the repository),
installed by Moodle's CLI installer on a fresh PostgreSQL database
(`moodle_e2e_<pid>`), its dataroot beside the code, and served by PHP's
built-in server in a process group of its own. `destroy()` stops the server's
whole group, drops the database and removes the folder; it is safe to call
at any stage and more than once. Facts behind each step: ../shared/lms/README.md.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg

PHP_DIR = Path(__file__).resolve().parent / "php"
# Debian's PHP with the extensions Moodle 4.5 needs (.ci/run installs them).
PHP_PACKAGES = ("php8.2-cli", "php8.2-pgsql", "php8.2-xml", "php8.2-mbstring",
                "php8.2-curl", "php8.2-zip", "php8.2-gd", "php8.2-intl", "php8.2-soap")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
ADMIN_USER, ADMIN_PASSWORD = "admin", "Admin-pass-1"

T = TypeVar("T")


class MoodleError(RuntimeError):
    pass


def free_port(preferred: int | None = None) -> int:
    """`preferred` when nothing listens there, else any free port."""
    if preferred:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], T], *, timeout: float, what: str,
              every: float = 0.2) -> T:
    """Poll `condition` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


class Moodle:
    def __init__(self, tarball: Path, *, port: int | None = None) -> None:
        self.tarball = Path(tarball)
        self.port = free_port(port or 8080)
        self.wwwroot = f"http://localhost:{self.port}"
        self.dbname = f"moodle_e2e_{os.getpid()}"
        self.root = Path(tempfile.mkdtemp(prefix="moodle-e2e-"))
        self.code = self.root / "moodle"
        self.dataroot = self.root / "moodledata"  # outside the code, writable
        self.ini_dir = self.root / "php.d"
        self.server_log = self.root / "php-server.log"
        self.timings: dict[str, float] = {}
        self._server: subprocess.Popen | None = None
        self._database_created = False

    # -- building the site ----------------------------------------------------------
    def build(self) -> None:
        self._timed("unpack", self.unpack)
        self._timed("install", self.install)
        self._timed("configure", self.configure)
        self._timed("start server", self.start)

    def _timed(self, name: str, step: Callable[[], None]) -> None:
        started = time.monotonic()
        step()
        self.timings[name] = time.monotonic() - started

    def unpack(self) -> None:
        # tar(1) with xz: several times faster than Python's tarfile on 400 MB.
        subprocess.run(["tar", "-xJf", str(self.tarball), "-C", str(self.root)],
                       check=True, timeout=300)
        if not (self.code / "version.php").is_file():
            raise MoodleError(f"{self.tarball} did not unpack to moodle/version.php")
        self.dataroot.mkdir()
        self.ini_dir.mkdir()
        # The installer wants max_input_vars >= 5000; PHP_INI_SCAN_DIR adds this
        # folder to Debian's own conf.d for the CLI and the server alike.
        (self.ini_dir / "99-moodle-e2e.ini").write_text(
            "max_input_vars = 5000\nmemory_limit = 512M\n")

    def install(self) -> None:
        with self._admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            conn.execute(f"CREATE DATABASE \"{self.dbname}\" ENCODING 'UTF8' TEMPLATE template0")
        self._database_created = True
        self._run([
            "php", "admin/cli/install.php", "--non-interactive", "--agree-license",
            "--lang=en", f"--wwwroot={self.wwwroot}", f"--dataroot={self.dataroot}",
            "--dbtype=pgsql", f"--dbhost={PG_HOST}", f"--dbname={self.dbname}",
            f"--dbuser={PG_USER}", "--dbpass=", "--prefix=mdl_",
            "--fullname=Kennisdeling E2E Moodle", "--shortname=kd-e2e",
            f"--adminuser={ADMIN_USER}", f"--adminpass={ADMIN_PASSWORD}",
            "--adminemail=admin@example.org",
        ], timeout=600)

    def configure(self) -> None:
        self.php("configure.php")

    def start(self) -> None:
        env = self._php_env() | {"PHP_CLI_SERVER_WORKERS": "4"}
        log = self.server_log.open("ab")
        # Its own session and process group: the server forks workers, and
        # stop() signals the whole group so that none keeps serving.
        self._server = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.code)],
            cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

        def answers() -> bool:
            if self._server.poll() is not None:
                raise MoodleError(f"php -S exited: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False

        wait_for(answers, timeout=30, what="PHP's built-in server")

    # -- using it -------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.wwwroot + path

    def php(self, script: str, *args: object) -> dict:
        """Run one of e2e/moodle/php/*.php against this site; its JSON answer."""
        out = self._run(["php", str(PHP_DIR / script), str(self.code),
                         *(json.dumps(a) if isinstance(a, dict) else str(a) for a in args)])
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError) as exc:
            raise MoodleError(f"{script} printed no JSON: {out[-2000:]}") from exc

    def fixture(self, action: str, **args: object) -> dict:
        """Courses, users, enrolments, activities (e2e/moodle/php/fixtures.php)."""
        return self.php("fixtures.php", {"action": action, **args})

    def query(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        """Read Moodle's own database."""
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER,
                             dbname=self.dbname, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.server_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- taking it down -------------------------------------------------------------
    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # workers that ignored SIGTERM, and the leader if it did
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=10)

    def destroy(self) -> None:
        """Stop the server, drop the database, remove the folder: each even if another fails."""
        try:
            self.stop()
        finally:
            try:
                if self._database_created:
                    with self._admin_connection() as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
                    self._database_created = False
            finally:
                shutil.rmtree(self.root, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------
    def _php_env(self) -> dict[str, str]:
        return dict(os.environ, PHP_INI_SCAN_DIR=f":{self.ini_dir}")

    def _run(self, command: list[str], *, timeout: float = 120) -> str:
        done = subprocess.run(command, cwd=self.code, env=self._php_env(), text=True,
                              capture_output=True, timeout=timeout, check=False)
        if done.returncode != 0:
            raise MoodleError(
                f"{' '.join(command[:2])} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    @staticmethod
    def _admin_connection() -> psycopg.Connection:
        return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER,
                               dbname="postgres", autocommit=True)


def missing_requirements() -> list[str]:
    """What this machine lacks to run Moodle, as install hints."""
    missing = []
    if shutil.which("php") is None:
        missing.append("php (apt-get install " + " ".join(PHP_PACKAGES) + ")")
    else:
        modules = subprocess.run(["php", "-m"], capture_output=True, text=True,
                                 check=False).stdout.lower().split()
        for extension in ("pgsql", "xml", "mbstring", "curl", "zip", "gd", "intl", "soap"):
            if extension not in modules:
                missing.append(f"the PHP extension {extension} "
                               f"(apt-get install php8.2-{extension})")
    try:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                             connect_timeout=3):
            pass
    except psycopg.OperationalError:
        missing.append(f"PostgreSQL at {PG_HOST}:{PG_PORT} (user {PG_USER}, trust)")
    return missing
