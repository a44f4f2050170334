"""Certificate PDFs: ``certificates.render.render_certificate_pdf(CertificateData)``.

Imports nothing from ``lti_app`` or Flask. The package root stays empty so that
importing ``certificates.data`` does not load WeasyPrint.
"""
