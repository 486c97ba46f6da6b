"""``dataledger asset register`` of a 1 GiB file, typed as a person types it in a terminal: the content
hash is streamed (the CLI's memory stays far below the file's size), a progress bar counts the bytes on
stderr, and the registration commits to exactly the SHA-256 anyone computes over the same bytes.

The file is sparse (``truncate``): it costs no disk, yet every one of its 2**30 bytes is read and hashed.

Peak memory is the command's own maximum resident set size, from ``wait4`` in a small wrapper process:
on Linux a child's ``ru_maxrss`` starts from its parent's size at fork, so measured directly from this
test process (hundreds of MB of imports) it would report pytest's size, not the command's.

The holder's keystore is encrypted with PBKDF2 here, not with ``keys new``'s scrypt: opening a standard
scrypt keystore (N=2**18, r=8, as geth writes them) takes 256 MiB for a moment by design, before any
byte is read, and that peak (about 300 MB for the whole command, whatever the file's size) would hide
what the hashing costs. With PBKDF2 the peak measured is the command's and the hashing's own.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account

from tests.cli.conftest import DATALEDGER, PASSWORD, clean_environment, enterprise

pytestmark = pytest.mark.slow  # a live server, and 1 GiB hashed twice (by the command and by the test)

SIZE = 1 << 30
MAX_RSS_BYTES = 300 * 1000 * 1000
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Runs its arguments as a child and writes the child's exit code and peak RSS (kB on Linux) to argv[1].
MEASURE = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(f"{code} {usage.ru_maxrss}")
sys.exit(code)
"""


def sha256_in_chunks(path: Path, chunk: int = 8 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(chunk):
            digest.update(block)
    return "0x" + digest.hexdigest()


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB and sparse files are free on Linux")
def test_a_1_gib_file_is_hashed_in_constant_memory_with_a_progress_bar(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keystore = tmp_path / "holder-pbkdf2.json"
    keystore.write_text(json.dumps(Account.encrypt(Account.create().key, PASSWORD, kdf="pbkdf2")))
    holder = enterprise(server, tmp_path, "Big Data Holder", keystore)
    big = tmp_path / "warehouse-scans.bin"
    with open(big, "wb") as out:
        out.write(b"dataledger: the first bytes differ from zeros")
        out.truncate(SIZE)  # a hole up to 1 GiB: no disk used
    assert big.stat().st_size == SIZE and big.stat().st_blocks * 512 < 1 << 20
    measured = tmp_path / "rusage.txt"
    terminal = {  # what rich reads to draw a live bar, as in a terminal 120 columns wide
        "TTY_COMPATIBLE": "1",
        "TTY_INTERACTIVE": "1",
        "TERM": "xterm-256color",
        "COLUMNS": "120",
    }

    typed = ["asset", "register", str(big), "--name", "Warehouse scans 2025", "--json"]

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", MEASURE, str(measured), str(DATALEDGER), *typed],
        env={**clean_environment(), **holder.env, **terminal},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )
    elapsed = time.monotonic() - started
    code, max_rss_kb = map(int, measured.read_text().split())
    expected = sha256_in_chunks(big)

    assert result.returncode == code == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)  # stdout is the answer alone, the bar went to stderr
    assert answer["contentHash"] == expected
    assert answer["facts"]["contentHash"] == expected and answer["state"] == "registered"
    # the bar, live: frame after frame rewritten in place, counting up to the whole gigabyte
    frames = [ANSI.sub("", frame) for frame in re.split(r"\r|\x1b\[2K", result.stderr)]
    counts = {
        m.group(1) for f in frames if (m := re.search(r"hashing warehouse-scans\.bin.*?(\S+)/1\.1 GB", f))
    }
    assert "1.1" in counts and len(counts) >= 2, counts
    assert "━" in result.stderr and "\x1b[" in result.stderr
    final = next(f for f in reversed(frames) if "1.1/1.1 GB" in f)
    speed = re.search(r"([0-9.]+) ([kMG])B/s", final)
    assert speed, final
    # constant memory: the file is 1,073,741,824 bytes; the command never holds more than a few blocks
    max_rss = max_rss_kb * 1024
    assert max_rss < MAX_RSS_BYTES, f"peak RSS {max_rss / 1e6:.0f} MB"
    with capsys.disabled():
        print(
            f"\n1 GiB registered in {elapsed:.1f} s; the CLI's peak RSS {max_rss / 1e6:.0f} MB; "
            f"hashing speed (rich) {speed.group(1)} {speed.group(2)}B/s"
        )
