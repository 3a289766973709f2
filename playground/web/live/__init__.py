"""The live path, from a session's trainer to the charts that move in its browser.

trainer_slot.py   a session's trainer, in a training worker, closed when the session goes away
streams.py        the tokens: which page may watch which trainer, and a closed tab's grace period
frames.py         a trainer's state as lean binary frames, each with only what changed
route.py          the WebSocket route that sends a page its frames at the rate it draws them
hub.js            the browser's end: one socket per page, frames patched into the views
plane_views.js    the plane views and links computed in the browser from a frame's weights
hub_script.py     the two scripts as one, with the features' and activations' maths written in
status.py         the status row and the component that loads the hub
chart.py          a live chart: its first figure, then patched by the hub
views.py          the page's live views (curves, boundary, bars, histograms, samples)
board_route.py    the class board's tiles, which the lecturer's browser asks for twice a second
"""
