"""The web app: Streamlit pages, their widgets and the live stream, served by `playground app`.

The one package of `playground` that imports streamlit; the rest of `playground` never imports it.

    app.py          the server (Streamlit's `st.App`) with the live stream's route
    navigation.py   the script every session runs: settings, then the page asked for
    app_pages/      thin pages (Playground, Presets, Class, Runs, Sweeps, Learn, History)
    widgets/        the Streamlit pieces the pages share
    live/           the live path: tokens, trainer slots, frames, the route and the browser's hub
    replicas.py     several app processes behind HAProxy (`make serve`)
"""
