"""What runs inside a training worker process: its trainers, and the updates it sends back.

The server starts a few of these processes (`training_workers.TrainingWorkers`), so training runs
on every core and the page's interpreter only serves pages. A worker holds any number of
`Trainer`s, each with its own thread as in the page's process, and talks to the server through
one pipe:

- in: commands `(name, trainer_id, sequence, argument)`: "create" (the spec as JSON; built on a
  thread of its own, so a big model's build holds up no other trainer's commands), the
  trainer's commands ("start", "pause", "stop", "step_batch", "step_epoch", "reset",
  "set_epochs", "set_learning_rate", "set_speed", "want_frame", "want_details"), questions ("predict",
  "model_bytes") and "close"/"abandon";
- out: for each trainer, an update whenever anything the page shows changed (its state and
  position, the history rows not sent yet, the snapshot's changed fields), "ended" when a run
  ends (the server saves it), and the answer to each command that wants one.

It also runs sweeps ("sweep", "sweep_cancel"; their runs and progress go back as "sweep_run" and
"sweep_progress"): `playground.runs.worker_sweep` holds both ends.

The publisher sleeps until a trainer changes (its `ChangeSignal`), then sends the update of each
trainer that changed: resting trainers cost nothing. Every update is read from the trainer and sent
under one lock, so updates arrive in the order they were read and the server's copy never goes back
in time. A command's answer follows an update read after the command was applied, so once a
command is answered the server's copy reflects it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import threading
import time
from multiprocessing.connection import Connection

from playground.spec_reading import spec_from_json

SILENT_COMMANDS = ("set_learning_rate", "set_speed", "want_frame", "want_details")  # applied without an answer
SWEEP_COMMANDS = ("sweep", "sweep_cancel")  # a sweep's, numbered like the trainers (runs.worker_sweep)


class TrainerHost:
    """One trainer in the worker, with what was last sent of it."""

    def __init__(self, trainer_id: int, trainer):
        self.id, self.trainer = trainer_id, trainer
        self.rows_sent = 0
        self.status_sent: dict | None = None
        self.snapshot_version = -1
        self.snapshot_sent = None

    def status(self) -> dict:
        trainer = self.trainer
        state = trainer.state  # first: "paused" comes only once the epoch moves no more, so a
        epoch, batch = trainer.position  # position read after it is never older than the pause
        return {
            "state": state,
            "message": trainer.message,
            "epoch": epoch,
            "batch": batch,
            "elapsed": trainer.elapsed,
            "started_at": trainer.started_at,
            "ready": trainer.is_ready,
            "idle": trainer.idle,
        }

    def update(self, force: bool = False) -> dict | None:
        """What changed since the last update (None if nothing did)."""
        trainer = self.trainer
        status = self.status()
        rows, total = trainer.history_since(self.rows_sent)
        update: dict = {}
        if total < self.rows_sent:  # reset: the history starts again
            rows, total = trainer.history_since(0)
            update["restart"] = True
        if rows:
            update["rows"] = rows
        self.rows_sent = total
        version, snapshot = trainer.snapshots.latest()
        if version != self.snapshot_version:
            self.snapshot_version = version
            update["snapshot"] = _snapshot_change(self.snapshot_sent, snapshot)
            self.snapshot_sent = snapshot
        if not update and status == self.status_sent and not force:
            return None
        self.status_sent = update["status"] = status
        return update


def _snapshot_change(last, snapshot) -> dict | None:
    """A snapshot as the fields that differ from the last one sent (a frame snapshot shares all but
    its plane views with the full snapshot before it); None when the trainer cleared its views."""
    if snapshot is None:
        return None
    fields = {
        f.name: getattr(snapshot, f.name)
        for f in dataclasses.fields(snapshot)
        if last is None or getattr(snapshot, f.name) is not getattr(last, f.name)
    }
    return {"full": last is None or "histograms" in fields, "fields": fields}


class Worker:
    """The worker's side of the pipe: applies commands and publishes updates."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.hosts: dict[int, TrainerHost] = {}
        self.sweeps: dict = {}  # number -> runs.worker_sweep.SweepHost
        self.send_lock = threading.Lock()
        self.hosts_lock = threading.Lock()
        self.closed = threading.Event()
        self._changed: set[int] = set()  # the hosts whose trainers changed since the publisher last looked
        self._change = threading.Condition()

    def send(self, message: tuple) -> None:
        with self.send_lock:
            self._send(message)

    def publish(self, host: TrainerHost, force: bool = False, then: tuple | None = None) -> None:
        """Sends the host's changes (read and sent under the send lock, so updates stay in order),
        followed by `then` if given."""
        with self.send_lock:
            update = host.update(force)
            if update is not None:
                self._send(("update", host.id, update))
            if then is not None:
                self._send(then)

    def _send(self, message: tuple) -> None:
        """Sends, unless the server has gone (then the command loop ends at its next read)."""
        if self.closed.is_set():
            return
        try:
            self.connection.send(message)
        except OSError:
            self.close()

    def changed(self, trainer_id: int) -> None:
        """A trainer changed (called on whichever thread changed it): the publisher sends its update."""
        with self._change:
            self._changed.add(trainer_id)
            self._change.notify()

    def publish_forever(self) -> None:
        """Sends each changed trainer's update, sleeping while none changes."""
        while not self.closed.is_set():
            with self._change:
                while not self._changed and not self.closed.is_set():
                    self._change.wait()
                changed, self._changed = self._changed, set()
            for trainer_id in changed:
                host = self.hosts.get(trainer_id)
                if host is not None and not host.trainer.closed:
                    self.publish(host)

    def close(self) -> None:
        """The server went away: the publisher and the command loop end."""
        with self._change:
            self.closed.set()
            self._change.notify()

    def serve(self) -> None:
        threading.Thread(target=self.publish_forever, name="playground-publisher", daemon=True).start()
        try:
            while True:
                try:
                    name, trainer_id, sequence, argument = self.connection.recv()
                except (EOFError, OSError):
                    return  # the server went away
                self.apply(name, trainer_id, sequence, argument)
        finally:
            self.close()
            with self.hosts_lock:
                hosts = list(self.hosts.values())
            for host in hosts:
                host.trainer.close()
            for sweep in list(self.sweeps.values()):
                sweep.cancel()  # its threads end, so the process can exit

    def apply(self, name: str, trainer_id: int, sequence: int, argument: tuple) -> None:
        try:
            if name == "create":  # building a big model takes a while: the other trainers' commands go on meanwhile
                threading.Thread(
                    target=self.create, args=(trainer_id, sequence, argument), name="playground-create", daemon=True
                ).start()
                return
            if name in SWEEP_COMMANDS:
                self.sweep_command(name, trainer_id, sequence, argument)
                return
            host = self.hosts.get(trainer_id)
            if host is None:
                raise LookupError(f"no trainer {trainer_id} in this worker")
            if name in ("close", "abandon"):
                with self.hosts_lock:
                    self.hosts.pop(trainer_id, None)
                # Joining the trainer's thread may take a moment: not on the command loop.
                threading.Thread(target=getattr(host.trainer, name), daemon=True).start()
                self.send(("answer", trainer_id, sequence, None))
                return
            if name in ("predict", "model_bytes"):
                value = getattr(host.trainer, name)(*argument)
                self.send(("answer", trainer_id, sequence, value))
                return
            getattr(host.trainer, name)(*argument)
            if name not in SILENT_COMMANDS:
                self.publish(host, force=True, then=("answer", trainer_id, sequence, None))
        except Exception as error:  # the server's caller gets the error; the worker goes on
            logging.getLogger(__name__).exception("Command %s failed", name)
            self.send(("answer", trainer_id, sequence, error))

    def create(self, trainer_id: int, sequence: int, argument: tuple) -> None:
        """Builds a trainer (on a thread of its own) and answers with its batches per epoch."""
        from playground.engine.live_population import LIVE_POPULATIONS
        from playground.engine.trainer import Trainer

        spec_json, warm_up = argument
        try:
            trainer = Trainer(spec_from_json(spec_json), warm_up=warm_up, envelope=True, population=LIVE_POPULATIONS)
        except Exception as error:  # the server's caller gets the error
            logging.getLogger(__name__).exception("Command create failed")
            self.send(("answer", trainer_id, sequence, error))
            return
        host = TrainerHost(trainer_id, trainer)
        # A run that ends is saved by the server: its final rows go first, then "ended", before
        # the trainer goes idle, so whoever waits for the end there finds it saved.
        trainer.on_end = lambda _: self.publish(host, force=True, then=("ended", trainer_id, None))
        with self.hosts_lock:
            self.hosts[trainer_id] = host
        trainer.changes.listen(lambda: self.changed(trainer_id))
        self.publish(host, force=True, then=("answer", trainer_id, sequence, trainer.batches_per_epoch))

    def sweep_command(self, name: str, number: int, sequence: int, argument: tuple) -> None:
        """A sweep's commands (`runs.worker_sweep`): "sweep" starts one, off the command loop since
        reading its plan and starting a search take a moment; "sweep_cancel" stops one."""
        if name == "sweep_cancel":
            sweep = self.sweeps.get(number)
            if sweep is not None:
                sweep.cancel()
            return

        def start() -> None:
            from playground.runs.worker_sweep import SweepHost

            try:
                sweep = SweepHost(self.send, number, *argument)
                self.sweeps[number] = sweep
                sweep.start(on_end=lambda: self.sweeps.pop(number, None))
            except Exception as error:  # the server's caller gets the error
                logging.getLogger(__name__).exception("Sweep %s could not start", number)
                self.send(("answer", number, sequence, error))
            else:
                self.send(("answer", number, sequence, None))

        threading.Thread(target=start, name="playground-sweep-start", daemon=True).start()


