"""An institution's signing certificate as an operator would configure it: a
leaf issued by a root CA, in a passphrase-protected PKCS#12 with its chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID


def institution_pkcs12(passphrase: bytes, *, expired: bool = False
                       ) -> tuple[bytes, x509.Certificate]:
    """The .p12's bytes and its leaf certificate (expired a day ago if asked)."""
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Voorbeeld Root CA")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=800)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    until = now - timedelta(days=1) if expired else now + timedelta(days=365)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.COMMON_NAME, "Universiteitsbibliotheek Voorbeeld"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Universiteit Voorbeeld")]))
            .issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=400)).not_valid_after(until)
            .sign(root_key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"institution", key, leaf, [root], BestAvailableEncryption(passphrase))
    return data, leaf
