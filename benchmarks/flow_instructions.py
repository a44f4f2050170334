"""A learner's flow in instructions, request by request: `python -m benchmarks.flow_instructions`.

Under load the quiz submit's latency is a queue: each request waits for the
others in flight, so it follows what a learner costs the machine's CPU. That
cost in seconds wanders from machine to machine and minute to minute (the load
script's wave took 7 to 21 CPU s on machines of one kind); in instructions it
does not. This counts, with callgrind (`benchmarks/callgrind.py`), the
instructions the tool runs for each request of the load script's learner:
the login, the launch (her first), the module page, the quiz POST (a first
pass) and the result page, and the course overview this benchmark's launch
lands on (the load script's lands on the module page); beside them the throughput benchmark's
baseline, the bare Flask 20 KB page (`bare_page_app.py`), through the same
test client.

In-process on SQLite (`launch_bench`'s app and platform), each learner new.
The launch carries no grade-service claim, so no score is queued (under the
load script each pass also writes one outbox row and sends it from the RQ
worker). Not counted: the kernel's share, PostgreSQL, the LMS, the browser.
About four minutes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from .callgrind import Toggles, per_label, run_counted, spread
from .rows import Row
from .run import format_table, machine_line

COURSE = "library-basics"
STEPS = ("login", "launch", "course overview", "module page", "quiz POST", "quiz result")
# The load script's learner: her launch lands on the module page itself, so the
# overview (where this benchmark's link lands) is not part of her.
LEARNER = ("login", "launch", "module page", "quiz POST", "quiz result")
BARE = "bare Flask 20 KB page"
WARM = 5


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10, help="counted learners, each new")
    parser.add_argument("--inner", metavar="LIB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        _count_flows(Toggles(args.inner), args.n)
        return
    values = per_label(run_counted("benchmarks.flow_instructions", ["-n", str(args.n)]), 1)
    if any(not values.get(label) for label in (*STEPS, BARE)):
        sys.exit(f"callgrind gave no usable counts: {values}")
    bare = spread(values[BARE])["median"]
    rows = [_row(step, values[step], bare) for step in STEPS]
    learner = [sum(each) for each in zip(*(values[step] for step in LEARNER), strict=True)]
    rows.append(_row("the load script's learner (all but the overview)", learner, bare))
    rows.append(_row(BARE, values[BARE], bare))
    print(machine_line())
    print(format_table(rows))


def _row(name: str, values: list[float], bare: float) -> Row:
    middle = spread(values)
    return Row(name, {"n": len(values), **{f"{k} M instr": v for k, v in middle.items()},
                      "/ bare page": f"{middle['median'] / bare:.1f}x"})


def _count_flows(toggles: Toggles, n: int) -> None:
    from course_content.loader import load_catalog

    from .bare_page_app import app as bare_page
    from .launch import launch_bench
    from .load_faults import right_answers

    module = load_catalog().course(COURSE).published_modules[0]
    answers = right_answers(module)
    counting = {"on": False}
    with launch_bench() as bench:
        app = bench.ours.app
        app.wsgi_app = toggles.counted_wsgi(app.wsgi_app, lambda _e: counting["on"])  # type: ignore[method-assign]
        bare_page.wsgi_app = toggles.counted_wsgi(  # type: ignore[method-assign]
            bare_page.wsgi_app, lambda _e: counting["on"])
        bare_client = bare_page.test_client()

        def step(label: str | None, request):
            counting["on"] = label is not None
            try:
                return request()
            finally:
                counting["on"] = False
                if label is not None:
                    toggles.dump(label)

        for i in range(WARM + n):
            label = (lambda name: name) if i >= WARM else (lambda _name: None)
            _learner(bench, module.slug, answers, f"flow-{i}", step, label)
            step(label(BARE), lambda: _expect(bare_client.get("/"), 200, BARE))
            if i == WARM - 1:
                toggles.zero()


def _learner(bench, slug: str, answers: dict, sub: str, step, label) -> None:
    from .loadtest.client import _form_tokens
    from .lti_flow import TOOL_BASE, drive_launch

    client = bench.ours.app.test_client()
    counted = {"login": label("login"), "launch": label("launch")}
    timing = _drive_counted(client, bench, sub, step, counted, drive_launch)
    landing = urlsplit(timing.location)
    query = landing.query
    step(label("course overview"), lambda: _expect(
        client.get(f"{landing.path}?{query}", base_url=TOOL_BASE), 200, "course overview"))
    page = step(label("module page"), lambda: _expect(
        client.get(f"/modules/{slug}?{query}", base_url=TOOL_BASE), 200, "module page"))
    form = {**_form_tokens(page.get_data(as_text=True)), **answers}
    posted = step(label("quiz POST"), lambda: _expect(
        client.post(f"/modules/{slug}/quiz?{query}", data=form, base_url=TOOL_BASE),
        {302, 303}, "quiz POST"))
    result = urlsplit(posted.headers["Location"])
    step(label("quiz result"), lambda: _expect(
        client.get(f"{result.path}?{result.query}", base_url=TOOL_BASE), 200, "quiz result"))


def _drive_counted(client, bench, sub, step, counted, drive_launch):
    """drive_launch, with its two tool requests counted apart (the platform's part is not)."""
    inner = client.post

    def post(path, *args, **kwargs):
        name = "login" if path == "/lti/login" else "launch"
        return step(counted[name], lambda: inner(path, *args, **kwargs))

    client.post = post
    try:
        return drive_launch(client, bench.platform, sub=sub, launch_status={303})
    finally:
        client.post = inner


def _expect(response, status: int | set[int], what: str):
    if response.status_code not in ({status} if isinstance(status, int) else status):
        raise RuntimeError(f"{what}: HTTP {response.status_code}, expected {status}")
    return response


if __name__ == "__main__":
    main()
