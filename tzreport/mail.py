"""tzreport mail: each unit its 通知 and 批注表 by SMTP, exactly once (SPEC 4).

``plan`` reads a build's results.json, renders the mail template and checks every address and
attachment before anything goes out. ``write_eml`` is the dry run; ``send`` delivers over one SMTP
connection (reopened when a server drops it) and records every attempt in OUT_DIR/发送记录.csv as
it happens, so that a re-run sends only what has not gone out yet.

Messages are built with the compat32 email classes: the modern API re-encodes an RFC 2047
``name=`` as RFC 2231 (and folds a long Content-Type through its media type), while some Chinese
webmail clients read only the RFC 2047 form.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import os
import re
import smtplib
import ssl
import sys
import unicodedata
from dataclasses import dataclass, field
from email import encoders, policy
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from tzreport.fileio import atomic_path, safe_filename
from tzreport.model import cn_date
from tzreport.render.docx.documents import builtin_templates
from tzreport.render.results_json import ResultsUnreadable, read_results
from tzreport.rules.schedule import is_year_end
from tzreport.words.facts import notice_title, period_text
from tzreport.words.numbers import score_text

TEMPLATE = "单位邮件.txt"
LOG_FILE = "发送记录.csv"
EML_FOLDER = "邮件"
LOG_FIELDS = ("时间", "单位名称", "收件人", "状态", "说明", "单位编码", "考核名称", "统计截止日期",
              "Message-ID", "附件校验")
SENDING, SENT, FAILED, REFUSED = "发送中", "已发送", "未发送", "拒收"
# results.json "files" key, the name prefix, and siblings sent along when present
ATTACHMENTS = (("notice", "通知", (".pdf",)), ("annotated", "批注", ()))
MIME_TYPES = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pdf": ("application", "pdf"),
}
CONNECT_ATTEMPTS = 3      # consecutive failures to reach the server before the rest are left
TIMEOUT = 60              # seconds for any one SMTP exchange
# An address as mail servers accept it: ASCII, no spaces, no quotes, no line breaks.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_SEPARATORS = re.compile(r"[;,、\s]+")


class MailProblem(Exception):
    """Nothing can be sent: no results.json, a broken template, the log in use, login refused."""


# -- addresses ------------------------------------------------------------------------------------

def split_addresses(text: str) -> tuple:
    """The 邮箱 cell -> (valid addresses, rejected pieces). Several addresses may be separated by
    ; , 、 or spaces (full-width too: NFKC folds ＠ and full-width letters a clerk typed)."""
    text = unicodedata.normalize("NFKC", text or "")
    good, bad = [], []
    for piece in _SEPARATORS.split(text.strip()):
        if not piece:
            continue
        if _ADDRESS.fullmatch(piece) and ".." not in piece:
            if piece.lower() not in (g.lower() for g in good):
                good.append(piece)
        else:
            bad.append(piece)
    return good, bad


def one_line(text: str) -> str:
    """A header text: control characters and line breaks become single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", str(text))).strip()


def parse_sender(text: str, default_name: str = "") -> tuple:
    """--sender "考核办 <kh@x.gov.cn>" or "kh@x.gov.cn" -> (display name, address)."""
    if re.search(r"[\r\n]", text or ""):
        raise MailProblem(f"发件人“{one_line(text)}”含换行符")
    name, address = parseaddr((text or "").replace("＜", "<").replace("＞", ">"))
    address = unicodedata.normalize("NFKC", address or "")      # the address only: 考核办（市委） stays
    if not _ADDRESS.fullmatch(address):
        raise MailProblem(f"发件人地址“{text}”格式有误，应如 kaohe@example.gov.cn")
    return one_line(name or default_name), address


# -- the plan ---------------------------------------------------------------------------------------

@dataclass
class Mail:
    """One unit's message, ready to build."""
    code: str
    name: str
    stem: str                     # file name stem for its .eml
    addresses: list
    display: str                  # the To display name
    subject: str
    body: str
    attachments: list             # [(name shown to the recipient, Path)]
    digest: str = ""              # sha256 of the attachments, as sent


