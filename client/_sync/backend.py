"""What the synchronous client needs where the asynchronous one awaits its event loop."""

from __future__ import annotations

import time


def sleep(seconds: float) -> None:
    time.sleep(seconds)
