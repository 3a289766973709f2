"""Live trainers that share a program, stepped together: one compiled call per tick for all.

At the watch pace each live trainer trains one epoch per display frame (`trainer.FRAME_SECONDS`).
Alone, an epoch of a playground network costs a few milliseconds of CPU, nearly all of it the cost
of running a program rather than its arithmetic, so a class training in one worker would pay it
once per student per frame. `LivePopulations` gathers the epochs that a worker's trainers ask for
at about the same moment and runs them as one call of a vectorized program: every member's
weights, optimizer state, data, learning rate (and on the envelope, network) stacked along a
first axis, and the loop's own step and epoch metrics mapped over it (`tf.vectorized_map`).

Who steps together: trainers whose loops share a program key (a class given one push: the same
network; on the envelope's program, `envelope_loop.EnvelopeLoop`, any playground-scale networks)
and batches per epoch, each asking for one whole epoch from its start, with Dense layers only
(no dropout). Every other call runs alone, as before; so does every call while the population's
program compiles (in the background, a few seconds, once per process for each program, set of
activations and `CAPACITIES` size; a worker compiles the default experiment's ahead).

Members join, pause, step, change their rate, reset and leave whenever they like: a population is
whoever asks within one tick, and a member that asked lately is waited for (at most
`GATHER_SECONDS`). Each member takes the steps its lone loop would take, in the same order, with
the same maths (tests/test_live_population.py replays every row alone). A member whose loss stops
being finite takes that epoch alone again, so the lone loop's divergence handling (back to the
last finite weights) applies unchanged.

Example:

    populations = LivePopulations()
    trainer = Trainer(spec, envelope=True, population=populations)   # in a worker: `LIVE_POPULATIONS`
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine.envelope_loop import SHARED_SETTINGS, EnvelopeLoop, shared_settings
from playground.engine.training_loop import FULL_EVAL_LIMIT, LoopResult, TrainingLoop, epoch_order

log = logging.getLogger(__name__)

CAPACITIES = (4, 16)  # members per call: a population is padded up to the next, and split past the last
GATHER_SECONDS = 0.05  # how long the first ask of a tick waits for the members that asked lately
RECENT_SECONDS = 0.1  # a member that asked within this long is waited for
MAX_PROGRAMS = 12  # population programs kept (least recently used dropped first)
REPORT_SECONDS = 10.0  # how often the log says how many epochs stepped together
KEPT_CONSTANTS = 2 * CAPACITIES[-1]  # members whose data and settings a population part keeps stacked


@dataclass(eq=False)
class _Ask:
    """One member's epoch, as it waits for its tick."""

    loop: TrainingLoop
    epoch: int
    rate: float
    result: LoopResult | None = None
    done: bool = False


@dataclass
class _Group:
    """The asks of one kind of member waiting for their tick, and when each member last asked."""

    asks: list[_Ask] = field(default_factory=list)
    asked_at: dict[int, float] = field(default_factory=dict)

    def everyone_in(self, now: float) -> bool:
        """Whether every member that asked lately has asked for this tick."""
        self.asked_at = {member: t for member, t in self.asked_at.items() if now - t < RECENT_SECONDS}
        return set(self.asked_at) <= {id(ask.loop) for ask in self.asks}