@dataclass
class Plan:
    name: str                     # 考核名称
    as_of: str                    # ISO date: with the name, what the send log is kept for
    sender: tuple                 # (display name, address)
    mails: list = field(default_factory=list)
    no_address: list = field(default_factory=list)    # unit names
    problems: list = field(default_factory=list)      # (unit name, why it cannot be sent)
    stale_pdfs: list = field(default_factory=list)    # PDFs older than their .docx, not attached

    @property
    def total(self) -> int:
        return len(self.mails) + len(self.no_address) + len(self.problems)


@functools.lru_cache(maxsize=None)
def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment
    return SandboxedEnvironment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=True)


def template_path(path=None) -> Path:
    return Path(path) if path else builtin_templates() / TEMPLATE


def load_template(path=None):
    """The mail template (jinja2, sandboxed): its first line is 主题：…, the rest the body."""
    from jinja2 import TemplateSyntaxError
    path = template_path(path)
    try:
        source = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MailProblem(f"邮件模板 {path} 无法读取（{exc}）") from None
    try:
        return path, _environment().from_string(source)
    except TemplateSyntaxError as exc:
        raise MailProblem(f"邮件模板 {path.name} 第{exc.lineno}行写法有误（{exc.message}）") from None


def render_mail(path: Path, template, context: dict) -> tuple:
    """-> (subject, body)."""
    from jinja2 import TemplateError
    try:
        text = template.render(context)
    except TemplateError as exc:
        raise MailProblem(f"邮件模板 {path.name} 无法使用（{exc}）") from None
    lines = text.lstrip("\r\n").splitlines()
    first = lines[0] if lines else ""
    found = re.match(r"\s*主题\s*[:：]\s*(.*)", first)
    if not found or not found.group(1).strip():
        raise MailProblem(f"邮件模板 {path.name} 的第一行应为“主题：……”")
    body = "\n".join(lines[1:]).strip("\n") + "\n"
    return one_line(found.group(1)), body


def _standing(unit: dict, peers: int, tied: bool, final: bool) -> str:
    place = f"在{unit['category']}{peers}个单位中{'并列' if tied else '居'}第{unit['rank']}位"
    grade = f"考核等次为“{unit['grade']}”" if final else f"按当前进度测算等次为“{unit['grade']}”"
    return f"{place}，{grade}"


def mail_context(header: dict, unit: dict, peers: int, tied: bool, attachments: list,
                 today: dt.date) -> dict:
    """What the mail template may use; the same words as the Word templates where they overlap
    (``date`` is the day the mail is written, ``as_of`` the 统计截止日期)."""
    a = header["assessment"]
    as_of = dt.date.fromisoformat(a["as_of"])
    final = is_year_end(a.get("schedule") or 0.0)
    return {
        "name": a["name"], "year": a["year"], "issuer": a.get("issuer") or "考核办",
        "doc_number": a.get("doc_number") or "", "as_of": cn_date(as_of), "date": cn_date(today),
        "period": period_text(as_of), "final": final,
        "title": notice_title(unit["name"], as_of, a["year"], final),
        "unit": {"name": unit["name"], "code": unit["code"], "category": unit["category"],
                 "contact": unit.get("contact") or "", "total": score_text(unit["total"]),
                 "rank": unit["rank"], "grade": unit["grade"], "peers": peers, "tied": tied,
                 "standing": _standing(unit, peers, tied, final)},
        "attachments": [shown for shown, _ in attachments],
    }


def _attachments(out: Path, unit: dict) -> tuple:
    """-> ([(shown name, path)], missing descriptions, stale PDFs left out)."""
    found, missing, stale = [], [], []
    files = unit.get("files") or {}
    for kind, label, siblings in ATTACHMENTS:
        rel = files.get(kind)
        path = out / rel if rel else None
        if path is None or not path.is_file():
            missing.append(f"{label}{'（' + rel + '）' if rel else ''}")
            continue
        found.append((f"{label}-{path.name}", path))
        for suffix in siblings:
            sibling = path.with_suffix(suffix)
            if not sibling.is_file():
                continue
            # a PDF older than its .docx is from an earlier build (rebuilt without --pdf)
            if sibling.stat().st_mtime >= path.stat().st_mtime:
                found.append((f"{label}-{sibling.name}", sibling))
            else:
                stale.append(sibling.name)
    return found, missing, stale


