"""The presets gallery: one card per lecture topic; one click loads it into the playground."""

import streamlit as st

from playground.datasets import DATASETS
from playground.presets import PRESETS
from playground.web.widgets import session

session.init()
st.title("Presets")
st.write("Ready-made experiments for each topic of the lecture. Load one, then press Train.")

names = list(PRESETS)
for start in range(0, len(names), 3):
    for column, name in zip(st.columns(3), names[start : start + 3]):
        preset = PRESETS[name]
        spec = preset.spec
        with column.container(border=True, height=250):
            st.markdown(f"**{spec.title or name}**")
            st.caption(
                f"{DATASETS[spec.dataset.name].label} · {len(spec.network.layers)} hidden layer(s) · "
                f"{spec.training.optimizer}, learning rate {spec.training.learning_rate:g}"
            )
            st.write(preset.description)
            if st.button("Open in the playground", key=f"open_{name}", type="primary"):
                session.load(spec, rerun=False)
                st.switch_page("app_pages/playground.py")
