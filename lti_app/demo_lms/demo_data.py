"""The demo course, its people and its links."""

from __future__ import annotations

from dataclasses import dataclass

from .platform import INSTITUTION, MEMBERSHIP, SYSTEM

CLIENT_ID = "kennisdeling-demo"
DEPLOYMENT_ID = "demo-deployment-1"
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
