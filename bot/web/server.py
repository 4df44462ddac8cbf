"""The console served by uvicorn inside hoidap's own event loop, as one of its channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from index.errors import HoidapError

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: the runner stops every channel in turn."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebConsole:
    """`hoidap web`, or the console next to the bots in `hoidap run` (a runner Channel)."""

    channel = "web"

    def __init__(self, app: Starlette, listen: str, port: int) -> None:
        self.app = app
        self.listen = listen
        self.port = port
        self.finished = asyncio.Event()  # set if the server ends by itself
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            host=self.listen,
            port=self.port,
            log_level="warning",
            access_log=False,  # (a question typed in the log's filter would be logged)
            lifespan="off",
            server_header=False,
        )
        self._server = server = _Server(config)
        self._task = asyncio.create_task(server.serve())
        self._task.add_done_callback(lambda _: self.finished.set())
        while not server.started:
            if self._task.done():
                raise HoidapError(
                    f"the web console cannot listen on {self.listen}:{self.port} (is the port "
                    "in use?): set HOIDAP_WEB_LISTEN and HOIDAP_WEB_PORT"
                )
            await asyncio.sleep(0.01)
        sockets = server.servers[0].sockets if server.servers else []
        if sockets:
            self.port = sockets[0].getsockname()[1]  # (port 0: the one the system gave)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def status(self) -> str:
        return f"web console on {self.url}"

    @property
    def url(self) -> str:
        host = f"[{self.listen}]" if ":" in self.listen else self.listen
        return f"http://{host}:{self.port}/"
