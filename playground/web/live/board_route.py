"""The class board's tiles, fetched by the lecturer's browser twice a second.

    GET /api/class/tiles   (under `server.baseUrlPath` when one is set)

The Class page's tiles component (`playground.web.widgets.class_board`) asks this address every
`TILES_SECONDS` and swaps in what comes, so the board follows the class at that rate with no run
of the page. A fragment's run every half second did not: on a server busy with a class's training
it waited for a turn among the students' page runs, and its output for the event loop, and each
tile changed on the projector once in several seconds (`bench/classroom.py --board`).

Only the browser that opened the class is answered: the lecturer's token comes from its cookie
(never a link), is shape-checked, then looked up in the class store; anything else gets 403 and
nothing more. The store is read on a worker thread, never on the event loop. The answer is JSON:
`{"students": n, "html": ...}`, the tiles' HTML with every student's text escaped
(`figures.class_tiles.tiles_html`).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from playground.classes.class_store import ClassRefused
from playground.figures.class_tiles import tiles_html
from playground.runs.run_store import StoreError
from playground.web.live.route import under_base
from playground.web.widgets.class_mode import LECTURER_COOKIE, class_store
from playground.web.widgets.session import is_owner_id

TILES_PATH = "/api/class/tiles"
NOT_CACHED = {"Cache-Control": "no-store"}


def _tiles(token: str) -> dict | None:
    """The answer for the lecturer of `token` (the store read, the tiles drawn), else None."""
    try:
        members = class_store().board(token)
    except ClassRefused:
        return None
    return {"students": len(members), "html": tiles_html(members)}


async def board_tiles(request: Request) -> Response:
    token = request.cookies.get(LECTURER_COOKIE, "")
    if not is_owner_id(token):
        return Response(status_code=403, headers=NOT_CACHED)
    try:
        answer = await run_in_threadpool(_tiles, token)
    except StoreError:
        return Response(status_code=503, headers=NOT_CACHED)
    if answer is None:
        return Response(status_code=403, headers=NOT_CACHED)
    return JSONResponse(answer, headers=NOT_CACHED)


def board_routes(base_url_path: str = "") -> list:
    """The tiles' route, under the server's base URL path (if any)."""
    return [Route(under_base(base_url_path, TILES_PATH), board_tiles, methods=["GET"])]
