"""What the asynchronous client needs of its event loop (the synchronous twin blocks instead)."""

from __future__ import annotations

import asyncio


async def sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
