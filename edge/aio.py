"""asyncio helpers: bounded cancellation, owned tasks, and one worker thread per engine.

Blocking inference (whisper, llama.cpp, piper, onnxruntime) runs on an :class:`EngineThread`; the
event loop only moves bytes. Generators that block between items (LLM token streams) are bridged
with :meth:`EngineThread.stream`, which stops the generator at the next item when the consumer is
cancelled, so a barge-in never waits for the model to finish.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator
from typing import Any, Final, TypeVar

_LOGGER = logging.getLogger(__name__)

T = TypeVar("T")

CANCEL_TIMEOUT_S: Final = 2.0
"""Longest wait for a cancelled task; longer means a library swallowed CancelledError."""

_DONE: Final = object()


async def cancel_and_wait(*tasks: asyncio.Task[Any], limit_s: float = CANCEL_TIMEOUT_S) -> None:
    """Cancel ``tasks`` and wait for them at most ``limit_s`` seconds; never raise their errors."""
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    if not pending:
        return
    _, still = await asyncio.wait(pending, timeout=limit_s)
    for task in still:
        _LOGGER.warning("Task %s ignored cancellation for %.1f s", task.get_name(), limit_s)


class TaskSet:
    """Named tasks owned by one component: kept, logged when they fail, awaited on close."""

    def __init__(self, owner: str) -> None:
        self._owner = owner
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        """Start ``coro`` as a task named ``<owner>:<name>`` that this set owns."""
        task = asyncio.get_running_loop().create_task(coro, name=f"{self._owner}:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            _LOGGER.error("Task %s failed", task.get_name(), exc_info=err)

    def __len__(self) -> int:
        return len(self._tasks)

    async def wait(self, limit_s: float | None = None) -> bool:
        """Wait until every owned task has finished on its own; False if ``limit_s`` ran out."""
        deadline = None if limit_s is None else asyncio.get_running_loop().time() + limit_s
        while self._tasks:
            left = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if left is not None and left <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=left)
        return True

    async def close(self, limit_s: float = CANCEL_TIMEOUT_S) -> None:
        """Cancel every owned task and wait for them (bounded)."""
        await cancel_and_wait(*self._tasks, limit_s=limit_s)


class EngineThread:
    """A single worker thread that runs one engine's blocking calls in order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the engine thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn, *args)

    async def stream(self, make: Callable[[], Iterator[T]]) -> AsyncGenerator[T, None]:
        """Iterate a blocking generator made by ``make()`` on the engine thread.

        Items are handed to the event loop as they come. When the consumer stops early or is
        cancelled, the generator is closed on its own thread before its next item.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                gen = make()
                try:
                    for item in gen:
                        if stop.is_set():
                            break
                        loop.call_soon_threadsafe(queue.put_nowait, item)
                finally:
                    close = getattr(gen, "close", None)
                    if close is not None:
                        close()
            except BaseException as err:  # handed to the consumer, which re-raises it
                loop.call_soon_threadsafe(queue.put_nowait, _Failure(err))
            finally:
                with contextlib.suppress(RuntimeError):  # the loop may be closed at shutdown
                    loop.call_soon_threadsafe(queue.put_nowait, _DONE)

        future = loop.run_in_executor(self._pool, pump)
        try:
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        finally:
            stop.set()
            # Do not wait for the worker: a barge-in must not block on a model mid-evaluation.
            # The single worker thread guarantees the next call starts after this one ends.
            future.add_done_callback(_ignore_result)

    def shutdown(self) -> None:
        """Stop accepting work; running work finishes in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def close(self, limit_s: float = CANCEL_TIMEOUT_S) -> bool:
        """Stop accepting work, drop queued work, and wait (bounded) for the thread to end.

        Returns False (and logs) if the running call did not finish within ``limit_s``.
        """
        joined = asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
        try:
            await asyncio.wait_for(joined, limit_s)
        except TimeoutError:
            _LOGGER.warning("Engine thread %s still busy %.1f s after close", self.name, limit_s)
            return False
        return True


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _ignore_result(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