class LivePopulations:
    """Steps a process's live trainers together (see the module's docstring).

    Args:
        compile_in_background: compile a population's program on a thread of its own while the
            members train alone (a live server); False compiles it in the first call (tests).
    """

    def __init__(self, compile_in_background: bool = True):
        self.compile_in_background = compile_in_background
        self._lock = threading.Condition()
        self._groups: dict[tuple, _Group] = {}
        self._programs: OrderedDict[tuple, Any] = OrderedDict()  # None while one compiles
        self._constants: dict[tuple, _StackedConstants] = {}  # by population part: its recent members' constants
        self.calls = 0  # population calls made
        self.members_stepped = 0  # member-epochs they trained
        self._reported_at, self._reported = time.monotonic(), (0, 0)

    def run(self, loop: Any, epoch: int, batch: int, steps: int, learning_rates: Sequence[float]) -> LoopResult | None:
        """`loop.run(epoch, batch, steps, learning_rates)` in this tick's population call, or None
        when the call is to run alone: it is not one whole epoch of a loop that can step together
        (`_group_key`), nobody else asked in this tick, the population's program is still
        compiling, or this member's loss stopped being finite."""
        key = _group_key(loop, batch, steps)
        if key is None:
            return None
        ask = _Ask(loop, int(epoch), float(learning_rates[0]))
        with self._lock:
            group = self._groups.setdefault(key, _Group())
            now = time.monotonic()
            group.asked_at[id(loop)] = now
            group.asks.append(ask)
            leading = len(group.asks) == 1
            if leading:  # the first ask of the tick waits for the others, then steps them all
                deadline = now + GATHER_SECONDS
                while not group.everyone_in(time.monotonic()) and time.monotonic() < deadline:
                    self._lock.wait(deadline - time.monotonic())
                asks, group.asks = group.asks, []
                self._forget_quiet_groups(time.monotonic())
            else:
                self._lock.notify_all()  # the leader may have everyone now
        if not leading:
            with self._lock:
                while not ask.done:
                    self._lock.wait()
            return ask.result
        try:
            results = self._step(key, asks)
        except Exception:  # never lose a member's epoch: each then runs alone
            log.exception("A population of %d live trainers could not step", len(asks))
            results = [None] * len(asks)
        with self._lock:
            for each, result in zip(asks, results):
                each.result, each.done = result, True
            self._lock.notify_all()
        return ask.result

    def _forget_quiet_groups(self, now: float) -> None:
        """Lets go of the groups nobody asked in lately, with their stacked data, which hold the
        loops of trainers that have left (call with the lock held)."""
        quiet = [
            key
            for key, group in self._groups.items()
            if not group.asks and all(now - t >= RECENT_SECONDS for t in group.asked_at.values())
        ]
        for key in quiet:
            del self._groups[key]
        for part in [part for part in self._constants if part[:-1] in quiet]:
            del self._constants[part]

    def _step(self, key: tuple, asks: list[_Ask]) -> list[LoopResult | None]:
        """Steps `asks` together, `CAPACITIES[-1]` at a time (a bigger program costs more per call
        than it saves); None for each that is to run alone."""
        if len(asks) < 2:
            return [None] * len(asks)
        largest = CAPACITIES[-1]
        results: list[LoopResult | None] = []
        for start in range(0, len(asks), largest):
            part = asks[start : start + largest]
            results += self._step_part(key, start // largest, part) if len(part) > 1 else [None]
        return results

    def _step_part(self, key: tuple, part: int, asks: list[_Ask]) -> list[LoopResult | None]:
        import tensorflow as tf

        activations = sorted({a for ask in asks for a in _activations(ask.loop)})
        capacity = next(c for c in CAPACITIES if c >= len(asks))
        program = self._program((*key, tuple(activations), capacity), asks, activations, capacity)
        if program is None:
            return [None] * len(asks)
        state, alive, rows = program(*self._inputs((*key, part), asks, capacity))
        alive, rows = alive.numpy(), rows.numpy()
        states = list(zip(*(tf.unstack(values) for values in state)))  # each member's
        results: list[LoopResult | None] = []
        for i, ask in enumerate(asks):
            if not alive[i]:
                results.append(None)  # replayed alone: the lone loop goes back to the last finite weights
                continue
            ask.loop.keep(list(states[i]))
            metrics = np.zeros((ask.loop.epochs_per_call, 4), "float32")
            metrics[0] = rows[i]
            steps = ask.loop.batches_per_epoch
            results.append(LoopResult(ask.epoch + 1, 0, steps, 1, metrics, None))
        with self._lock:
            self.calls += 1
            self.members_stepped += sum(result is not None for result in results)
            self._report()
        return results

    def _report(self) -> None:
        """Logs how many epochs stepped together, every `REPORT_SECONDS` (call with the lock held)."""
        now = time.monotonic()
        if now - self._reported_at < REPORT_SECONDS:
            return
        calls, members = self.calls - self._reported[0], self.members_stepped - self._reported[1]
        seconds = now - self._reported_at
        log.info("Live populations: %d calls stepped %d member-epochs in %.0f s", calls, members, seconds)
        self._reported_at, self._reported = now, (self.calls, self.members_stepped)

    def _inputs(self, key: tuple, asks: list[_Ask], capacity: int) -> tuple:
        """`_stacked_inputs`, with the members' data and settings taken by row from those stacked
        for the population's part (`key`). Each tick steps the members due then, a different few of
        the same class each time: they are stacked again only when one comes that is not there."""
        loops = [ask.loop for ask in asks]
        with self._lock:
            kept = self._constants.get(key)
        if kept is None or any(id(loop) not in kept.rows for loop in loops):
            due = {id(loop) for loop in loops}
            earlier = [] if kept is None else [loop for loop in kept.loops if id(loop) not in due]
            kept = _StackedConstants(loops + earlier[: KEPT_CONSTANTS - len(loops)])
            with self._lock:
                self._constants[key] = kept
        rows = [kept.rows[id(loop)] for loop in loops]
        return _stacked_inputs(asks, capacity, kept.taken(rows + rows[:1] * (capacity - len(rows))))

    def _program(self, key: tuple, asks: list[_Ask], activations: list[int], capacity: int) -> Any:
        """The compiled program for `key`, or None while it compiles (started here if need be)."""
        with self._lock:
            if key in self._programs:
                self._programs.move_to_end(key)
                return self._programs[key]
            self._programs[key] = None
        if self.compile_in_background:
            threading.Thread(
                target=self._compile,
                args=(key, asks, activations, capacity),
                name="playground-population-compile",
                daemon=True,
            ).start()
            return None
        self._compile(key, asks, activations, capacity)
        with self._lock:
            return self._programs.get(key)

    def _compile(self, key: tuple, asks: list[_Ask], activations: list[int], capacity: int) -> None:
        """Builds the program for `key` and compiles it with `asks`' inputs (XLA compiles at the
        first call); one that cannot compile stays None, so its members always train alone."""
        started = time.monotonic()
        program = population_program(_maths(asks[0].loop, activations), capacity)
        try:
            program(*_stacked_inputs(asks, capacity))
        except Exception:
            log.exception("A live population's program could not compile: its members train alone")
            return
        seconds = time.monotonic() - started
        log.info("Compiled a live population's program (%d members) in %.1f s", capacity, seconds)
        with self._lock:
            self._programs[key] = program
            while len(self._programs) > MAX_PROGRAMS:
                self._programs.popitem(last=False)

    def compile_for(self, loop: Any, capacities: Sequence[int] = CAPACITIES) -> None:
        """Compiles, now, the programs of populations of loops like `loop` (of each size in
        `capacities`), so that a class training such networks steps together from its first
        epochs (a worker does this for the default experiment's network when it starts)."""
        key = _group_key(loop, 0, loop.batches_per_epoch)
        if key is None:
            return
        activations = list(_activations(loop))
        ask = _Ask(loop, 0, 0.0)
        for capacity in capacities:
            program_key = (*key, tuple(activations), capacity)
            with self._lock:
                if program_key in self._programs:
                    continue
                self._programs[program_key] = None
            self._compile(program_key, [ask], activations, capacity)


def _group_key(loop: Any, batch: int, steps: int) -> tuple | None:
    """What members must share to step together (their program, and the batches of an epoch);
    None for a call that runs alone."""
    if not isinstance(loop, TrainingLoop) or not loop.jit or batch != 0 or steps != loop.batches_per_epoch:
        return None
    if loop.train_size > FULL_EVAL_LIMIT:  # its epoch's metrics come from the batches: not vectorized here
        return None
    if isinstance(loop, EnvelopeLoop):
        if loop.computed_activations is not None or any(loop.layout.dropout):
            return None
    elif any(type(layer).__name__ != "Dense" for layer in loop.model.layers):
        return None
    key = _PROGRAM_KEYS.get(loop)
    if key is None:  # a loop's program key never changes, and takes a while to make
        key = _PROGRAM_KEYS[loop] = loop.program_key()
    return key, loop.batches_per_epoch


_PROGRAM_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _activations(loop: Any) -> tuple[int, ...]:
    """The activations a member's network uses, when they are its program's arguments (the envelope's)."""
    return tuple(sorted(set(loop.layout.activations))) if isinstance(loop, EnvelopeLoop) else ()


def _maths(loop: Any, activations: Sequence[int]) -> Any:
    """The loop whose step and metrics a population's program maps over its members."""
    return loop.population_maths(activations) if isinstance(loop, EnvelopeLoop) else loop


def _stacked_constants(asks: list[_Ask], capacity: int) -> tuple[list, dict]:
    """The members' data and settings (what stays the same from tick to tick) along a first axis,
    padded to `capacity` with copies of the first member's (their results are dropped)."""
    return _stack_constants([ask.loop for ask in asks] + [asks[0].loop] * (capacity - len(asks)))


def _stack_constants(loops: list) -> tuple[list, dict]:
    """`loops`' data and settings, each along a first axis in `loops`' order."""
    import tensorflow as tf

    settings = [loop.settings() for loop in loops]
    own = {name: tf.stack([s[name] for s in settings]) for name in settings[0] if name not in SHARED_SETTINGS}
    data = [tf.stack(tensors) for tensors in zip(*(loop.data_tensors for loop in loops))]
    return data, own


class _StackedConstants:
    """The data and settings of a population part's recent members, stacked once; `taken` gives
    the rows of the members of one tick (a gather per tensor instead of a stack of every member's)."""

    def __init__(self, loops: list) -> None:
        self.loops = loops  # kept referenced, so their ids stay theirs
        self.rows = {id(loop): row for row, loop in enumerate(loops)}
        self._data, self._own = _stack_constants(loops)

    def taken(self, rows: list[int]) -> tuple[list, dict]:
        import tensorflow as tf

        if rows == list(range(len(self.loops))):
            return self._data, self._own
        indices = tf.constant(rows, tf.int32)
        return (
            [tf.gather(values, indices) for values in self._data],
            {name: tf.gather(values, indices) for name, values in self._own.items()},
        )


def _stacked_inputs(asks: list[_Ask], capacity: int, constants: tuple[list, dict] | None = None) -> tuple:
    """The program's arguments: each member's state, learning rate and epoch order along a first
    axis, with `constants` (`_stacked_constants`, made here if not given); padded to `capacity`."""
    import tensorflow as tf

    data, own = constants if constants is not None else _stacked_constants(asks, capacity)
    members = asks + [asks[0]] * (capacity - len(asks))
    orders = []
    for ask in members:
        loop = ask.loop
        order = np.zeros(loop.order_width, "int32")
        order[: loop.train_size] = epoch_order(loop.seed, ask.epoch, loop.train_size, loop.shuffle)
        orders.append(order)
    return (
        [tf.stack(values) for values in zip(*(ask.loop.current_state() for ask in members))],
        tf.constant([ask.rate for ask in members], tf.float32),
        tf.constant(np.stack(orders)),
        *data,
        own,
    )


def population_program(maths: TrainingLoop, capacity: int) -> Any:
    """The compiled program that trains `capacity` members one epoch each: takes their stacked
    state, learning rates, epoch orders, data and settings; returns the new state, whether each
    member's losses stayed finite, and each member's epoch row (as `TrainingLoop`'s metrics)."""
    import tensorflow as tf

    batches = maths.batches_per_epoch
    shared = shared_settings()
    whole_set = tf.constant(True)  # an epoch's training metrics come from the whole set (`_group_key`)

    def run(
        state: list,
        rates: Any,
        orders: Any,
        x_train: Any,
        y_train: Any,
        x_fit: Any,
        y_fit: Any,
        x_test: Any,
        y_test: Any,
        own: dict,
    ) -> tuple[Any, Any, Any]:
        def batch_body(batch: Any, state: list, alive: Any) -> tuple[Any, list, Any]:
            new_state, finite, _, _ = tf.vectorized_map(
                lambda m: maths.step(m[0], m[1], m[2], batch, m[3], m[4], {**m[5], **shared}),
                (state, rates, orders, x_train, y_train, own),
            )
            alive = alive & finite
            return batch + 1, [_where(alive, new, old) for new, old in zip(new_state, state)], alive

        _, state, alive = tf.while_loop(
            lambda batch, *_: batch < batches, batch_body, (tf.constant(0), list(state), tf.ones([capacity], tf.bool))
        )
        rows = tf.vectorized_map(
            lambda m: maths.epoch_metrics(m[0], 0.0, 0.0, whole_set, m[1], m[2], m[3], m[4], {**m[5], **shared}),
            (state, x_fit, y_fit, x_test, y_test, own),
        )
        alive = alive & tf.reduce_all(tf.math.is_finite(rows[:, :2]), axis=1)
        return state, alive, rows

    return tf.function(run, jit_compile=True)


def _where(keep: Any, new: Any, old: Any) -> Any:
    """`new` for the members in `keep`, `old` for the others (any shape after the first axis)."""
    import tensorflow as tf

    return tf.where(tf.reshape(keep, [-1] + [1] * (len(old.shape) - 1)), new, old)


LIVE_POPULATIONS = LivePopulations()  # the process's: every live trainer of a worker (or page process) uses it
