"""The app's own static files (`server.enableStaticServing`): plotly.js and the live components'
scripts, which the browser fetches once per page instead of with every page run.

A components-v2 component's inline script travels inside every element of it that a page run
sends: the live charts' script (the hub, the plane views and the chart code, about 35 kB) went
out with every chart of every run, over 200 kB for one run of the playground page, and with every
timed redraw of the detail views. `served_component` writes the script once into `static/`, under
a name holding its content's hash (a new version is a new file, never a stale cache), and gives
the component a one-line loader that imports it. Where the file cannot be written (a read-only
install) or static files are not served, the component carries its script inline, as before.

Example:

    show = served_component("playground_live_chart", js=SCRIPT)
    show(key="loss", data={"figure": ...})   # the script arrives as data["module"]'s address
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

STATIC_DIR = Path(__file__).resolve().parent / "static"

# The component's own script when its module is served (the module's address comes in its data):
# once the module is loaded, each call runs it at once, as an inline script would; calls made while
# it loads wait, and run in order.
LOADER = """const MODULES = (window.__playgroundModules ??= new Map());
export default function (component) {
  const address = new URL(component.data.module, window.location.href).href;
  let entry = MODULES.get(address);
  if (!entry) {
    entry = { module: null, waiting: [] };
    MODULES.set(address, entry);
    import(address).then((module) => {
      entry.module = module;
      for (const waiting of entry.waiting.splice(0)) module.default(waiting);
    });
  }
  if (entry.module) return entry.module.default(component);
  entry.waiting.push(component);
}
"""


def static_url(name: str) -> str:
    """The address the browser fetches the static file `name` at (under `server.baseUrlPath`)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app", "static", name) if part)


def write_static(name: str, write: Callable[[str], object]) -> bool:
    """Makes the static file `name` (once: an atomic write by `write(temporary path)`, safe with
    many sessions and processes); False when it cannot be written."""
    target = STATIC_DIR / name
    if target.is_file():
        return True
    temporary = None
    try:
        STATIC_DIR.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=STATIC_DIR, suffix=".part")
        os.close(handle)
        write(temporary)
        os.replace(temporary, target)
        return True
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False


def served_component(name: str, js: str, css: str | None = None) -> Callable[..., Any]:
    """A components-v2 component (`isolate_styles=False`) whose script `js` (an ES module with a
    default export) the browser loads from the static files; mounted as the component is, with
    `data` a dict. Whether the script can be served is settled at the first mount, in a page run
    (the server's options known)."""
    file = f"{name}-{hashlib.sha256(js.encode()).hexdigest()[:16]}.js"
    chosen: list = []  # the registered component, and the served file's name or None
    lock = threading.Lock()

    def mount(*, data: dict, **kwargs: Any) -> Any:
        with lock:
            if not chosen:
                served = bool(st.get_option("server.enableStaticServing")) and write_static(
                    file, lambda path: Path(path).write_text(js)
                )
                script = LOADER if served else js
                chosen.extend([st.components.v2.component(name, js=script, css=css, isolate_styles=False), served])
        component, served = chosen
        return component(data={**data, "module": static_url(file)} if served else data, **kwargs)

    return mount
