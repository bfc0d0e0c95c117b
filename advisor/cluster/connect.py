"""Connecting to a Dask cluster (the ``[dask]`` extra) for `--dask ADDRESS` / ``dask=``.

``ADDRESS`` is a scheduler (``tcp://host:8786``), ``local`` / ``local:N`` (a
`LocalCluster` of N single-threaded worker processes on this machine) or, from Python, a
`distributed.Client`. An unreachable scheduler is a one-line `InputError` within
`CONNECT_TIMEOUT` seconds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from advisor.errors import InputError

#: Seconds to wait for a remote scheduler before giving up.
CONNECT_TIMEOUT = 10.0
EXTRA = "install the [dask] extra: pip install 'normalization-advisor[dask]'"


def _restore(saved: dict[str, str]) -> None:
    """Put this process's environment back as ``saved`` (a copy of ``os.environ``)."""
    for name in [name for name in os.environ if name not in saved]:
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def connect(address: Any, timeout: float = CONNECT_TIMEOUT) -> tuple[Any, Callable[[], None]]:
    """A `distributed.Client` for ``address`` (a Client is used as it is) and a function
    that closes what this call started."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(f"--dask needs Dask's distributed scheduler: {EXTRA}") from None
    if isinstance(address, Client):
        return address, lambda: None
    text = str(address)
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if count and not (count.isdigit() and int(count) > 0):
            raise InputError(f"--dask {text}: expected local or local:N with N a positive number")
        # Dask's nanny sets its workers' variables (OMP_NUM_THREADS=1, PYTHONHASHSEED, ...)
        # in this process's environment before spawning them: put ours back, or TensorFlow
        # would later train on one thread here (slower, and other rounding).
        saved = dict(os.environ)
        try:
            cluster = LocalCluster(
                n_workers=int(count) if count else (os.cpu_count() or 1),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # no fixed port: several clusters may run
                silence_logs=logging.ERROR,
            )
            try:
                client = Client(cluster)
            except BaseException:
                cluster.close()
                raise
        finally:
            _restore(saved)

        def close() -> None:
            before = dict(os.environ)  # a worker restarted since then set them again
            try:
                client.close()
                cluster.close()
            finally:
                _restore(before)

        return client, close
    try:
        client = Client(text, timeout=f"{timeout:g}s")
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"--dask {text}: cannot reach the Dask scheduler within {timeout:g} s ({reason})"
        ) from None
    return client, client.close