def _digest(attachments: list) -> str:
    h = hashlib.sha256()
    for shown, path in attachments:
        h.update(shown.encode("utf-8") + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def select(units: list, only) -> list:
    """--only: unit names or codes (also 、/，-separated); unknown ones are a MailProblem."""
    wanted = [w for item in only or () for w in re.split(r"[、,，;；\s]+", item) if w]
    if not wanted:
        return units
    by_key = {}
    for u in units:
        by_key.setdefault(u["code"], u)
        by_key.setdefault(u["name"], u)
    unknown = [w for w in wanted if w not in by_key]
    if unknown:
        raise MailProblem(f"--only 中的“{'、'.join(unknown)}”不是本次考核的单位名称或编码")
    chosen = {by_key[w]["code"] for w in wanted}
    return [u for u in units if u["code"] in chosen]


def plan(out_dir, sender: str, template=None, only=(), today: dt.date = None) -> Plan:
    """Everything about the mails that can be known without a server; raises MailProblem when
    nothing can be sent."""
    out = Path(out_dir)
    try:
        header, units = read_results(out / "results.json")
    except ResultsUnreadable as exc:
        raise MailProblem(str(exc)) from None
    a = header["assessment"]
    path, tpl = load_template(template)
    result = Plan(a["name"], a["as_of"], parse_sender(sender, a.get("issuer") or ""))
    peers, ranks = {}, {}
    for u in units:
        peers[u["category"]] = peers.get(u["category"], 0) + 1
        ranks[(u["category"], u["rank"])] = ranks.get((u["category"], u["rank"]), 0) + 1
    for u in select(units, only):
        addresses, bad = split_addresses(u.get("email") or "")
        if bad:
            result.problems.append((u["name"], f"邮箱“{one_line(u.get('email'))}”格式有误"))
            continue
        if not addresses:
            result.no_address.append(u["name"])
            continue
        attachments, missing, stale = _attachments(out, u)
        result.stale_pdfs += stale
        if missing:
            result.problems.append((u["name"], f"缺少{'、'.join(missing)}，请重新运行 tzreport build"))
            continue
        context = mail_context(header, u, peers[u["category"]], ranks[(u["category"], u["rank"])] > 1,
                               attachments, today or dt.date.today())
        subject, body = render_mail(path, tpl, context)
        notice = (u.get("files") or {}).get("notice", "")
        contact = one_line(u.get("contact") or "")
        result.mails.append(Mail(
            code=u["code"], name=u["name"], stem=Path(notice).stem or safe_filename(u["name"]),
            addresses=addresses, display=one_line(u["name"]) + (f"（{contact}）" if contact else ""),
            subject=subject, body=body, attachments=attachments, digest=_digest(attachments)))
    return result


# -- messages -------------------------------------------------------------------------------------

def message_id(p: Plan, mail: Mail, sent_before: int) -> str:
    """Deterministic: a dry run and the send have the same id, and a resend after a dropped
    connection repeats it (many clients then show the message once)."""
    seed = "\0".join((p.name, p.as_of, mail.code, mail.digest, str(sent_before)))
    return f"<{hashlib.sha256(seed.encode('utf-8')).hexdigest()[:32]}@{p.sender[1].split('@')[1]}>"


def build_message(p: Plan, mail: Mail, msg_id: str, when: dt.datetime = None) -> MIMEMultipart:
    """The message; every header text goes through ``one_line`` here (an ASCII name is not
    encoded, so a line break in it would otherwise start a header of its own)."""
    for address in (p.sender[1], *mail.addresses):
        if not _ADDRESS.fullmatch(address):
            raise ValueError(f"not a plain address: {address!r}")
    msg = MIMEMultipart()
    msg["From"] = formataddr((one_line(p.sender[0]), p.sender[1]), charset="utf-8")
    msg["To"] = ", ".join(formataddr((one_line(mail.display), a), charset="utf-8")
                          for a in mail.addresses)
    msg["Subject"] = Header(one_line(mail.subject), "utf-8")
    msg["Date"] = formatdate((when or dt.datetime.now().astimezone()).timestamp(), localtime=True)
    msg["Message-ID"] = msg_id
    msg.attach(MIMEText(mail.body, "plain", "utf-8"))          # utf-8 → base64
    for shown, path in mail.attachments:
        part = MIMEBase(*MIME_TYPES[path.suffix.lower()])
        part.set_payload(path.read_bytes())
        encoders.encode_base64(part)
        shown = one_line(shown)
        part.set_param("name", Header(shown, "utf-8").encode())                    # RFC 2047
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", shown))  # RFC 2231
        msg.attach(part)
    return msg


def as_bytes(msg) -> bytes:
    return msg.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def write_eml(p: Plan, out_dir, history: dict = None, resend: bool = False) -> tuple:
    """Dry run: OUT_DIR/邮件/<单位>.eml for every mail a send would deliver -> (paths, skipped);
    earlier .eml files there are removed first."""
    folder = Path(out_dir) / EML_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    history = history or {}
    paths, skipped = [], []
    for mail in p.mails:
        state = history.get(mail.code)
        if state and state.sent and not resend:
            skipped.append(mail.name)
            continue
        msg = build_message(p, mail, message_id(p, mail, state.sent if state else 0))
        target = folder / f"{mail.stem}.eml"
        with atomic_path(target) as tmp:
            tmp.write_bytes(as_bytes(msg))
        paths.append(target)
    return paths, skipped


# -- the send log ---------------------------------------------------------------------------------

@dataclass
class UnitHistory:
    sent: int = 0                 # messages that went out for this period
    last: str = ""                # the last state recorded
    digest: str = ""              # attachments of the last message sent


def _lock(fh) -> None:
    """An exclusive lock the OS drops when the process ends (a killed run leaves none behind)."""
    try:
        if sys.platform == "win32":
            import msvcrt
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise MailProblem(f"{fh.name} 正被另一个 tzreport mail 使用：请等它结束后再运行") from None


class SendLog:
    """OUT_DIR/发送记录.csv: one row per attempt, flushed to disk before the next step, readable in
    Excel/WPS (UTF-8 with BOM). ``SENDING`` is written just before the message data goes to the
    server, so a run killed mid-message is visible to the next one."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.fh = open(self.path, "a+b")      # bytes: the BOM written once, by hand
        except OSError as exc:
            raise MailProblem(f"{self.path} 无法写入（{exc.strerror or exc}）：是否在 Excel/WPS 中打开着？"
                              "请关闭后重试") from None
        _lock(self.fh)
        end = self.fh.seek(0, os.SEEK_END)
        if end == 0:
            self._write(LOG_FIELDS, codecs.BOM_UTF8)
        else:
            self.fh.seek(end - 1)
            if self.fh.read(1) != b"\n":       # a row cut short by a crash: end it
                self._write(None, b"\r\n")

    def history(self, name: str, as_of: str) -> dict:
        """Read through the locked handle itself: on Windows a lock bars every other handle."""
        self.fh.seek(0)
        return _history(self.path, self.fh.read(), name, as_of)

    def _write(self, row, prefix: bytes = b"") -> None:
        line = io.StringIO()
        if row is not None:
            csv.writer(line).writerow(row)
        self.fh.write(prefix + line.getvalue().encode("utf-8"))    # append mode: always at the end
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def record(self, p: Plan, mail: Mail, state: str, note: str = "", msg_id: str = "") -> None:
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")      # local time, as a clerk reads it
        self._write((now, mail.name, "; ".join(mail.addresses), state, note, mail.code, p.name, p.as_of,
                     msg_id, mail.digest))

    def close(self) -> None:
        self.fh.close()


def _history(path, raw: bytes, name: str, as_of: str) -> dict:
    """unit code -> UnitHistory for one period (考核名称 and 统计截止日期) of a send log."""
    history = {}
    try:
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise MailProblem(f"{path} 无法读取（{exc}）；发送记录是避免重复发送的依据，请恢复该文件后再运行") from None
    for row in rows:
        if row.get("考核名称") != name or row.get("统计截止日期") != as_of:
            continue
        h = history.setdefault(row.get("单位编码") or "", UnitHistory())
        h.last = row.get("状态") or ""
        if h.last == SENT:
            h.sent += 1
            h.digest = row.get("附件校验") or ""
    return history


def read_history(path, name: str, as_of: str) -> dict:
    """The send log's history without taking its lock (for a dry run)."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise MailProblem(f"{path} 无法读取（{exc}）") from None
    return _history(path, raw, name, as_of)


# -- sending --------------------------------------------------------------------------------------

@dataclass
class Server:
    host: str
    port: int = 0
    security: str = ""            # "" / "ssl" / "starttls"
    user: str = ""
    password: str = ""
    timeout: float = TIMEOUT

    def connect(self) -> smtplib.SMTP:
        """A logged-in connection. Raises MailProblem for what a retry cannot mend (login refused,
        an unverifiable certificate, TLS on a port that does not speak it); OSError otherwise."""
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port or 465, timeout=self.timeout,
                                        context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port or (587 if self.security == "starttls" else 25),
                                    timeout=self.timeout)
        except ssl.SSLError as exc:
            raise MailProblem(_tls_problem(exc)) from None
        try:
            smtp.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
        except ssl.SSLError as exc:
            smtp.close()
            raise MailProblem(_tls_problem(exc)) from None
        except UnicodeEncodeError:      # smtplib sends AUTH in ASCII only
            smtp.close()
            raise MailProblem("用户名或密码含中文等非 ASCII 字符，SMTP 登录不支持：请改用英文字母、数字"
                              "和符号组成的密码（或邮箱的客户端专用密码）") from None
        except smtplib.SMTPAuthenticationError as exc:
            _quit(smtp)
            raise MailProblem(f"邮件服务器拒绝登录（{_reply(exc.smtp_code, exc.smtp_error)}）："
                              "请检查 --user 和密码（环境变量 TZREPORT_SMTP_PASSWORD）") from None
        except smtplib.SMTPServerDisconnected:
            smtp.close()
            if self.user:
                raise MailProblem("邮件服务器在登录时断开了连接：请检查 --user 和密码"
                                  "（环境变量 TZREPORT_SMTP_PASSWORD）") from None
            raise
        except smtplib.SMTPNotSupportedError as exc:
            _quit(smtp)
            what = "STARTTLS" if self.security == "starttls" and "STARTTLS" in str(exc) else "登录（AUTH）"
            raise MailProblem(f"邮件服务器不支持{what}：{exc}") from None
        except BaseException:
            _quit(smtp)
            raise
        return smtp


