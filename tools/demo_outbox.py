#!/usr/bin/env python3
"""The demo's outbox: an SMTP server on 127.0.0.1 that keeps every message, and a page to read them.

`make run` starts it beside Odoo, and the demo data's mail server for BR Company points at it, so
what the demo sends (boleto e-mails, dunning notices, test e-mails) arrives here instead of failing
with "connection refused". Each message is stored as a ``.eml`` file in a folder (any mail program
opens it) and listed on a small web page: date, from, to, subject; a message shows its HTML body and
its attachments to download.

    python3 tools/demo_outbox.py [--smtp-port 2525] [--http-port 8070] [--folder var/outbox]

Both servers listen on 127.0.0.1 only: the SMTP server accepts anything from anyone who can connect,
and the page shows it to anyone who can browse. The addon tests start it the same way (:func:`start`).
"""

import argparse
import email
import email.policy
import email.utils
import html
import os
import re
import signal
import socket
import sys
import threading
from datetime import datetime
from email.parser import BytesHeaderParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

HOST = "127.0.0.1"
# The demo data's mail server (cobranca_email/demo) uses this port; tools/run.sh points it at another
# one when COBRANCA_OUTBOX_SMTP_PORT says so.
DEFAULT_SMTP_PORT = 2525
DEFAULT_HTTP_PORT = 8070
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "var" / "outbox"
LIST_REFRESH_SECONDS = 10

MESSAGE_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}(-[0-9]+)?\.eml$")
MESSAGE_PATH = re.compile(r"^/messages/(?P<name>[^/]+\.eml)(?P<rest>/body|/raw|/attachments/(?P<index>[0-9]+))?$")


class Outbox:
    """The stored messages: an aiosmtpd handler that writes each one to ``folder``, and their reader."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        self.store(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        return "250 2.0.0 Kept in the outbox"

    def store(self, mail_from, rcpt_tos, content):
        """Write one received message, with its envelope as the first headers; return its file name."""
        newline = b"\r\n" if b"\r\n" in content[:2000] else b"\n"
        envelope = [f"Return-Path: <{mail_from}>", f"X-Outbox-Rcpt-To: {', '.join(rcpt_tos)}"]
        data = newline.join(line.encode("utf-8", "replace") for line in envelope) + newline + content
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        with self._lock:
            name, number = f"{stamp}.eml", 1
            while (self.folder / name).exists():
                number += 1
                name = f"{stamp}-{number}.eml"
            # Written aside, then renamed: the page never lists half a message.
            partial = self.folder / f".{name}.part"
            partial.write_bytes(data)
            os.replace(partial, self.folder / name)
        return name

    def names(self):
        """File names of the stored messages, newest first."""
        return sorted((path.name for path in self.folder.glob("*.eml") if MESSAGE_NAME.match(path.name)), reverse=True)

    def path(self, name):
        if not MESSAGE_NAME.match(name) or not (self.folder / name).is_file():
            raise KeyError(name)
        return self.folder / name

    def headers(self, name):
        with open(self.path(name), "rb") as file:
            return BytesHeaderParser(policy=email.policy.default).parse(file)

    def read(self, name):
        """The whole message ``name`` (an ``email.message.EmailMessage``)."""
        return email.message_from_bytes(self.path(name).read_bytes(), policy=email.policy.default)

    def messages(self):
        """Every stored message, newest first, as ``(name, EmailMessage)``."""
        return [(name, self.read(name)) for name in self.names()]


def local_date(message, name):
    """The message's Date header in this machine's time zone, else the time it arrived, as text."""
    try:
        when = email.utils.parsedate_to_datetime(message["Date"]).astimezone()
    except (TypeError, ValueError):
        when = datetime.strptime(name[:22], "%Y%m%d-%H%M%S-%f")
    return when.strftime("%Y-%m-%d %H:%M:%S")


def html_body(message):
    """The HTML of a message, else its text in a <pre>, else an empty string."""
    part = message.get_body(("html", "plain"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/plain":
        return f"<pre style='white-space: pre-wrap; font: 14px sans-serif;'>{html.escape(content)}</pre>"
    return content


def attachments(message):
    return [part for part in message.iter_attachments() if part.get_filename()]


def kind_text(part):
    if part.get_content_maintype() == "application":
        return part.get_content_subtype().upper()
    return part.get_content_type()


def size_text(size):
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; background: #f6f6f8; }
header { background: #714b67; color: #fff; padding: 12px 24px; }
header a { color: #fff; text-decoration: none; }
header h1 { font-size: 18px; margin: 0; display: inline-block; }
header span { margin-left: 16px; opacity: .8; font-size: 13px; }
main { padding: 16px 24px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #e3e3e8; vertical-align: top; }
th { background: #ececf1; font-weight: 600; }
tr.message:hover { background: #f3eef2; cursor: pointer; }
td.date { white-space: nowrap; color: #555; }
td.subject { width: 40%; }
a { color: #017e84; }
.empty { background: #fff; padding: 24px; color: #555; }
.headers th { width: 140px; background: #fff; color: #555; font-weight: 400; }
.file { display: inline-block; margin-right: 22px; }
.file a { font-weight: 600; }
.file small { color: #666; margin-left: 4px; }
iframe { width: 100%; height: 65vh; margin-top: 14px; border: 1px solid #e3e3e8; background: #fff; }
"""


