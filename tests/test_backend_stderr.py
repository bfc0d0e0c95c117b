"""TensorFlow's start-up notes are dropped from stderr while it loads; anything else that
native code writes then reaches the user, and nothing is dropped when the user asked
TensorFlow for all its logs."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os
from advisor import backend
with backend._filtered_native_stderr():
    os.write(2, b"I0000 cpu_feature_guard.cc:210] To enable the following instructions\\n")
    os.write(2, b"a real problem\\n")
"""


def _stderr(level: str) -> str:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": level}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    return run.stderr


def test_start_up_notes_are_dropped_and_other_lines_passed_on():
    assert _stderr("3") == "a real problem\n"


def test_nothing_is_filtered_when_all_logs_are_asked_for():
    err = _stderr("0")
    assert "cpu_feature_guard" in err and "a real problem" in err
