"""Open Badges 3.0 credentials next to the certificate PDF (issue 20).

An OpenBadgeCredential per certificate, signed as a VC-JWT with a key of the
tool, its revocation in a Bitstring Status List, and a baked PNG badge. The
blueprint is in views.py (imported by the app factory only, so the issuing
views can import the service without a cycle).
"""
