"""History gallery: each milestone as a small experiment to run."""

import numpy as np
import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.history_charts import (
    accuracy_comparison,
    energy_curve,
    error_curves,
    hidden_codes,
    loss_curve,
    mistakes_per_epoch,
    perceptron_lines,
)
from playground.figures.image_grid import image_grid
from playground.figures.softmax_bars import softmax_bars
from playground.history import backpropagation_1986, boltzmann, cognitron, deep_belief_net, lenet5, perceptron
from playground.history.entries import HISTORY

state = st.session_state
results = state.setdefault("history_results", {})


def show_perceptron(run_now: bool):
    gate = st.radio("Logic gate", list(perceptron.GATES), horizontal=True, key="history_gate")
    previous = results.get("perceptron")
    if run_now or (previous and previous["gate"] != gate):
        results["perceptron"] = {"gate": gate, "run": perceptron.train_perceptron(gate)}
    if "perceptron" in results:
        run = results["perceptron"]["run"]
        lines, mistakes = st.columns([3, 2])
        lines.plotly_chart(
            perceptron_lines(run, perceptron.INPUTS, perceptron.GATES[run.gate]),
            width="stretch",
            key="history_perceptron_lines",
            config=chart_config("history_perceptron_lines"),
        )
        mistakes.plotly_chart(
            mistakes_per_epoch(run),
            width="stretch",
            key="history_perceptron_mistakes",
            config=chart_config("history_perceptron_mistakes"),
        )
        if run.converged:
            st.success(f"{run.gate}: converged after {len(run.mistakes)} epochs; every input classified correctly.")
        else:
            st.error(
                f"{run.gate}: still {run.mistakes[-1]} mistakes after {len(run.mistakes)} epochs. No line separates "
                "XOR, so the rule cycles for ever."
            )


def show_cognitron(run_now: bool):
    if run_now:
        results["cognitron"] = cognitron.train_cognitron()
    run = results.get("cognitron")
    if run:
        before, after = st.columns(2)
        before.plotly_chart(
            image_grid(run.initial_fields, columns=4, height_per_row=80, title="Receptive fields at the start"),
            width="stretch",
            key="history_cognitron_before",
            config=chart_config("history_cognitron_before"),
        )
        after.plotly_chart(
            image_grid(run.fields, columns=4, height_per_row=80, title="Receptive fields grown without labels"),
            width="stretch",
            key="history_cognitron_after",
            config=chart_config("history_cognitron_after"),
        )
        preferred = np.argmax(run.wins, axis=1)
        st.write(
            f"Similarity of the fields to average digit shapes: {run.prototype_match(initial=True):.2f} at the "
            f"start, {run.prototype_match():.2f} after training. Units respond most to digits "
            + ", ".join(str(d) for d in sorted(set(preferred.tolist())))
            + f"; on average {run.purity:.0%} of a unit's images are one digit."
        )


def show_boltzmann(run_now: bool):
    name = st.radio("Picture to complete", list(boltzmann.PICTURES), horizontal=True, key="history_picture")
    if run_now:
        results["boltzmann"] = boltzmann.complete_pattern(
            name, clamped_rows=3, seed=int(state.get("history_boltzmann_seed", 0))
        )
    run = results.get("boltzmann")
    if run:
        chosen = [0, 1, 3, 6, 10, 15, 20, len(run.states) - 1]
        images = [run.states[i].reshape(boltzmann.SIDE, boltzmann.SIDE) for i in chosen]
        st.plotly_chart(
            image_grid(
                images,
                [f"sweep {i}" for i in chosen],
                columns=len(chosen),
                diverging=True,
                height_per_row=120,
                title="Settling (top three rows clamped)",
            ),
            width="stretch",
            key="history_boltzmann_states",
            config=chart_config("history_boltzmann_states"),
        )
        st.plotly_chart(
            energy_curve(run),
            width="stretch",
            key="history_boltzmann_energy",
            config=chart_config("history_boltzmann_energy"),
        )
        verdict = "completed exactly" if run.errors == 0 else f"{run.errors} pixels differ from the stored picture"
        st.write(f"Energy {run.energies[0]:.2f} → {run.energies[-1]:.2f}; the picture is {verdict}.")


def show_backprop(run_now: bool):
    if run_now:
        results["backprop"] = (backpropagation_1986.train_xor(), backpropagation_1986.train_encoder())
    if "backprop" in results:
        xor, encoder = results["backprop"]
        left, right = st.columns(2)
        with left:
            st.markdown(
                f"**XOR (2-2-1)**: accuracy {xor.accuracy:.0%}, outputs "
                + ", ".join(f"{o:.2f}" for o in xor.outputs[:, 0])
            )
            st.plotly_chart(
                loss_curve(xor.losses, "XOR: squared error per epoch"),
                width="stretch",
                key="history_xor_loss",
                config=chart_config("history_xor_loss"),
            )
            st.plotly_chart(
                hidden_codes(xor.codes, ["0 0", "0 1", "1 0", "1 1"], "Hidden units for each XOR input"),
                width="stretch",
                key="history_xor_codes",
                config=chart_config("history_xor_codes"),
            )
        with right:
            distinct = len({tuple(code) for code in np.round(encoder.codes)})
            st.markdown(
                f"**8-3-8 encoder**: {encoder.accuracy:.0%} of patterns rebuilt; {distinct} distinct rounded codes"
            )
            st.plotly_chart(
                loss_curve(encoder.losses, "Encoder: squared error per epoch"),
                width="stretch",
                key="history_encoder_loss",
                config=chart_config("history_encoder_loss"),
            )
            st.plotly_chart(
                hidden_codes(
                    encoder.codes,
                    [f"pattern {i + 1}" for i in range(8)],
                    "The code each pattern gets in the 3 hidden units",
                ),
                width="stretch",
                key="history_encoder_codes",
                config=chart_config("history_encoder_codes"),
            )


