"""keras-tuner's distributed mode: a chief and two workers on localhost finish the same
search with the same results as one process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _advise(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    code = "from advisor.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_chief_and_two_workers_match_a_single_process(tmp_path, penguins_path):
    base = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for key in ("KERASTUNER_TUNER_ID", "KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT"):
        base.pop(key, None)
    args = [str(penguins_path), "--target", "species", "-q"]
    local = _advise([*args, "--json", str(tmp_path / "local.json"), "--work-dir",
                     str(tmp_path / "local")], base)  # fmt: skip
    assert local.wait(timeout=600) == 0, local.stdout.read() if local.stdout else ""

    port = str(_free_port())
    cluster = {**base, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": port}
    chief = _advise(
        [*args, "--json", str(tmp_path / "chief.json"), "--work-dir", str(tmp_path / "chief")],
        {**cluster, "KERASTUNER_TUNER_ID": "chief"},
    )
    workers = [
        _advise(
            [*args, "--work-dir", str(tmp_path / f"w{i}")],
            {**cluster, "KERASTUNER_TUNER_ID": f"tuner{i}"},
        )
        for i in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=600) == 0, worker.stdout.read() if worker.stdout else ""
    assert chief.wait(timeout=600) == 0, chief.stdout.read() if chief.stdout else ""
    # Compared as a flag: pytest's diff of two advice files takes minutes.
    same = (tmp_path / "chief.json").read_bytes() == (tmp_path / "local.json").read_bytes()
    assert same, "the chief's advice differs from the single process's"
