"""Many runs of one architecture trained together, in one compiled program.

A sweep's runs mostly differ in what leaves the program's shapes alone: the learning rate, the
seed (initial weights and batch order), the regularization rate and the schedule. Trained one by
one, each run pays for building, tracing and starting its own program, which on a playground's
tiny networks costs far more than the training itself. A `Population` stacks its members'
weights and optimizer state along a new first axis and runs Keras's own `stateless_call` and
optimizer step for every member at once (`tf.vectorized_map`), each member on its own batches
(its seed's epoch order) with its own learning rate and regularization rate.

Each member's history equals training that run alone with `Trainer` up to float32 rounding
(tests/test_population.py). A member whose loss stops being finite keeps its last finite weights
and its history ends there, as a lone run's would.

`population_key(spec)` says which specs can share a population: equal keys, one program. The
batch size, architecture, optimizer, dataset and epochs make different keys.

Playground-scale networks of different shapes can also share one: on the envelope's program
(`envelope_loop`), a member's network (widths, depths, activations, input features) and its L1
and L2 rates are its own settings, stacked like its weights (`envelope_population_key`). Each
member starts from the weights Keras gives its own network, padded into the envelope's.

Example:

    specs = [spec.replace(training=dataclasses.replace(spec.training, learning_rate=r)) for r in (0.01, 0.1, 1)]
    population = Population(specs)
    results = population.train()       # one `MemberResult` per spec, in order
    results[0].history[-1]["test_loss"]
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.datasets.dataset import Task
from playground.engine.envelope import EnvelopeLayout, envelope_layout
from playground.engine.envelope_loop import SHARED_SETTINGS, EnvelopeLoop, envelope_settings, shared_settings
from playground.engine.trainer_state import TrainerState
from playground.engine.training_loop import FULL_EVAL_LIMIT, MAX_ORDER_ENTRIES, PROGRAMS, TrainingLoop, epoch_order
from playground.learning_rates import divergence_message
from playground.model_builder import build_model
from playground.schedules import learning_rate_at
from playground.spec import ExperimentSpec, RegularizationSpec, ScheduleSpec
from playground.training_data import training_data

MAX_EPOCHS_PER_CALL = 64
UNIT_RATE = 1.0  # the program's penalty is built at this rate and scaled by each member's own
SHAPE_FREE_LAYERS = ("Dense", "Dropout", "BatchNormalization")  # layers that train in populations


def program_spec(spec: ExperimentSpec) -> ExperimentSpec:
    """The spec with everything a population's members may differ in set to one value."""
    training = spec.training
    regularization = RegularizationSpec(
        training.regularization.kind, UNIT_RATE if training.regularization.kind != "none" else 0.0
    )
    training = dataclasses.replace(
        training, learning_rate=0.01, seed=0, schedule=ScheduleSpec(), regularization=regularization
    )
    return spec.replace(title="", description="", training=training)


def population_key(spec: ExperimentSpec) -> str | None:
    """Specs with equal keys train in one population of their own architecture's program; None
    for a spec that trains alone (a convolutional network: its layers are not vectorized here)."""
    if any(layer.type not in SHAPE_FREE_LAYERS for layer in spec.network.layers):
        return None
    return program_spec(spec).to_json(indent=None)


def envelope_population_key(spec: ExperimentSpec) -> str | None:
    """Specs with equal keys can also train in one population of the envelope's program
    (`envelope_loop`), whatever their networks inside it: widths, depths, activations, input
    features and penalties are then each member's arguments. None for a network outside the
    envelope, or with dropout (whose masks a member of the envelope would draw differently from
    its lone run)."""
    if population_key(spec) is None:
        return None
    layout = envelope_layout(spec, training_data(spec))
    if layout is None or any(layout.dropout):
        return None
    template = program_spec(spec)
    training = dataclasses.replace(template.training, regularization=RegularizationSpec())
    network = dataclasses.replace(template.network, features=(), layers=())
    return "envelope " + template.replace(network=network, training=training).to_json(indent=None)