def _tls_problem(exc) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"邮件服务器的证书无法验证（{exc.verify_message or exc}）。如是单位内部自签的证书，"
                "把证书文件的路径设为环境变量 SSL_CERT_FILE 后重试")
    return f"与邮件服务器建立加密连接失败（{exc}）：请检查 --ssl / --starttls 与端口是否对应"


def _quit(smtp) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _reply(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return one_line(f"{code} {text}")


@dataclass
class Outcome:
    name: str
    state: str
    note: str = ""


@dataclass
class Report:
    sent: list = field(default_factory=list)          # Outcome
    failed: list = field(default_factory=list)        # Outcome (未发送 / 拒收)
    already: list = field(default_factory=list)       # unit names sent in an earlier run
    changed: list = field(default_factory=list)       # of those, whose attachments changed since
    interrupted: list = field(default_factory=list)   # unit names a killed run left in 发送中
    not_tried: list = field(default_factory=list)     # left when the server could not be reached

    @property
    def complete(self) -> bool:
        return not (self.failed or self.not_tried)


class _Connection:
    """One SMTP connection, opened on demand and reopened after the server drops it."""

    def __init__(self, server: Server):
        self.server, self.smtp, self.failures = server, None, 0

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            try:
                self.smtp = self.server.connect()
            except MailProblem:
                raise
            except (OSError, smtplib.SMTPException) as exc:
                self.failures += 1
                raise _Unreachable(f"无法连接邮件服务器 {self.server.host}（{exc}）") from None
            self.failures = 0
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            _quit(self.smtp)
            self.smtp = None


class _Unreachable(Exception):
    pass


def _deliver(conn: _Connection, sender: str, mail: Mail, data: bytes, before_data) -> tuple:
    """-> (state, note). Before DATA nothing can have gone out, so a dropped connection is
    reopened and the unit tried once more; after it the outcome is the server's reply."""
    for attempt in (1, 2):
        try:
            smtp = conn.get()
            code, text = smtp.mail(sender)
            if code != 250:
                if code == 421:          # the server is closing the connection
                    conn.drop()
                else:
                    smtp.rset()
                return FAILED, f"服务器拒绝发件人（{_reply(code, text)}）"
            refused = []
            for address in mail.addresses:
                code, text = smtp.rcpt(address)
                if code not in (250, 251):
                    refused.append(f"{address}：{_reply(code, text)}")
            if len(refused) == len(mail.addresses):
                smtp.rset()
                return REFUSED, "收件人被拒收（" + "；".join(refused) + "）"
            break
        except smtplib.SMTPServerDisconnected as exc:
            conn.drop()
            if attempt == 2:
                return FAILED, f"服务器断开连接（{exc or '无说明'}）"
        except (OSError, smtplib.SMTPException) as exc:
            conn.drop()
            if attempt == 2:
                return FAILED, f"与服务器通信出错（{exc}）"
    before_data()
    try:
        code, text = smtp.data(data)      # raises only when DATA itself is refused
    except smtplib.SMTPDataError as exc:
        code, text = exc.smtp_code, exc.smtp_error
    except (OSError, smtplib.SMTPException) as exc:
        conn.drop()
        return FAILED, f"发送中连接中断（{exc or type(exc).__name__}），未确认送达，下次运行将重发"
    if code != 250:
        if code == 421:
            conn.drop()
        return FAILED, f"服务器未接收（{_reply(code, text)}）"
    return SENT, ("部分收件人被拒收：" + "；".join(refused)) if refused else ""


def send(p: Plan, server: Server, out_dir, resend: bool = False, progress=None) -> Report:
    """Send every planned mail not sent before (all of them with ``resend``), recording each
    attempt in OUT_DIR/发送记录.csv. Raises MailProblem when nothing can be sent."""
    log = SendLog(Path(out_dir) / LOG_FILE)       # locked first: a second run stops here
    report = Report()
    conn = _Connection(server)
    try:
        history = log.history(p.name, p.as_of)
        for n, mail in enumerate(p.mails):
            state = history.get(mail.code) or UnitHistory()
            if state.sent and not resend:
                report.already.append(mail.name)
                if state.digest and state.digest != mail.digest:
                    report.changed.append(mail.name)
                if progress:
                    progress(1)
                continue
            if state.last == SENDING:
                report.interrupted.append(mail.name)
            msg_id = message_id(p, mail, state.sent)
            data = as_bytes(build_message(p, mail, msg_id))
            try:
                outcome = _deliver(conn, p.sender[1], mail, data,
                                   lambda: log.record(p, mail, SENDING, msg_id=msg_id))
            except _Unreachable as exc:
                outcome = (FAILED, str(exc))
                if conn.failures >= CONNECT_ATTEMPTS:
                    log.record(p, mail, FAILED, outcome[1], msg_id)
                    report.failed.append(Outcome(mail.name, *outcome))
                    report.not_tried = [m.name for m in p.mails[n + 1:]
                                        if resend or not (history.get(m.code) or UnitHistory()).sent]
                    break
            log.record(p, mail, outcome[0], outcome[1], msg_id)
            (report.sent if outcome[0] == SENT else report.failed).append(Outcome(mail.name, *outcome))
            if progress:
                progress(1)
    except BaseException:
        conn.drop()        # perhaps mid-message: a QUIT now would be read as part of the message
        raise
    finally:
        conn.close()
        log.close()
    return report