def page(title, body, refresh=None):
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{meta}<title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>"
        f'<header><a href="/"><h1>Demo outbox</h1></a><span>what the demo sent, kept on this machine</span></header>'
        f"<main>{body}</main></body></html>"
    )


def list_page(outbox):
    rows = []
    for name in outbox.names():
        headers = outbox.headers(name)
        link = f"/messages/{quote(name)}"
        cells = [
            f'<td class="date">{html.escape(local_date(headers, name))}</td>',
            f"<td>{html.escape(str(headers['From'] or ''))}</td>",
            f"<td>{html.escape(str(headers['To'] or ''))}</td>",
            f'<td class="subject"><a href="{link}">{html.escape(str(headers["Subject"] or "(no subject)"))}</a></td>',
        ]
        rows.append(f'<tr class="message" onclick="location.href=\'{link}\'">{"".join(cells)}</tr>')
    if not rows:
        body = (
            f'<div class="empty">No message yet. Messages sent to 127.0.0.1 appear here (this page refreshes '
            f"every {LIST_REFRESH_SECONDS} seconds).</div>"
        )
    else:
        body = "<table><tr><th>Date</th><th>From</th><th>To</th><th>Subject</th></tr>" + "".join(rows) + "</table>"
    return page("Demo outbox", body, refresh=LIST_REFRESH_SECONDS)


def message_page(outbox, name):
    message = outbox.read(name)
    link = f"/messages/{quote(name)}"
    fields = [
        ("Date", local_date(message, name)),
        ("From", message["From"]),
        ("To", message["To"]),
        ("Cc", message["Cc"]),
        ("Delivered to", message["X-Outbox-Rcpt-To"]),
        ("Subject", message["Subject"]),
    ]
    rows = "".join(f"<tr><th>{label}</th><td>{html.escape(str(value))}</td></tr>" for label, value in fields if value)
    files = [
        f'<span class="file"><a href="{link}/attachments/{index}">{html.escape(part.get_filename())}</a>'
        f"<small>{html.escape(kind_text(part))}, {size_text(len(part.get_content()))}</small></span>"
        for index, part in enumerate(attachments(message))
    ]
    if files:
        rows += f"<tr><th>Attachments</th><td>{''.join(files)}</td></tr>"
    body = (
        f'<table class="headers">{rows}</table>'
        f'<iframe sandbox src="{link}/body" title="Message body"></iframe>'
        f'<p><a href="{link}/raw">Download the message (.eml)</a></p>'
    )
    return page(str(message["Subject"] or name), body)