def compile_default_experiment(envelope: bool = True, class_programs: bool = False) -> None:
    """Compiles the programs of the experiment every page opens with (the default preset), so a
    class opening the app finds them compiled; then, with `envelope`, the envelope's for networks
    like it (`envelope_loop.live_loop`), so that editing the network compiles nothing, and the
    programs that step a class given the default experiment together (`live_population`); with
    `class_programs` too, those that step a class of playground networks like it on the envelope
    (7-9 s each: a server made ready for a lecture). Any other experiment compiles on first use."""
    from playground.engine.envelope_loop import compile_envelope_for
    from playground.engine.live_population import LIVE_POPULATIONS
    from playground.engine.trainer import Trainer
    from playground.presets import DEFAULT_PRESET, PRESETS

    log = logging.getLogger(__name__)
    started = time.monotonic()
    spec = PRESETS[DEFAULT_PRESET].spec
    trainer = Trainer(spec)
    trainer.wait_until_ready(120)
    log.info("Compiled the default experiment's programs in %.1f s", time.monotonic() - started)
    default_loop = trainer.loop  # kept: closing the trainer lets it go
    trainer.close()
    if not envelope:
        return
    # At the usual priority: at a lower one, this thread still takes the GIL, and on a busy
    # machine the scheduler left it waiting with the GIL held, so a page's trainer that had
    # to compile waited behind it (over 50 s with two cores kept busy).
    started = time.monotonic()
    envelope_loop = compile_envelope_for(spec)
    log.info("Compiled the envelope's programs in %.1f s", time.monotonic() - started)
    # Then the programs that step a class given the default experiment together (2-4 s).
    LIVE_POPULATIONS.compile_for(default_loop)
    if class_programs and envelope_loop is not None:
        started = time.monotonic()
        LIVE_POPULATIONS.compile_for(envelope_loop)
        log.info("Compiled the envelope's class programs in %.1f s", time.monotonic() - started)


