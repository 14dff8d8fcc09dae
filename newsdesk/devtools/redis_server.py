"""A private redis-server (the OS package) on a free loopback port with its own data folder: for the tests and
`newsdesk bench-crawl --frontier`. It persists to an append-only file, so a restart keeps the frontier, as a
production Redis should be configured to (see the README)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

STARTUP_TIMEOUT_SECONDS = 10.0
INSTALL_HINT = "redis-server is not installed; install it with: sudo apt-get install -y redis-server"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """`with RedisServer() as server: server.url` — started in a temporary folder, stopped and removed after."""

    def __init__(self, folder: str | Path | None = None, port: int | None = None):
        self.executable = shutil.which("redis-server")
        if self.executable is None:
            raise RuntimeError(INSTALL_HINT)
        self._own_folder = folder is None
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="newsdesk-redis-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
             "--daemonize", "no", "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.folder / "redis.log"
                raise RuntimeError(f"redis-server exited at start (code {self.process.returncode}); see {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {STARTUP_TIMEOUT_SECONDS:.0f}s")

    def stop(self) -> None:
        """Shut down as an operator would (SIGTERM: the append-only file is complete)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop, stay down for `down_seconds`, start again on the same port with the same data."""
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)
