"""A throwaway Virtuoso (Debian's ``virtuoso-opensource``) on loopback for the store suite.

Each server gets its own folder: a ``virtuoso.ini`` naming free ports on
127.0.0.1 for the SQL (isql) and HTTP servers, and a database created at first
start. It is set up the way docs/scaling-virtuoso.md tells a deployment to be:
anonymous ``/sparql`` reads only; a ``kgqa`` user with SPARQL_UPDATE writes
through ``/sparql-auth`` (HTTP Digest); Virtuoso's own system graphs are private
so the union default graph holds kgqa's graphs alone. ``stop`` ends the process
and removes the folder.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

__all__ = ["VirtuosoServer", "virtuoso_binary"]

log = logging.getLogger(__name__)

START_TIMEOUT_S = 90  # a fresh database takes ~7 s here; a loaded CI machine may need much longer
USER, PASSWORD = "kgqa", "kgqa-test-secret"
#: The graphs a fresh Virtuoso database holds for itself; made private (see the module docstring).
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
PRIVATE_GROUP = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"


def virtuoso_binary() -> tuple[str, str] | None:
    """``virtuoso-t`` and ``isql-vt`` from Debian's packages, or ``None`` when not installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ini(folder: Path, sql_port: int, http_port: int, timeout_s: int, max_rows: int) -> str:
    return f"""\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
; no periodic checkpoints: the database is thrown away
CheckpointInterval = 0
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/vsp
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout_s}
MaxQueryCostEstimationTime = 0
"""


# Run once through isql as dba (the password of a new database): the deployment recipe of the docs.
_SETUP_SQL = f"""\
DB.DBA.USER_CREATE ('{USER}', '{PASSWORD}');
GRANT SPARQL_SELECT TO "{USER}";
GRANT SPARQL_UPDATE TO "{USER}";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{USER}', 3);
DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE_GROUP}', 1);
{"".join(f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE_GROUP}', '{g}');{chr(10)}" for g in SYSTEM_GRAPHS)}\
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{USER}', 0, 1);
"""


class VirtuosoServer:
    """``virtuoso-t`` in the foreground on 127.0.0.1, with a database in its own temporary folder."""

    def __init__(self, *, timeout_s: int = 3, max_rows: int = 1_000_000) -> None:
        binaries = virtuoso_binary()
        if binaries is None:
            raise RuntimeError("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; "
                               "scripts/setup.sh test installs it)")
        server, self._isql = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="kgqa-virtuoso-"))
        (self.folder / "vsp").mkdir()
        self.sql_port, self.http_port = _free_port(), _free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(_ini(self.folder, self.sql_port, self.http_port, timeout_s, max_rows), encoding="utf-8")
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.query_url, self.update_url = f"{self.url}/sparql", f"{self.url}/sparql-auth"
        self.user, self.password = USER, PASSWORD
        self._log = (self.folder / "stderr.txt").open("wb")
        self.proc = subprocess.Popen([server, "+foreground", "+configfile", str(ini)], cwd=self.folder,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_up()
            self._sql(_SETUP_SQL)
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.proc.returncode}: {self._tail()}")
            try:
                if httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Virtuoso did not answer on {self.query_url} within {START_TIMEOUT_S} s: {self._tail()}")

    def _tail(self) -> str:
        log_file = self.folder / "virtuoso.log"
        text = log_file.read_text(errors="replace") if log_file.exists() else ""
        return text[-1500:] or "(no log)"

    def _sql(self, script: str) -> None:
        path = self.folder / "setup.sql"
        path.write_text(script, encoding="utf-8")
        done = subprocess.run([self._isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", str(path)],
                              capture_output=True, text=True, timeout=60, check=False)
        # isql reports a failed statement on stdout and goes on with the next, so look for it.
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql setup of Virtuoso failed: {(done.stdout + done.stderr)[-1500:]}")

    def clear(self) -> None:
        """Drop every graph a test wrote (the private system graphs are out of the anonymous reader's sight)."""
        reply = httpx.post(self.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        reply.raise_for_status()
        graphs = [b["g"]["value"] for b in reply.json()["results"]["bindings"]]
        graphs = [g for g in graphs if g not in SYSTEM_GRAPHS]
        if graphs:
            update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
            done = httpx.post(self.update_url, data={"update": update}, timeout=60,
                              auth=httpx.DigestAuth(self.user, self.password))
            done.raise_for_status()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
