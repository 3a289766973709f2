"""Classes in the run database: a lecturer opens one, students join it with its code, the
lecturer pushes experiments to it, and every student's tile reaches the board.

A class lives in the same database as the saved runs (SQLite by default, PostgreSQL for
replicas), so a student served by one replica and a lecturer served by another share it: pushes
and tiles travel through its tables, read a few times a second (`class_reporter.py`).

Who may do what:
- The lecturer holds a token made when the class was opened. Only its SHA-256 is stored; every
  lecturer action (push, lock, end, read the board) checks it. It is kept in the lecturer's
  browser cookie, never in a link.
- A student holds a member id, a random secret of their session. With it they can report their
  own tile and leave; nothing else.
- The join code only lets one join (when the class is not locked or full).

A class is open until the lecturer ends it or their board has been closed for
`CLASS_IDLE_SECONDS`; its members leave the board when their page has not reported for
`MEMBER_TIMEOUT_SECONDS`. Classes closed a day ago are deleted with their members when the next
class is opened.

Example:

    classes = ClassStore(run_store)
    opened, token = classes.open("Lecture 3")
    member = classes.join(opened.code, owner="abc…", name="Ada")
    classes.push(token, spec, task="Find the smallest network that separates the spiral")
    classes.report([(member.id, spec.to_json(), tile.to_json(), time.time())])
    classes.board(token)            # [Member(...)] with their tiles
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from playground.classes.class_pins import free_names
from playground.classes.class_tile import ClassTile
from playground.classes.join_codes import new_join_code, read_code
from playground.limits import CLASS_IDLE_SECONDS, MAX_CLASS_SIZE, MAX_CLASSES
from playground.runs.run_store import METADATA, RunStore, StoreError
from playground.spec import ExperimentSpec, SpecError
from playground.spec_reading import spec_from_json
from playground.validation import clean_title

MEMBER_TIMEOUT_SECONDS = 10.0  # a page that has not reported for this long is off the board (its tab was closed)
KEEP_CLOSED_SECONDS = 24 * 60 * 60
MAX_NAME_CHARS = 40
MAX_TASK_CHARS = 500
DEFAULT_NAME = re.compile(r"Student (\d{1,6})")  # a default name (`default_name`)

CLASSES = sa.Table(
    "classes",
    METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("lecturer", sa.Text, nullable=False),  # the SHA-256 of the lecturer's token
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("active_at", sa.Float, nullable=False),  # the lecturer's board was last open then
    sa.Column("locked", sa.Boolean, nullable=False),
    sa.Column("ended_at", sa.Float),
    sa.Column("push_number", sa.Integer, nullable=False),  # 0: nothing pushed yet
    sa.Column("push_spec", sa.Text),
    sa.Column("push_task", sa.Text),
    sa.Column("push_at", sa.Float),
    sa.Column("push_free", sa.Text),  # JSON: the names of what the class may change (`class_pins`); null: anything
    sa.Index("classes_lecturer", "lecturer"),
)
MEMBERS = sa.Table(
    "class_members",
    METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("class_id", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),  # the student's owner id: a reload joins as the same member
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("joined_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
    sa.Column("spec", sa.Text),
    sa.Column("tile", sa.Text),
    sa.UniqueConstraint("class_id", "owner", name="class_members_owner"),
    sa.Index("class_members_class", "class_id", "seen_at"),
)


CLASS_SAVES = sa.Table(  # the lecturer's asks to save a student's run (`class_saves.py`), one per student
    "class_saves",
    METADATA,
    sa.Column("member_id", sa.Text, primary_key=True),
    sa.Column("class_id", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),  # the lecturer's owner id: whose run it becomes
    sa.Column("name", sa.Text, nullable=False),  # the student's display name, for the run's title
    sa.Column("asked_at", sa.Float, nullable=False),
    sa.Column("run_id", sa.Text),  # the answer: the run saved,
    sa.Column("problem", sa.Text),  # or why it could not be
)


class ClassRefused(Exception):
    """What was refused and why, in words for the page."""


class UnknownClass(ClassRefused):
    """No open class has the code typed (what the rate limit of wrong codes counts)."""


@dataclass(frozen=True)
class ClassInfo:
    id: str
    code: str
    title: str
    created_at: float
    locked: bool
    push_number: int
    push_spec: ExperimentSpec | None
    push_task: str
    push_at: float | None
    push_free: list[str] | None  # what the class may change in the pushed experiment (None: anything)


@dataclass(frozen=True)
class Member:
    id: str
    class_id: str
    name: str
    joined_at: float
    seen_at: float
    spec: ExperimentSpec | None
    tile: ClassTile


def default_name(names: list[str]) -> str:
    """The name of a student who gave none: "Student N", numbered after the class's members and the
    highest such number among their names (one who left keeps their number: the next is not
    numbered as a student still on the board)."""
    numbered = [int(match[1]) for match in map(DEFAULT_NAME.fullmatch, names) if match]
    return f"Student {max([len(names), *numbered]) + 1}"


def clean_name(name: object) -> str:
    """A display name a class can show: one short line of printable characters (shown as text everywhere)."""
    return clean_title(name)[:MAX_NAME_CHARS].strip()


def clean_task(task: object) -> str:
    """A task text: printable characters (line breaks as spaces), at most MAX_TASK_CHARS."""
    text = "".join(c if c.isprintable() else " " for c in str(task)[: MAX_TASK_CHARS * 4])
    return " ".join(text.split())[:MAX_TASK_CHARS]


def _digest(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8", "replace")).hexdigest()


def _spec(text) -> ExperimentSpec | None:
    if not text:
        return None
    try:
        return spec_from_json(text)
    except SpecError:
        return None


def _free(text) -> list[str] | None:
    try:
        return free_names(json.loads(text)) if text else None
    except (ValueError, RecursionError):
        return None


def _class(row) -> ClassInfo:
    return ClassInfo(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        created_at=row["created_at"],
        locked=bool(row["locked"]),
        push_number=int(row["push_number"]),
        push_spec=_spec(row["push_spec"]),
        push_task=row["push_task"] or "",
        push_at=row["push_at"],
        push_free=_free(row["push_free"]),
    )


def _member(row) -> Member:
    return Member(
        id=row["id"],
        class_id=row["class_id"],
        name=row["name"],
        joined_at=row["joined_at"],
        seen_at=row["seen_at"],
        spec=_spec(row["spec"]),
        tile=ClassTile.from_json(row["tile"]),
    )


class ClassStore:
    """The classes of one run database. Every method is one short transaction, so all sessions
    and threads may share one instance. Raises `StoreError` when the database cannot be used."""

    def __init__(self, store: RunStore, clock=time.time):
        if not isinstance(store, RunStore):  # an UnavailableStore: it carries the reason
            raise StoreError(getattr(store, "message", "The run database cannot be used."))
        self.store = store
        self.clock = clock
        self._joining = threading.Lock()  # a class joined at once by many: each newcomer counted, numbered apart
        try:
            METADATA.create_all(store.engine, tables=[CLASSES, MEMBERS, CLASS_SAVES], checkfirst=True)
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(store._explain(error)) from error

    def _open_now(self):
        """The condition of a class that is open now."""
        return CLASSES.c.ended_at.is_(None) & (CLASSES.c.active_at > self.clock() - CLASS_IDLE_SECONDS)

    # The lecturer's.
    def open(self, title: str = "") -> tuple[ClassInfo, str]:
        """Opens a class; returns it and the lecturer's token (to keep in their cookie only)."""
        now = self._forget_closed()
        count = self.store.execute(sa.select(sa.func.count().label("n")).where(self._open_now()), "one")["n"]
        if count >= MAX_CLASSES:
            raise ClassRefused(
                f"This server already has {count} classes open, its limit (PLAYGROUND_MAX_CLASSES). "
                "Try again when one has ended, or ask the server's operator to raise the limit."
            )
        token = secrets.token_urlsafe(24)
        class_id = secrets.token_urlsafe(12)
        for _ in range(5):  # a code already taken (one in 2⁴⁰ per open class) is drawn again
            code = new_join_code()
            try:
                self.store.execute(
                    CLASSES.insert().values(
                        id=class_id,
                        code=code,
                        lecturer=_digest(token),
                        title=clean_title(title) or "Class",
                        created_at=now,
                        active_at=now,
                        locked=False,
                        push_number=0,
                    )
                )
                break
            except StoreError as error:
                if not isinstance(error.__cause__, sa.exc.IntegrityError):
                    raise
        opened = self.lecturer_class(token)
        if opened is None:
            raise StoreError("The class could not be opened: the database did not keep it.")
        return opened, token

    def lecturer_class(self, token: str | None) -> ClassInfo | None:
        """The open class whose lecturer holds `token`, or None."""
        if not token:
            return None
        row = self.store.execute(
            sa.select(CLASSES).where(CLASSES.c.lecturer == _digest(token), self._open_now()), "one"
        )
        return None if row is None else _class(row)

    def _lecturers(self, token: str):
        return (CLASSES.c.lecturer == _digest(token)) & self._open_now()

    def _change(self, token: str, **values) -> None:
        if not self.store.execute(CLASSES.update().where(self._lecturers(token)).values(**values)):
            raise ClassRefused("Only the lecturer who opened this class can do that, and only while it is open.")

    def _changed(self, token: str, **values) -> ClassInfo:
        self._change(token, **values)
        info = self.lecturer_class(token)
        if info is None:
            raise ClassRefused("This class has ended.")
        return info

    def touch(self, token: str) -> None:
        """The lecturer's board is open: the class is not idle."""
        self.store.execute(CLASSES.update().where(self._lecturers(token)).values(active_at=self.clock()))

    def push(self, token: str, spec: ExperimentSpec, task: str = "", free: list[str] | None = None) -> ClassInfo:
        """Sends `spec` (and a task text) to every student in the class; their pages load it.

        Args:
            free: what the students may change in it (names of `class_pins.FREEDOMS`); None: anything.
        """
        free = free_names(free)
        return self._changed(
            token,
            push_number=CLASSES.c.push_number + 1,
            push_spec=spec.to_json(),
            push_task=clean_task(task),
            push_at=self.clock(),
            push_free=None if free is None else json.dumps(free),
        )

    def lock(self, token: str, locked: bool) -> ClassInfo:
        """Locked: no one new can join (those in the class stay)."""
        return self._changed(token, locked=bool(locked))

    def end(self, token: str) -> None:
        """Ends the class: its students' pages say so, and the code joins nothing any more."""
        self._change(token, ended_at=self.clock())

    def board(self, token: str) -> list[Member]:
        """The members whose page reported lately, in the order they joined (for the lecturer only)."""
        info = self.lecturer_class(token)
        if info is None:
            raise ClassRefused("Only the lecturer who opened this class can see its board, and only while it is open.")
        rows = self.store.execute(
            sa.select(MEMBERS)
            .where(MEMBERS.c.class_id == info.id, MEMBERS.c.seen_at > self.clock() - MEMBER_TIMEOUT_SECONDS)
            .order_by(MEMBERS.c.joined_at, MEMBERS.c.id),
            "all",
        )
        return [_member(row) for row in rows]

    # The students'.
    def find(self, code: object) -> ClassInfo | None:
        """The open class with the code a student typed (read leniently), or None."""
        code = read_code(code)
        if code is None:
            return None
        row = self.store.execute(sa.select(CLASSES).where(CLASSES.c.code == code, self._open_now()), "one")
        return None if row is None else _class(row)

    def join(self, code: object, owner: str, name: object = "") -> tuple[ClassInfo, Member]:
        """Joins the class with `code` as `owner` (a student already in it joins again as the same member,
        with the new name). Raises `ClassRefused` for a wrong code, a locked or a full class."""
        info = self.find(code)
        if info is None:
            raise UnknownClass("No open class has this code. Check it on the lecturer's screen and type it again.")
        now = self.clock()
        name = clean_name(name)
        mine = (MEMBERS.c.class_id == info.id) & (MEMBERS.c.owner == owner)
        row = self.store.execute(sa.select(MEMBERS.c.id, MEMBERS.c.name).where(mine), "one")
        if row is not None:
            self.store.execute(MEMBERS.update().where(mine).values(name=name or row["name"], seen_at=now))
            return info, self._member(row["id"])
        if info.locked:
            raise ClassRefused("The lecturer has locked this class: no one new can join now. Ask them to unlock it.")
        member_id = secrets.token_urlsafe(12)
        with self._joining:  # the names and the insert together: students joining at once are not both "Student 3"
            names = [
                row["name"]
                for row in self.store.execute(sa.select(MEMBERS.c.name).where(MEMBERS.c.class_id == info.id), "all")
            ]
            members = len(names)
            if members >= MAX_CLASS_SIZE:
                raise ClassRefused(
                    f"This class is full: it has {members} students, its limit (PLAYGROUND_MAX_CLASS_SIZE). "
                    "Ask the lecturer to open a second class."
                )
            try:
                self.store.execute(
                    MEMBERS.insert().values(
                        id=member_id,
                        class_id=info.id,
                        owner=owner,
                        name=name or default_name(names),
                        joined_at=now,
                        seen_at=now,
                    )
                )
            except StoreError as error:  # the same student joined twice at once (two tabs): that one membership
                if not isinstance(error.__cause__, sa.exc.IntegrityError):
                    raise
                row = self.store.execute(sa.select(MEMBERS.c.id).where(mine), "one")
                member_id = row["id"]
        return info, self._member(member_id)

    def _member(self, member_id: str) -> Member:
        row = self.store.execute(sa.select(MEMBERS).where(MEMBERS.c.id == member_id), "one")
        if row is None:
            raise ClassRefused("You are no longer in this class. Join it again with its code.")
        return _member(row)

    def leave(self, member_id: str) -> None:
        self.store.execute(CLASS_SAVES.delete().where(CLASS_SAVES.c.member_id == str(member_id)))
        self.store.execute(MEMBERS.delete().where(MEMBERS.c.id == str(member_id)))

    def report(self, reports: list[tuple[str, str, str, float]]) -> None:
        """Stores many members' (member id, spec JSON, tile JSON, when their page was last seen) at
        once: one transaction for all the pages a process serves."""
        if not reports:
            return
        statement = (
            MEMBERS.update()
            .where(MEMBERS.c.id == sa.bindparam("member"))
            .values(spec=sa.bindparam("spec_json"), tile=sa.bindparam("tile_json"), seen_at=sa.bindparam("now"))
        )
        self.store.execute(
            statement,
            parameters=[{"member": m, "spec_json": s, "tile_json": t, "now": seen} for m, s, t, seen in reports],
        )

    def classes(self, class_ids: list[str]) -> dict[str, ClassInfo]:
        """The open classes among `class_ids`, by id (one query: the reporter asks for all its pages' classes)."""
        if not class_ids:
            return {}
        rows = self.store.execute(sa.select(CLASSES).where(CLASSES.c.id.in_(class_ids), self._open_now()), "all")
        return {row["id"]: _class(row) for row in rows}

    def _forget_closed(self) -> float:
        """Deletes the classes closed more than a day ago, and their members; returns the time now."""
        now = self.clock()
        long_ago = now - KEEP_CLOSED_SECONDS
        closed = sa.select(CLASSES.c.id).where(
            (CLASSES.c.ended_at < long_ago) | (CLASSES.c.active_at < long_ago - CLASS_IDLE_SECONDS)
        )
        self.store.execute(CLASS_SAVES.delete().where(CLASS_SAVES.c.class_id.in_(closed)))
        self.store.execute(MEMBERS.delete().where(MEMBERS.c.class_id.in_(closed)))
        self.store.execute(CLASSES.delete().where(CLASSES.c.id.in_(closed)))
        return now