def serve(connection: Connection, log_level: str = "INFO", niceness: int = 0, compile_default: bool = True) -> None:
    """Serves the server at the other end of `connection` until it closes, at the given niceness
    (the background worker, of big networks and sweeps, yields the cores to the others and never
    trains the default experiment, so it does not compile it: `training_workers`)."""
    os.nice(niceness)  # before any thread starts: they all inherit it
    import playground  # noqa: F401  (TensorFlow's environment, before TensorFlow is imported)

    logging.basicConfig(
        level=log_level,
        stream=sys.stderr,
        format=f"%(asctime)s worker {os.getpid()} %(name)s %(levelname)s: %(message)s",
    )
    sys.setswitchinterval(float(os.environ.get("PLAYGROUND_GIL_SWITCH_S", "0.001")))
    if compile_default:  # beside the commands, not before them: a page opening something else is served at once
        # The envelope too, unless nothing is to compile ahead (the in-process tests' setting);
        # "class": a class's envelope programs as well.
        ahead = os.environ.get("PLAYGROUND_COMPILE_AHEAD", "1")
        threading.Thread(
            target=compile_default_experiment,
            args=(ahead != "0", ahead == "class"),
            name="playground-compile-default",
            daemon=True,
        ).start()
    Worker(connection).serve()


# python -m playground.engine.worker_process SOCKET_FD LOG_LEVEL NICENESS COMPILE_DEFAULT (training_workers starts it)
if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1")
