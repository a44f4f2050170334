"""Import every feature's models so that Alembic and create_all see all tables.

The demo LMS's models are not here: they are on their own metadata, imported
only by the demo itself, where it runs.
"""

from .learning.models import GradeDelivery, ModuleProgress, QuizAttempt  # noqa: F401
from .lti.models import StoredValue, ToolKey  # noqa: F401
from .people.models import Context, Enrollment, Person, ResourceLink  # noqa: F401
from .platforms.models import Deployment, Platform  # noqa: F401
from .shadowing.models import ShadowDay, ShadowDayEvent  # noqa: F401
from .issuing.models import Certificate, CertificatePdf, NameRequest  # noqa: F401
from .jobs.models import Job  # noqa: F401
from .credentials.models import CredentialKey, IssuedCredential  # noqa: F401
from .trainer.models import RosterSync  # noqa: F401
