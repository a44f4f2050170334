"""The demo course, its people and its links (the links are seeded into `demo_links`)."""

from __future__ import annotations

from dataclasses import dataclass

from .platform import INSTITUTION, MEMBERSHIP, SYSTEM

CLIENT_ID = "kennisdeling-demo"
DEPLOYMENT_ID = "demo-deployment-1"
# The Moodle profile: the same site and registration; Moodle's deployment id is
# the id of the tool type (a number), which its dynamic registration sends.
MOODLE_TOOL_TYPE_ID = "4"
# The Canvas profile: a registration of its own (a developer key's global id).
CANVAS_CLIENT_ID = "10000000000001"
CONTEXT_ID = "demo-course-2026"
CONTEXT_TITLE = "Library Basics 2026 (demo)"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    given_name: str
    family_name: str
    email: str
    locale: str
    roles: tuple[str, ...]
    role_label: str


PEOPLE = {
    p.key: p
    for p in (
        DemoPerson("anna", "Anna de Vries", "Anna", "de Vries", "anna.devries@example.org",
                   "nl", (MEMBERSHIP + "Learner", INSTITUTION + "Staff"), "learner"),
        DemoPerson("bram", "Bram Jansen", "Bram", "Jansen", "bram.jansen@example.org",
                   "en", (MEMBERSHIP + "Learner", INSTITUTION + "Staff"), "learner"),
        DemoPerson("carla", "Carla Visser", "Carla", "Visser", "carla.visser@example.org",
                   "nl", (MEMBERSHIP + "Instructor", INSTITUTION + "Faculty"), "trainer"),
        DemoPerson("dirk", "Dirk Bakker", "Dirk", "Bakker", "dirk.bakker@example.org",
                   "en", (MEMBERSHIP + "Instructor", INSTITUTION + "Administrator",
                          SYSTEM + "Administrator"), "administrator"),
    )
}


@dataclass(frozen=True)
class DemoLink:
    key: str
    title: str
    custom: tuple[tuple[str, str], ...]


LINKS = {
    link.key: link
    for link in (
        DemoLink("library-basics", "Library Basics", (("course", "library-basics"),)),
        DemoLink("licence-negotiation", "Licentieonderhandelingen / Licence negotiation",
                 (("course", "licence-negotiation"),)),
    )
}


# Course members who never launch the tool: the roster (NRPS) has them all, as a
# real course does, so the tool's trainer sees learners who have not started.
_LEARNER_NAMES = (
    ("Eva", "Mulder"), ("Fleur", "de Boer"), ("Gijs", "Smit"), ("Hanna", "Meijer"),
    ("Ilse", "de Groot"), ("Jesse", "Bos"), ("Karim", "El Amrani"), ("Lotte", "Vos"),
    ("Milan", "Peters"), ("Noor", "Hendriks"), ("Olaf", "van Leeuwen"), ("Priya", "Ramdin"),
    ("Quinten", "Dekker"), ("Roos", "Brouwer"), ("Sanne", "de Wit"), ("Tim", "Dijkstra"),
    ("Umut", "Yilmaz"), ("Vera", "Smits"), ("Wouter", "de Graaf"), ("Yara", "van der Meer"),
)
LEARNERS = tuple(
    DemoPerson(
        f"learner-{n:02d}", f"{given} {family}", given, family,
        f"{given.lower()}.{family.lower().replace(' ', '')}@example.org",
        "nl", (MEMBERSHIP + "Learner",), "learner",
    )
    for n, (given, family) in enumerate(_LEARNER_NAMES, start=1)
)


def moodle_user_id(person: DemoPerson) -> str:
    """Moodle's `$USER->id`, its login_hint: 1 is the guest, 2 the site admin."""
    return str(3 + list(PEOPLE).index(person.key))


def person_by_moodle_user_id(value: str) -> DemoPerson | None:
    return next((p for p in PEOPLE.values() if moodle_user_id(p) == value), None)


def user_id(person: DemoPerson) -> str:
    """The person's LTI `sub`, the same in launches, NRPS and AGS."""
    return f"demo-{person.key}"


def members() -> tuple[DemoPerson, ...]:
    """Everyone in the demo course: the four launchable people, then the roster."""
    return (*PEOPLE.values(), *LEARNERS)


def member_by_user_id(value: str) -> DemoPerson | None:
    return next((p for p in members() if user_id(p) == value), None)