class OutboxRequestHandler(BaseHTTPRequestHandler):
    outbox = None  # set on the subclass made by make_http_server

    def do_GET(self):
        try:
            self.route()
        except KeyError:
            self.send_text(HTTPStatus.NOT_FOUND, "Not found")

    def route(self):
        if self.path in ("/", "/index.html"):
            return self.send_html(list_page(self.outbox))
        match = MESSAGE_PATH.match(self.path)
        if not match:
            raise KeyError(self.path)
        name, rest = match["name"], match["rest"]
        if not rest:
            return self.send_html(message_page(self.outbox, name))
        if rest == "/body":
            # Sandboxed (no script, no form, no navigation): the body is shown as a mail program would.
            policy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:"
            return self.send_html(html_body(self.outbox.read(name)), {"Content-Security-Policy": policy})
        if rest == "/raw":
            return self.send_file(self.outbox.path(name).read_bytes(), "message/rfc822", name, "attachment")
        parts = attachments(self.outbox.read(name))
        index = int(match["index"])
        if index >= len(parts):
            raise KeyError(index)
        part = parts[index]
        # A PDF or an image opens in the browser; anything else (a page that could run scripts) is downloaded.
        content_type = part.get_content_type()
        shown = content_type == "application/pdf" or part.get_content_maintype() == "image"
        disposition = "inline" if shown else "attachment"
        return self.send_file(part.get_content(), content_type, part.get_filename(), disposition)

    def send_html(self, text, headers=None):
        self.send_body(HTTPStatus.OK, text.encode(), "text/html; charset=utf-8", headers)

    def send_text(self, status, text):
        self.send_body(status, text.encode(), "text/plain; charset=utf-8")

    def send_file(self, content, content_type, filename, disposition):
        if isinstance(content, str):
            content = content.encode()
        headers = {"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"}
        self.send_body(HTTPStatus.OK, content, content_type, headers)

    def send_body(self, status, content, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format, *args):
        pass  # the terminal belongs to Odoo's log


class RunningOutbox:
    """The SMTP server and the page of one outbox, each in its own thread; :meth:`stop` ends both."""

    def __init__(self, outbox, smtp, http):
        self.outbox = outbox
        self._smtp = smtp
        self._http = http
        self.smtp_port = smtp.port
        self.http_port = http.server_address[1]
        self.url = f"http://{HOST}:{self.http_port}/"
        self._http_thread = threading.Thread(target=http.serve_forever, name="demo-outbox-http", daemon=True)
        self._http_thread.start()

    def stop(self):
        self._http.shutdown()
        self._http.server_close()
        self._smtp.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(folder=DEFAULT_FOLDER, smtp_port=DEFAULT_SMTP_PORT, http_port=DEFAULT_HTTP_PORT):
    """Start the outbox on 127.0.0.1 (a port 0 is a free one) and return its :class:`RunningOutbox`.

    :raises OSError: a port is taken
    """
    import aiosmtpd.controller  # noqa: PLC0415 - the page and the reader work without it

    outbox = Outbox(folder)
    handler = type("Handler", (OutboxRequestHandler,), {"outbox": outbox})
    http = ThreadingHTTPServer((HOST, http_port), handler)
    http.daemon_threads = True
    smtp = aiosmtpd.controller.Controller(
        outbox, hostname=HOST, port=smtp_port or free_port(), server_hostname="outbox.localhost"
    )
    try:
        smtp.start()
    except Exception:
        http.server_close()
        raise
    return RunningOutbox(outbox, smtp, http)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ
    parser.add_argument("--smtp-port", type=int, default=int(env.get("COBRANCA_OUTBOX_SMTP_PORT", DEFAULT_SMTP_PORT)))
    parser.add_argument("--http-port", type=int, default=int(env.get("COBRANCA_OUTBOX_HTTP_PORT", DEFAULT_HTTP_PORT)))
    parser.add_argument("--folder", type=Path, default=Path(env.get("COBRANCA_OUTBOX_DIR", DEFAULT_FOLDER)))
    args = parser.parse_args()
    try:
        running = start(args.folder, args.smtp_port, args.http_port)
    except ImportError:
        print("demo outbox: aiosmtpd is not installed (make setup installs it).", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:
        # aiosmtpd reports a taken port as a RuntimeError of its start-up check.
        print(f"demo outbox: cannot listen on 127.0.0.1 ({exc}).", file=sys.stderr)
        return 1
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stopped.set())
    print(
        f"Demo outbox: SMTP on {HOST}:{running.smtp_port}, messages on {running.url} (kept in {args.folder})",
        flush=True,
    )
    stopped.wait()
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
