"""The live stream: a WebSocket that pushes a page's training frames as fast as it draws them.

    /api/live/<token>   (under `server.baseUrlPath` when one is set)

The page's live status component connects with the token it was given for its trainer
(`playground.web.live.streams`); an unknown token is refused before the connection is accepted
(HTTP 403). Then the browser asks for each frame by sending `{"points": n}` (the first time: the
history rows it already shows) or `next` once it has drawn the last one (and says `details on
screen` or `details off screen` when the page's detail views come into view or leave it:
`LiveStreams.say_details_on_screen`), and the server answers
with the newest frame (a binary message) as soon as something changed (`playground.web.live.frames`), the
trainer or the page's notices (`LiveStreams.notify`). So frames follow
the display's rate, and a slow browser is never sent a backlog. A connection waiting for a change
sleeps until the trainer's `ChangeSignal` wakes it: a page whose trainer rests costs nothing.

A token takes a few connections at once (`LiveStreams.per_token`); more are refused like an unknown
token. The page sends nothing but those short texts, so anything else (a binary message, a text
longer than `MAX_MESSAGE_CHARS`, a first message that is not `{"points": n}`, a later one other
than these) closes the connection, with one line in the log. The server refuses bigger messages
in the WebSocket protocol itself, before they are read in full (`server.maxMessageSize` in
`.streamlit/config.toml`, which Streamlit gives uvicorn for every WebSocket).

When the socket closes, `LIVE_STREAMS.disconnected` starts the closed-tab grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from playground.web.live.frames import FrameWriter
from playground.web.live.streams import LIVE_STREAMS

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 200  # what the browser sends is only {"points": n}, "next" or a `DETAILS` text
DETAILS = {"details on screen": True, "details off screen": False}  # where the page's detail views are
MAX_POINTS = 10**9
POLICY_VIOLATION, UNSUPPORTED_DATA, MESSAGE_TOO_BIG = 1008, 1003, 1009  # WebSocket close codes


class UnwantedMessage(Exception):
    """The browser sent what the page never sends: the connection is closed with `code`."""

    def __init__(self, code: int, what: str):
        super().__init__(what)
        self.code = code


async def live_stream(websocket: WebSocket) -> None:
    token = websocket.path_params["token"]
    trainer = LIVE_STREAMS.trainer_for(token)
    if trainer is None or not LIVE_STREAMS.connected(token):
        await websocket.close(code=POLICY_VIOLATION)  # before accept: the handshake is refused
        return
    try:
        await websocket.accept()
        await _stream(websocket, trainer)
    except UnwantedMessage as unwanted:
        log.info("A live stream sent %s and was closed", unwanted)
        with contextlib.suppress(RuntimeError, OSError):  # unless the browser closed it first
            await websocket.close(code=unwanted.code)
    except WebSocketDisconnect:
        pass
    finally:
        LIVE_STREAMS.disconnected(token)


async def _stream(websocket: WebSocket, trainer) -> None:
    """Sends the trainer's frames, each once the browser has drawn the last, until either side ends."""
    writer = FrameWriter(trainer, points=_points(await _read(websocket)), notices=lambda: LIVE_STREAMS.notices(trainer))
    trainer.want_frame()
    drawn = asyncio.Event()
    listening = asyncio.create_task(_listen(websocket, drawn, trainer))
    try:
        while not listening.done() and not trainer.closed:
            seen = trainer.changes.count
            frame = writer.next_frame()
            if frame is None:
                await _change(trainer, seen, listening)
                continue
            drawn.clear()
            await websocket.send_bytes(frame)
            # The next frame only once the browser has drawn this one (or the connection ends).
            waiting = asyncio.create_task(drawn.wait())
            await asyncio.wait([listening, waiting], return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
    finally:
        listening.cancel()
    if listening.done() and not listening.cancelled():
        listening.result()  # an unwanted message ends the stream here


async def _change(trainer, seen: int, listening: asyncio.Task) -> None:
    """Waits until the trainer changes after its change number `seen`, or the browser goes."""
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def wake() -> None:  # called on the trainer's thread
        with contextlib.suppress(RuntimeError):  # the server's loop has already closed
            loop.call_soon_threadsafe(changed.set)

    if not trainer.changes.wake_on_change(seen, wake):
        return
    waiting = asyncio.create_task(changed.wait())
    try:
        await asyncio.wait([listening, waiting], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
        trainer.changes.forget(wake)


async def _listen(websocket: WebSocket, drawn: asyncio.Event, trainer) -> None:
    """Notes each "next" from the browser (and tells the trainer a frame is wanted) and where the
    page's detail views are; returns when the connection closes (also when the server shuts down)."""
    try:
        while True:
            message = await _read(websocket)
            if message in DETAILS:
                LIVE_STREAMS.say_details_on_screen(trainer, DETAILS[message])
                continue
            if message != "next":
                raise UnwantedMessage(POLICY_VIOLATION, 'a message other than "next" or where the details are')
            trainer.want_frame()
            drawn.set()
    except WebSocketDisconnect:
        return


async def _read(websocket: WebSocket) -> str:
    """The browser's next message: a short text, else `UnwantedMessage`."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    if text is None:
        raise UnwantedMessage(UNSUPPORTED_DATA, "a binary message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise UnwantedMessage(MESSAGE_TOO_BIG, f"a message of {len(text):,} characters")
    return text


def _points(message: str) -> int:
    """The rows the page already shows, from its first message: `{"points": n}` (`{}` for none)."""
    try:
        fields = json.loads(message)
    except ValueError:
        fields = None
    points = fields.get("points", 0) if isinstance(fields, dict) else None
    if not isinstance(points, int) or isinstance(points, bool) or not 0 <= points < MAX_POINTS:
        raise UnwantedMessage(POLICY_VIOLATION, 'a first message other than {"points": n}')
    return points


def under_base(base_url_path: str, path: str) -> str:
    """`path` under the server's base URL path (`server.baseUrlPath`, if any)."""
    base = base_url_path.strip("/")
    return f"/{base}{path}" if base else path


def live_routes(base_url_path: str = "") -> list:
    """The stream's route, under the server's base URL path (if any)."""
    return [WebSocketRoute(under_base(base_url_path, "/api/live/{token}"), live_stream)]