@dataclass
class MemberResult:
    """What one member's run came to: its rows, its end state and the message for a divergence."""

    spec: ExperimentSpec
    history: list[dict] = field(default_factory=list)
    state: TrainerState = TrainerState.RUNNING  # then FINISHED, DIVERGED or STOPPED
    message: str = ""


class Population:
    """Trains specs that share a `population_key` as one stacked model.

    Args:
        specs: the members' specs (validated by the caller; equal `population_key`s).
        jit: compile with XLA.
        epochs_per_call: at most this many epochs per compiled call: `train`'s `should_stop`
            is asked between calls (a smart search checks for pruning there).
    """

    def __init__(self, specs: list[ExperimentSpec], jit: bool = True, epochs_per_call: int = MAX_EPOCHS_PER_CALL):
        self.specs = list(specs)
        self.size = len(specs)
        template = program_spec(specs[0])
        self.data = training_data(specs[0])
        self.layouts: list[EnvelopeLayout] | None = None  # each member's network, on the envelope's program
        if _shared_key(specs, population_key):
            self.loop = TrainingLoop(build_model(template, self.data), self.data, template.training, jit=jit)
            self.maths = self.loop
        elif _shared_key(specs, envelope_population_key):
            self.layouts = [_fitting_layout(spec) for spec in specs]
            layout = _fitting_layout(template)
            self.loop = EnvelopeLoop(build_model(template, self.data), self.data, template.training, layout, jit=jit)
            self.activations = sorted({a for member in self.layouts for a in member.activations})
            self.maths = self.loop.population_maths(self.activations)
        else:
            raise ValueError("A population's specs must share one population_key (or envelope_population_key).")
        self.epochs = specs[0].training.epochs
        self.regularized = template.training.regularization.kind != "none"
        n = self.loop.train_size
        self.epochs_per_call = max(
            1, min(epochs_per_call, MAX_EPOCHS_PER_CALL, self.epochs, MAX_ORDER_ENTRIES // (n * self.size))
        )
        self.results = [MemberResult(spec) for spec in self.specs]  # filled in by `train`, a call at a time
        self._stopping = False
        self.state = self._initial_state()
        self.epoch = 0
        self.elapsed = 0.0

    def _initial_state(self) -> list[np.ndarray]:
        """Every member's starting weights (built from its own seed, as a lone run's are) and a
        fresh optimizer state, stacked along the first axis."""
        weights_by_model: dict[tuple, list[np.ndarray]] = {}
        members = []
        for index, spec in enumerate(self.specs):
            network = repr(spec.network) if self.layouts is not None else ""
            key = (spec.training.seed, network)
            if key not in weights_by_model:
                model = build_model(spec, training_data(spec), compile=False)
                trainable = [v.numpy() for v in model.trainable_variables]
                if self.layouts is None:
                    weights_by_model[key] = trainable + [v.numpy() for v in model.non_trainable_variables]
                else:  # the envelope's flat weights and its dropout step count
                    padded = self.layouts[index].padded(trainable, self.data.plan.units)
                    weights_by_model[key] = [padded, np.zeros((), "int32")]
            members.append(weights_by_model[key])
        stacked = [np.stack(values) for values in zip(*members)]
        optimizer = [np.repeat(v.numpy()[None], self.size, axis=0) for v in self.loop.optimizer_variables]
        return stacked + optimizer

    def _settings(self) -> dict[str, np.ndarray]:
        """Each member's settings along the first axis: its network and penalty rates on the
        envelope's program, none on its own architecture's."""
        if self.layouts is None:
            return {}
        train_size, test_size = len(self.data.x_train), len(self.data.x_test)
        members = [
            envelope_settings(layout, spec.training, train_size, test_size)
            for layout, spec in zip(self.layouts, self.specs)
        ]
        return {name: np.stack([m[name] for m in members]) for name in members[0] if name not in SHARED_SETTINGS}

    def stop(self) -> None:
        """Stops `train` at its next call (as `Trainer.stop`): every member unfinished is "stopped"."""
        self._stopping = True

    @property
    def position(self) -> tuple[int, int]:
        """(epoch, batch) reached, as `Trainer.position`: members move in step, a call at a time."""
        return self.epoch, 0

    def program_key(self) -> str:
        activations = self.activations if self.layouts is not None else None
        return json.dumps(["population", self.size, self.epochs_per_call, activations, self.loop.program_key()])

    def _build(self):
        import tensorflow as tf

        loop = self.maths
        batches = loop.batches_per_epoch
        shared = shared_settings() if self.layouts is not None else {}

        def where(keep: Any, new: Any, old: Any) -> Any:
            return tf.where(tf.reshape(keep, [-1] + [1] * (len(old.shape) - 1)), new, old)

        def run(
            state: list,
            epoch_count: Any,
            rates: Any,
            penalty_rates: Any,
            orders: Any,
            alive: Any,
            full_train_metrics: Any,
            x_train: Any,
            y_train: Any,
            x_fit: Any,
            y_fit: Any,
            x_test: Any,
            y_test: Any,
            settings: dict,
        ) -> tuple[Any, ...]:
            metrics = tf.zeros([self.epochs_per_call, self.size, 4])
            recorded = tf.zeros([self.epochs_per_call, self.size], tf.bool)
            stopped_at = tf.fill(
                [self.size], -1
            )  # the batch (within its epoch) where a member's loss stopped being finite

            def epoch_body(
                e: Any, state: list, alive: Any, stopped_at: Any, metrics: Any, recorded: Any
            ) -> tuple[Any, ...]:
                order, rate = orders[e], rates[e]

                def batch_body(
                    batch: Any, state: list, alive: Any, stopped_at: Any, loss_sum: Any, correct_sum: Any
                ) -> tuple[Any, ...]:
                    new_state, finite, loss_total, correct = tf.vectorized_map(
                        lambda member: loop.step(
                            member[0], member[1], member[3], batch, x_train, y_train, {**member[4], **shared}, member[2]
                        ),
                        (state, rate, penalty_rates, order, settings),
                    )
                    keep = alive & finite
                    stopped_at = tf.where(alive & ~finite, batch, stopped_at)
                    state = [where(keep, new, old) for new, old in zip(new_state, state)]
                    return batch + 1, state, keep, stopped_at, loss_sum + loss_total, correct_sum + correct

                zeros = tf.zeros([self.size])
                _, state, alive_after, stopped_at, loss_sum, correct_sum = tf.while_loop(
                    lambda batch, *_: batch < batches,
                    batch_body,
                    (tf.constant(0), state, alive, stopped_at, zeros, zeros),
                )

                row = tf.vectorized_map(
                    lambda member: loop.epoch_metrics(
                        member[0],
                        member[1],
                        member[2],
                        full_train_metrics,
                        x_fit,
                        y_fit,
                        x_test,
                        y_test,
                        {**member[3], **shared},
                    ),
                    (state, loss_sum, correct_sum, settings),
                )
                metrics = tf.tensor_scatter_nd_update(metrics, [[e]], [row])
                recorded = tf.tensor_scatter_nd_update(recorded, [[e]], [alive_after])
                finite_row = tf.reduce_all(tf.math.is_finite(row[:, :2]), axis=1)
                return e + 1, state, alive_after & finite_row, stopped_at, metrics, recorded

            start = (tf.constant(0), list(state), alive, stopped_at, metrics, recorded)
            epochs_done, state, alive, stopped_at, metrics, recorded = tf.while_loop(
                lambda e, state, alive, *_: (e < epoch_count) & tf.reduce_any(alive), epoch_body, start
            )
            return state, alive, stopped_at, metrics, recorded

        return run

    def _program(self):
        import tensorflow as tf

        return PROGRAMS.get(
            self.program_key(), lambda: tf.function(self._build(), jit_compile=self.loop.jit, reduce_retracing=True)
        )

    def train(self, should_stop: Callable[[], bool] = lambda: False) -> list[MemberResult]:
        """Trains every member to the last epoch (or until `should_stop()` says so between calls)."""
        import tensorflow as tf

        loop = self.loop
        results = self.results
        alive = np.ones(self.size, bool)
        penalty_rates = np.array(
            [spec.training.regularization.rate if self.regularized else 0.0 for spec in self.specs], "float32"
        )
        data = loop.data_tensors
        settings = {name: tf.constant(values) for name, values in self._settings().items()}
        full = tf.constant(loop.train_size <= FULL_EVAL_LIMIT)
        while self.epoch < self.epochs and alive.any():
            if self._stopping or should_stop():
                for result in results:
                    if result.state == TrainerState.RUNNING:
                        result.state = TrainerState.STOPPED
                return results
            began = time.perf_counter()
            count = min(self.epochs_per_call, self.epochs - self.epoch)
            rates = np.zeros((self.epochs_per_call, self.size))
            for i, spec in enumerate(self.specs):
                rates[:count, i] = [
                    learning_rate_at(spec.training.schedule, spec.training.learning_rate, self.epoch + e, self.epochs)
                    for e in range(count)
                ]
            state, alive_after, stopped_at, metrics, recorded = self._program()(
                [tf.constant(v) for v in self.state],
                tf.constant(count),
                tf.constant(rates, tf.float32),
                tf.constant(penalty_rates),
                tf.constant(self._orders(count)),
                tf.constant(alive),
                full,
                *data,
                settings,
            )
            self.state = [v.numpy() for v in state]
            metrics, recorded, stopped_at, alive_after = (
                metrics.numpy(),
                recorded.numpy(),
                stopped_at.numpy(),
                alive_after.numpy(),
            )
            for i, result in enumerate(results):
                for e in range(count):
                    if recorded[e, i] and alive[i]:
                        result.history.append(self._row(self.epoch + e, rates[e, i], metrics[e, i]))
                if alive[i] and not alive_after[i]:
                    result.state = TrainerState.DIVERGED
                    diverged_epoch = len(result.history) if stopped_at[i] >= 0 else len(result.history) - 1
                    result.message = divergence_message(
                        float(rates[min(diverged_epoch - self.epoch, count - 1), i]),
                        diverged_epoch,
                        int(max(stopped_at[i], 0)),
                        base_rate=result.spec.training.learning_rate,
                    )
            alive = alive_after
            self.epoch += count
            self.elapsed += time.perf_counter() - began
        for result in results:
            if result.state == TrainerState.RUNNING:
                result.state = TrainerState.FINISHED
        return results

    def _orders(self, count: int) -> np.ndarray:
        """The batch order of each of the next `count` epochs for each member (its seed's order)."""
        n, shuffle = self.loop.train_size, self.loop.shuffle
        orders = np.zeros((self.epochs_per_call, self.size, n), "int32")
        by_seed = {}
        for i, spec in enumerate(self.specs):
            seed = spec.training.seed
            if seed not in by_seed:
                by_seed[seed] = np.stack([epoch_order(seed, self.epoch + e, n, shuffle) for e in range(count)])
            orders[:count, i] = by_seed[seed]
        return orders

    def _row(self, epoch: int, rate: float, metrics: np.ndarray) -> dict:
        train_loss, test_loss, train_accuracy, test_accuracy = (float(v) for v in metrics)
        regression = self.data.dataset.task == Task.REGRESSION
        return {
            "epoch": epoch + 1,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": None if regression else train_accuracy,
            "test_accuracy": None if regression else test_accuracy,
            "learning_rate": float(rate),
        }


def _shared_key(specs: list[ExperimentSpec], key: Callable[[ExperimentSpec], str | None]) -> bool:
    """Whether every spec has the same `key`, and it is not None."""
    keys = {key(spec) for spec in specs}
    return len(keys) == 1 and None not in keys


def _fitting_layout(spec: ExperimentSpec) -> EnvelopeLayout:
    """Where `spec`'s network sits in the envelope (its `envelope_population_key` says it fits)."""
    layout = envelope_layout(spec, training_data(spec))
    assert layout is not None, "a network outside the envelope has no envelope_population_key"
    return layout