def show_lenet5(run_now: bool):
    if run_now:
        results["lenet5"] = lenet5.train_lenet5()
    run = results.get("lenet5")
    if run:
        st.markdown(
            f"**Test accuracy {run.test_accuracy:.1%}** on {len(run.test_labels):,} held-out digits after "
            f"{len(run.history)} epochs ({run.seconds:.1f} s of training)."
        )
        first_right = int(np.argmax(run.predictions == run.test_labels))
        index = st.slider("Test digit", 0, len(run.test_labels) - 1, first_right, key="history_lenet_digit")
        image = run.test_images[index]
        probabilities = np.asarray(run.model(image[None]))
        verdict = "right" if run.predictions[index] == run.test_labels[index] else "wrong"
        st.caption(
            f"Digit {index}: true {run.test_labels[index]}, predicted {run.predictions[index]} ({verdict}). Below: "
            "what each layer computes from it (blue positive, orange negative)."
        )
        digit, bars = st.columns([1, 3])
        digit.plotly_chart(
            image_grid([image[..., 0]], [f"true: {run.test_labels[index]}"], columns=1, height_per_row=200),
            width="stretch",
            key="history_lenet_image",
            config=chart_config("history_lenet_image"),
        )
        bars.plotly_chart(
            softmax_bars(probabilities, [run.test_labels[index]], [str(i) for i in range(10)], columns=1),
            width="stretch",
            key="history_lenet_bars",
            config=chart_config("history_lenet_bars"),
        )
        for name, maps in lenet5.feature_maps(run.model, image):
            st.plotly_chart(
                image_grid(
                    np.moveaxis(maps, -1, 0),
                    columns=16 if maps.shape[-1] > 6 else 6,
                    diverging=True,
                    height_per_row=70 if maps.shape[-1] > 6 else 110,
                    title=f"{name}: {maps.shape[-1]} maps of {maps.shape[0]}x{maps.shape[1]}",
                ),
                width="stretch",
                config=chart_config(f"lenet5 {name} feature maps"),
                key=f"history_lenet_{name}",
            )


def show_dbn(run_now: bool):
    if run_now:
        results["dbn"] = deep_belief_net.train_deep_belief_net()
    run = results.get("dbn")
    if run:
        left, right = st.columns(2)
        left.plotly_chart(
            error_curves(run.reconstruction_errors),
            width="stretch",
            key="history_dbn_errors",
            config=chart_config("history_dbn_errors"),
        )
        right.plotly_chart(
            accuracy_comparison(
                {"pre-trained as a DBN": run.pretrained_accuracy, "random weights": run.random_accuracy},
                "Fine-tuning with labels: test accuracy",
            ),
            width="stretch",
            key="history_dbn_accuracy",
            config=chart_config("history_dbn_accuracy"),
        )
        st.write(
            f"After one epoch of fine-tuning: {run.pretrained_accuracy[0]:.0%} pre-trained vs "
            f"{run.random_accuracy[0]:.0%} from random weights; after {len(run.random_accuracy)}: "
            f"{run.pretrained_accuracy[-1]:.0%} vs {run.random_accuracy[-1]:.0%} ({run.seconds:.1f} s in all)."
        )
        filters = run.rbms[0].weights.T[:32].reshape(-1, 8, 8)
        st.plotly_chart(
            image_grid(
                filters, columns=16, diverging=True, height_per_row=70, title="First RBM: 32 of its 100 learned filters"
            ),
            width="stretch",
            key="history_dbn_filters",
            config=chart_config("history_dbn_filters"),
        )
        st.plotly_chart(
            image_grid(
                run.samples,
                columns=10,
                height_per_row=90,
                title="Samples from the first RBM (200 Gibbs steps from noise)",
            ),
            width="stretch",
            key="history_dbn_samples",
            config=chart_config("history_dbn_samples"),
        )


SHOW = {
    "perceptron": show_perceptron,
    "cognitron": show_cognitron,
    "boltzmann": show_boltzmann,
    "backprop": show_backprop,
    "lenet5": show_lenet5,
    "dbn": show_dbn,
}

st.title("A runnable history of neural networks")
st.write(
    "From Rosenblatt's perceptron to deep belief nets: each milestone as a small experiment you can run. Every "
    "result below is computed live, in this page, by the code in `playground/history/`."
)
for entry in HISTORY:
    with st.container(border=True, key=f"history_{entry.key}"):
        st.subheader(f"{entry.year} · {entry.title}")
        st.caption(entry.authors)
        st.write(entry.paragraph)
        st.markdown(f"*Run it:* {entry.shows}")
        run_now = st.button("Run", key=f"run_{entry.key}", type="primary")
        try:
            with st.spinner("Running..."):
                SHOW[entry.key](run_now)
        except Exception as error:  # an experiment failing must not take the gallery down
            st.error(f"This experiment failed: {type(error).__name__}: {error}. Press Run to try again.")
            results.pop(entry.key, None)
