"""The live stream: a WebSocket that pushes a page's training frames as fast as it draws them.

    /api/live/<token>   (under `server.baseUrlPath` when one is set)

The page's live status component connects with the token it was given for its trainer
(`playground.engine.live_streams`); an unknown token is refused before the connection is accepted
(HTTP 403). Then the browser asks for each frame by sending `{"points": n}` (the first time: the
history rows it already shows) or `next` once it has drawn the last one, and the server answers
with the newest frame as soon as something changed (`playground.engine.frames`). So frames follow
the display's rate, and a slow browser is never sent a backlog.

When the socket closes, `LIVE_STREAMS.disconnected` starts the closed-tab grace period.
"""

from __future__ import annotations

import asyncio
import json

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from playground.engine.frames import FrameWriter
from playground.engine.live_streams import LIVE_STREAMS

POLL_SECONDS = 1 / 120  # how often a waiting connection looks for a new frame (cheap: a few comparisons)
MAX_MESSAGE_CHARS = 200  # what the browser sends is only "next" or {"points": n}


async def live_stream(websocket: WebSocket) -> None:
    token = websocket.path_params["token"]
    trainer = LIVE_STREAMS.trainer_for(token)
    if trainer is None:
        await websocket.close(code=1008)  # before accept: the handshake is refused
        return
    await websocket.accept()
    LIVE_STREAMS.connected(token)
    drawn = asyncio.Event()
    try:
        writer = FrameWriter(trainer, points=_points(await websocket.receive_text()))
        trainer.want_frame()
        listening = asyncio.create_task(_listen(websocket, drawn, trainer))
        try:
            while not listening.done() and not trainer.closed:
                frame = writer.next_frame()
                if frame is None:
                    await asyncio.sleep(POLL_SECONDS)
                    continue
                drawn.clear()
                await websocket.send_text(frame)
                # The next frame only once the browser has drawn this one (or the connection ends).
                waiting = asyncio.create_task(drawn.wait())
                await asyncio.wait([listening, waiting], return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
        finally:
            listening.cancel()
    except WebSocketDisconnect:
        pass
    finally:
        LIVE_STREAMS.disconnected(token)


async def _listen(websocket: WebSocket, drawn: asyncio.Event, trainer) -> None:
    """Notes each "next" from the browser (and tells the trainer a frame is wanted); returns when
    the connection closes (also when the server shuts down)."""
    try:
        while True:
            await websocket.receive_text()
            trainer.want_frame()
            drawn.set()
    except WebSocketDisconnect:
        return


def _points(message: str) -> int:
    """The rows the page already shows, from its first message; anything unreadable counts as 0."""
    try:
        points = json.loads(message[:MAX_MESSAGE_CHARS]).get("points", 0)
    except (ValueError, AttributeError):
        return 0
    return points if isinstance(points, int) and 0 <= points < 10**9 else 0


def live_routes(base_url_path: str = "") -> list:
    """The stream's route, under the server's base URL path (if any)."""
    base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return [WebSocketRoute(base + "/api/live/{token}", live_stream)]
