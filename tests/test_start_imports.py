"""A web worker starts without the PDF libraries (issue 19: < 150 MB RSS per worker).

WeasyPrint, pyHanko (with fontTools) and pypdf add ~45, ~35 and ~25 MB to every
gunicorn worker that imports them at start; only issuing, signing and the
verification upload use them, and they import them when they do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("weasyprint", "pyhanko", "fontTools", "pypdf")

PROGRAM = """
import json, sys
from lti_app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///%(db)s", "SECRET_KEY": "x" * 32},
                 instance_path=%(instance)r)
%(then)s
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(%(heavy)r))))
"""


def heavy_modules_after(tmp_path, then: str = "") -> list[str]:
    """The PDF libraries a fresh process holds once it made the app and ran `then`."""
    program = PROGRAM % {"db": tmp_path / "start.sqlite3", "instance": str(tmp_path),
                         "heavy": HEAVY, "then": then}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_app_starts_without_the_pdf_libraries(tmp_path):
    assert heavy_modules_after(tmp_path) == []
