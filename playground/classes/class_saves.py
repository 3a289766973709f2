"""The lecturer's "Save as a run" of a student's experiment, carried out where the student trains.

The board sees only tiles: a student's trainer, with its whole history, lives in the process that
serves the student's page, perhaps another replica. So the lecturer's board asks (`ask`), the class
reporter of the process that serves the student finds the ask on its next tile tick (`asked`),
saves the run under the lecturer's owner id (it shows on the lecturer's Runs page) and answers
(`answer`); the spotlight shows the answer (`state`). A new ask of the same student replaces the
last one.

Example:

    saves = ClassSaves(classes)
    saves.ask(token, member.id, owner="lecturer's owner id")
    for ask in saves.asked([member.id]):      # on the student's server
        saves.answer(ask, run_id=store.save(record))
    saves.state(token, member.id).run_id
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import sqlalchemy as sa

from playground.classes.class_store import CLASS_SAVES, MEMBERS, ClassRefused, ClassStore
from playground.engine.live_trainer import LiveTrainer
from playground.engine.trainer_state import END_STATES, TrainerState
from playground.runs.run_record import RunRecord
from playground.runs.run_recorder import record_of
from playground.validation import clean_title

ANSWER_SECONDS = 10.0  # an ask still unanswered this long after it was made: the student's page has gone


@dataclass(frozen=True)
class SaveAsk:
    member_id: str
    owner: str
    name: str
    asked_at: float
    run_id: str | None
    problem: str | None

    @property
    def answered(self) -> bool:
        return self.run_id is not None or self.problem is not None


def class_run(trainer: LiveTrainer, ask: SaveAsk) -> RunRecord:
    """The student's run as it stands, saved as the lecturer's and titled with the student's name. A
    run still training is saved as stopped there (the student trains on), which its message says."""
    spec = trainer.current_spec()
    epoch = trainer.position[0]
    ended = trainer.state in END_STATES
    return dataclasses.replace(
        record_of(trainer, ask.owner, source="class"),
        spec=spec.replace(title=clean_title(f"{ask.name} · {spec.title or 'experiment'}")),
        state=trainer.state if ended else TrainerState.STOPPED,
        message=trainer.message if ended else f"Saved from the class board at epoch {epoch}; the student trained on.",
    )


def _ask(row) -> SaveAsk:
    return SaveAsk(row["member_id"], row["owner"], row["name"], row["asked_at"], row["run_id"], row["problem"])


class ClassSaves:
    """The asks kept in one class store's database."""

    def __init__(self, classes: ClassStore):
        self.classes = classes

    def ask(self, token: str, member_id: str, owner: str) -> None:
        """The lecturer holding `token` asks for the run of `member_id`, saved as `owner`'s."""
        classes, store = self.classes, self.classes.store
        info = classes.lecturer_class(token)
        if info is None:
            raise ClassRefused("Only the lecturer who opened this class can do that, and only while it is open.")
        member = store.execute(
            sa.select(MEMBERS.c.name).where(MEMBERS.c.id == str(member_id), MEMBERS.c.class_id == info.id), "one"
        )
        if member is None:
            raise ClassRefused("That student is no longer in this class.")
        store.execute(CLASS_SAVES.delete().where(CLASS_SAVES.c.member_id == str(member_id)))
        store.execute(
            CLASS_SAVES.insert().values(
                member_id=str(member_id), class_id=info.id, owner=owner, name=member["name"], asked_at=classes.clock()
            )
        )

    def asked(self, member_ids: list[str]) -> list[SaveAsk]:
        """The unanswered asks of these members (one query: the reporter asks for all its pages)."""
        if not member_ids:
            return []
        rows = self.classes.store.execute(
            sa.select(CLASS_SAVES).where(
                CLASS_SAVES.c.member_id.in_(member_ids), CLASS_SAVES.c.run_id.is_(None), CLASS_SAVES.c.problem.is_(None)
            ),
            "all",
        )
        return [_ask(row) for row in rows]

    def answer(self, ask: SaveAsk, run_id: str | None = None, problem: str | None = None) -> None:
        """Answers `ask` (not a newer ask of the same student) with the run saved, or the problem."""
        self.classes.store.execute(
            CLASS_SAVES.update()
            .where(CLASS_SAVES.c.member_id == ask.member_id, CLASS_SAVES.c.asked_at == ask.asked_at)
            .values(run_id=run_id, problem=problem)
        )

    def state(self, token: str, member_id: str) -> SaveAsk | None:
        """The lecturer's last ask for this member, answered or not (None if none, or not theirs)."""
        info = self.classes.lecturer_class(token)
        if info is None:
            return None
        row = self.classes.store.execute(
            sa.select(CLASS_SAVES).where(CLASS_SAVES.c.member_id == str(member_id), CLASS_SAVES.c.class_id == info.id),
            "one",
        )
        return None if row is None else _ask(row)
