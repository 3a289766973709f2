"""Reading an AppTest page's element tree: the parts AppTest has no accessor for (custom components)."""

from __future__ import annotations

import json


def elements(app):
    """Every element of `app`'s page, depth first."""

    def walk(node):
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else []:
            yield child
            yield from walk(child)

    return walk(app._tree)


def components(app, name: str):
    """The page's components v2 of `name`: (key, data) pairs."""
    for element in elements(app):
        if getattr(element, "type", "") == "bidi_component" and element.proto.component_name == name:
            yield element.proto.id.rsplit("-", 1)[-1], json.loads(element.proto.json)


def press(app, key: str, times: int = 1, follow_page: bool = True):
    """Presses the press counter (`playground/web/widgets/press_counter.py`) of `key` `times` times, all in one run
    (as a burst of clicks folded into one request), and runs the page: the browser's side of it (with
    `follow_page`, what a `page_follows` marker drawn by that run asks for too)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    (element,) = [
        e
        for e in elements(app)
        if getattr(e, "type", "") == "bidi_component"
        and e.proto.component_name == "playground_press_counter"
        and e.proto.id.endswith("-" + key)
    ]
    states = WidgetStates()
    states.widgets.extend(state for state in app._tree.get_widget_states().widgets if state.id != element.proto.id)
    counter = states.widgets.add()
    counter.id = element.proto.id
    counter.json_value = json.dumps({"presses": json.loads(element.proto.json)["applied"] + times})
    app._run(states)
    return follow(app) if follow_page else app


def follow(app):
    """The browser's side of a `page_follows` marker (`playground/web/widgets/page_follows.py`): when a
    run of a fragment alone drew one, its ask runs the whole page. Returns `app`."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    markers = [
        e
        for e in elements(app)
        if getattr(e, "type", "") == "bidi_component" and e.proto.component_name == "playground_page_follows"
    ]
    if not markers:
        return app
    (marker,) = markers
    states = WidgetStates()
    states.widgets.extend(app._tree.get_widget_states().widgets)
    ask = states.widgets.add()
    ask.id = _make_trigger_id(marker.proto.id, "events")
    ask.json_trigger_value = json.dumps([{"event": "asked", "value": json.loads(marker.proto.json)["ask"]}])
    return app._run(states)


def notice(app, notices: dict):
    """The browser's side of a frame's `notices` (a class push): the page's status component
    passes them on, and the run its callback asks for follows. Returns `app`."""
    return status_event(app, "notice", json.dumps(notices))


def status_event(app, event: str, value: object):
    """The page's status component (`playground/web/live/status.py`) sets its trigger `event` to
    `value`, as the browser does, and the run that asks for follows. Returns `app`."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    (status,) = [
        e
        for e in elements(app)
        if getattr(e, "type", "") == "bidi_component" and e.proto.component_name.endswith("playground_live_status")
    ]
    states = WidgetStates()
    states.widgets.extend(app._tree.get_widget_states().widgets)
    told = states.widgets.add()
    told.id = _make_trigger_id(status.proto.id, "events")
    told.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return app._run(states)


def details_shown(app):
    """The browser's side of the detail views coming into view while training: the hook that their
    fragment drew (`playground/web/live/details_shown.py`) sets its trigger. Returns `app`."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    (hook,) = [
        e
        for e in elements(app)
        if getattr(e, "type", "") == "bidi_component" and e.proto.component_name.endswith("playground_details_shown")
    ]
    assert json.loads(hook.proto.json)["training"]  # else the browser's hook asks for nothing
    states = WidgetStates()
    states.widgets.extend(app._tree.get_widget_states().widgets)
    shown = states.widgets.add()
    shown.id = _make_trigger_id(hook.proto.id, "events")
    shown.json_trigger_value = json.dumps([{"event": "shown", "value": True}])
    return app._run(states)


def click(app, key: str, fragment: str | None = None):
    """Clicks the button `key` and runs what the browser's click asks for: with `fragment`, the
    keyed fragment the button is drawn in, alone (AppTest itself runs the whole page for a click).
    Returns `app`."""
    app.button(key=key).click()
    return app.run() if fragment is None else run_fragment(app, fragment)


def run_fragment(app, fragment: str):
    """Runs the keyed `fragment` alone, as its timer or a click in it has the browser ask.
    Returns `app`."""
    import functools
    from unittest import mock

    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
    from streamlit.testing.v1 import local_script_runner

    fragment_ids = app._fragment_storage.resolve_target(fragment)
    with mock.patch.object(
        local_script_runner, "RerunData", functools.partial(RerunData, fragment_id_queue=fragment_ids)
    ):
        return app.run()
