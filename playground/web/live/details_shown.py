"""The page's detail views are redrawn as soon as they come into view while training.

Off screen, a timed run of the detail views' fragment draws the figures they last showed: nothing
is built that nobody sees (`LiveStreams.details_on_screen`). A student who scrolls down to the
histograms should not then look at an old epoch until the next timed run, up to 5 s later. The
page's live hub watches the details' block (`hub.js`, `watchDetails`); when the block comes into
view after being off screen, the hub calls the hook that this component leaves on it, which sets
the component's trigger. The trigger reruns the fragment the component is in, and its callback
first marks the views as on screen (the stream's own message may come later), so that run draws
the newest snapshot.

Only a block that was off screen and comes into view asks: a page whose details are on screen
from the start asks for nothing, and at rest the views draw the newest snapshot anyway.
"""

from __future__ import annotations

from playground.engine.live_trainer import LiveTrainer
from playground.web.live.streams import LIVE_STREAMS
from playground.web.static_files import served_component

_JS = """
export default function ({ data, setTriggerValue }) {
  const hub = (window.__playgroundLive ??= { streams: new Map() });
  hub.onDetailsShown = data.training ? () => setTriggerValue("shown", true) : null;
}
"""
_component = served_component("playground_details_shown", js=_JS)


def redraw_when_shown(trainer: LiveTrainer, training: bool) -> None:
    """Mounts the hook (nothing visible) in the detail views' fragment: while `training`, the views
    are redrawn at once when they come into view."""

    def shown() -> None:  # before the fragment's run that the trigger asks for
        LIVE_STREAMS.say_details_on_screen(trainer, True)

    _component(
        key="details_shown", data={"training": training}, width="content", height="content", on_shown_change=shown
    )
