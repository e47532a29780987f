"""An SMTP connection with the server's own timeout and certificate check.

Odoo 18 opens every connection with one module-level timeout (60 s) and, for STARTTLS and SSL/TLS,
without checking the server's certificate. ``ir.mail_server.connect`` (models/ir_mail_server.py)
opens the connections of a configured server with :class:`DeliverySMTPConnection` instead, which
takes the timeout and the check as arguments. Nothing here is assigned into Odoo's modules.
"""

import smtplib
import ssl

from cryptography import x509

from odoo.addons.base.models.ir_mail_server import SMTPConnection


def verifying_context(context):
    """TLS context that checks the server's certificate chain against the system's authorities.

    ``context`` is Odoo's own one for client-certificate authentication (pyOpenSSL), or None.
    """
    if context is None:
        # CERT_REQUIRED, host name checked, system trust store: what smtplib should do.
        return ssl.create_default_context()
    context.verify_mode = ssl.CERT_REQUIRED
    # pyOpenSSL's context has no load_default_certs(); the system's authorities all the same (it
    # checks the chain, not the host name: check_peer_host_name does).
    context.set_default_verify_paths()
    return context


def check_peer_host_name(sock, host):
    """Refuse a pyOpenSSL connection whose certificate is not issued for ``host`` (Python's ssl
    module checks it itself; pyOpenSSL, used for client-certificate authentication, does not)."""
    connection = getattr(sock, "connection", None)  # urllib3's WrappedSocket around pyOpenSSL
    if connection is None:
        return
    certificate = connection.get_peer_certificate().to_cryptography()
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = None
    dns = names.get_values_for_type(x509.DNSName) if names else []
    ips = [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] if names else []
    wanted = host.lower()
    if wanted in ips or any(
        name.lower() == wanted
        or (name.startswith("*.") and "." in wanted and wanted.split(".", 1)[1] == name[2:].lower())
        for name in dns
    ):
        return
    raise verification_error(f"Hostname mismatch, certificate is not valid for '{host}'")


def verification_error(message):
    """The error Python's ssl module raises for a certificate that fails the check (what the SMTP
    diagnosis recognizes), for the same failure seen through pyOpenSSL."""
    error = ssl.SSLCertVerificationError(f"certificate verify failed: {message}")
    error.verify_message = message
    error.verify_code = None
    return error


def _pyopenssl_verified(connect, smtp_of, host):
    """Run ``connect`` (a TLS handshake), then check the host name; a pyOpenSSL handshake refused
    for the certificate is raised as Python's certificate error."""
    try:
        result = connect()
    except ssl.SSLError as error:
        if "certificate verify failed" in str(error) and not isinstance(error, ssl.SSLCertVerificationError):
            raise verification_error("the server's certificate is not issued by a trusted authority") from error
        raise
    check_peer_host_name(smtp_of(result).sock, host)
    return result


class DeliverySMTPConnection(SMTPConnection):
    """Odoo's SMTP connection wrapper, opened with ``timeout`` and, when ``verify``, a check of the
    server's certificate (chain and host name) for STARTTLS and SSL/TLS."""

    def __init__(self, server, port, encryption, context=None, timeout=60, verify=False):  # pylint: disable=super-init-not-called
        # Odoo's __init__ opens the connection with its module-level timeout: not called.
        verify = verify and encryption in ("ssl", "starttls")
        if verify:
            context = verifying_context(context)
        self._delivery_tls_context = context if verify else None
        self._delivery_host = server
        if encryption == "ssl" and verify:
            self.__obj__ = _pyopenssl_verified(
                lambda: smtplib.SMTP_SSL(server, port, timeout=timeout, context=context),
                lambda smtp: smtp,
                server,
            )
        elif encryption == "ssl":
            self.__obj__ = smtplib.SMTP_SSL(server, port, timeout=timeout, context=context)
        else:
            self.__obj__ = smtplib.SMTP(server, port, timeout=timeout)

    @property
    def starttls(self):
        starttls = self.__obj__.starttls
        verifying = self._delivery_tls_context
        if verifying is None:
            return starttls

        def starttls_verified(*args, context=None, **kwargs):
            return _pyopenssl_verified(
                lambda: starttls(*args, context=context or verifying, **kwargs),
                lambda _reply: self.__obj__,
                self._delivery_host,
            )

        return starttls_verified
