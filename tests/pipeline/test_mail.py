"""SPEC 4 `tzreport mail` against a real SMTP server (aiosmtpd on 127.0.0.1), run as a clerk runs it."""
from __future__ import annotations

import asyncio
import codecs
import csv
import email
import io
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from email import policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from helpers import GRADES, INDICATORS, TARGETS, VALUES, write_book, write_submission

from tzreport import mail as mailer
from tzreport.cli import main

SAMPLES = Path(__file__).parents[2] / "sample_workbooks"
SENDER = "kaohe@yunzhou.gov.cn"


def run(*args, env=None, input=None):
    result = CliRunner().invoke(main, list(map(str, args)), env=env, input=input)
    return result.exit_code, result.output


# -- a real server ---------------------------------------------------------------------------------

class Recorder:
    """Keeps what the server accepted; ``fail(n)`` may answer the n-th DATA with "451" or "drop"."""

    def __init__(self, refuse=(), fail=None):
        self.messages, self.refuse, self.fail, self.data_calls = [], set(refuse), fail, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_calls += 1
        action = self.fail(self.data_calls) if self.fail else None
        if action == "451":
            return "451 4.3.0 Try again later"
        if action == "drop":
            server.transport.close()
            return "421 4.3.0 Going away"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def parsed(self) -> list:
        return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in self.messages]

    def to(self) -> list:
        return [addr for _, rcpts, _ in self.messages for addr in rcpts]


def free_port() -> int:
    with socket.socket() as s:           # Controller(port=0) does not work (PITFALLS)
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    started = []

    def start(handler=None, **options):
        handler = handler or Recorder()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        started.append(controller)
        return handler, controller.port

    yield start
    for controller in started:
        controller.stop()


# -- builds ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def city_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("city") / "输出"
    code, output = run("build", SAMPLES / "市考", "-o", out, "-q")
    assert code in (0, 1), output
    return out


@pytest.fixture
def city(city_build, tmp_path):
    """A fresh copy of the city build (14 units, every one with an 邮箱) for each test."""
    out = tmp_path / "输出"
    shutil.copytree(city_build, out)
    return out


def city_units(out: Path) -> list:
    header, units = mailer.read_results(out / "results.json")
    return units


SMALL_UNITS = [
    ("Z01", "城关镇", "镇街", "", "cgz@test.gov.cn", "王建国"),
    ("Z02", "龙泉镇", "镇街", "", "ｌｑｚ＠test.gov.cn；lqz.office@test.gov.cn", "李秀英"),   # full-width, two
    ("Z03", "青山镇", "镇街", "", "", "张伟"),                                            # no 邮箱
]


def small_build(folder: Path, units=SMALL_UNITS) -> Path:
    """The reference scheme of helpers.py with 邮箱 and 联系人 columns."""
    write_book(folder / "考核方案.xlsx", {
        "参数": [("项目", "值"), ("考核名称", "测试县2026年度考核"), ("考核年度", 2026),
               ("统计截止日期", "2026-09-30"), ("满分", 100), ("发文机关", "测试县考核办")],
        "单位": [("单位编码", "单位名称", "考核类别", "分组", "邮箱", "联系人")] + list(units),
        "指标": [("指标编码", "考核类别", "大类", "一级指标", "二级指标", "计量单位", "分值", "计分方法", "方向",
                "数值类型", "序时")] + INDICATORS,
        "目标": [("单位", "指标编码", "确保目标")] + TARGETS,
        "等次": [("等次", "最低分", "比例", "名额", "分组名额", "取整")] + GRADES,
    })
    for unit in VALUES:
        write_submission(folder, unit)
    out = folder / "输出"
    code, output = run("build", folder, "-o", out, "-q")
    assert code in (0, 1), output
    return out


def attachment_names(msg) -> list:
    return [part.get_filename() for part in msg.iter_attachments()]


# -- tests ---------------------------------------------------------------------------------------------

def test_every_unit_gets_its_own_notice_and_workbook_byte_for_byte(city, server):
    handler, port = server()
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert code == 0, output
    units = city_units(city)
    assert len(units) == 14 and len(handler.messages) == 14
    assert "本次发出14个单位" in output
    by_rcpt = {rcpts[0]: msg for (_, rcpts, _), msg in zip(handler.messages, handler.parsed())}
    for unit in units:
        msg = by_rcpt[unit["email"]]                   # each to its own unit's address
        assert msg["To"].addresses[0].addr_spec == unit["email"]
        assert msg["From"].addresses[0].display_name == "云州市年度目标责任考核领导组办公室"
        assert str(msg["Subject"]) == f"关于{unit['name']}2026年度目标责任考核结果的通知"
        files = {"通知-" + Path(unit["files"]["notice"]).name: city / unit["files"]["notice"],
                 "批注-" + Path(unit["files"]["annotated"]).name: city / unit["files"]["annotated"]}
        assert attachment_names(msg) == list(files)   # names decoded to the Chinese originals
        for part in msg.iter_attachments():
            assert part.get_content() == files[part.get_filename()].read_bytes()
        body = msg.get_body(("plain",))
        assert body["Content-Transfer-Encoding"] == "base64" and body.get_content_charset() == "utf-8"
        text = body.get_content()
        total = Decimal(repr(unit["total"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert f"你单位综合得分{total}分" in text
        assert f"第{unit['rank']}位" in text and f"考核等次为“{unit['grade']}”" in text
    assert {sender for sender, _, _ in handler.messages} == {SENDER}


def test_attachment_names_are_sent_as_rfc2231_and_rfc2047(city, server):
    handler, port = server()
    assert run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER,
               "--only", "凤台区")[0] == 0
    raw = handler.messages[0][2].decode("ascii")       # every header and body is 7-bit
    assert "filename*=utf-8''%E9%80%9A%E7%9F%A5-%E5%87%A4%E5%8F%B0%E5%8C%BA.docx" in raw
    msg = email.message_from_bytes(handler.messages[0][2], policy=policy.compat32)
    words = [part.get_param("name") for part in msg.walk() if part.get_param("name")]
    assert words[0].startswith("=?utf-8?b?")          # the RFC 2047 form, not decoded by compat32
    assert [str(make_header(decode_header(w))) for w in words] == ["通知-凤台区.docx", "批注-凤台区.xlsx"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_password_from_the_environment(city, server):
    def check(server_, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"kaohe", b"Kh#2026")
        return AuthResult(success=ok, handled=False)

    handler, port = server(authenticator=check, auth_required=True, auth_require_tls=False)
    base = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER, "--user", "kaohe")
    code, output = run(*base, env={"TZREPORT_SMTP_PASSWORD": "wrong"})
    assert code == 2 and "邮件服务器拒绝登录" in output and not handler.messages
    code, output = run(*base, env={"TZREPORT_SMTP_PASSWORD": "密码123"})
    assert code == 2 and "非 ASCII" in output and not handler.messages
    code, output = run(*base, env={"TZREPORT_SMTP_PASSWORD": "Kh#2026"})
    assert code == 0, output
    assert len(handler.messages) == 14 and "未加密的连接上发送密码" in output


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_without_the_environment_variable_the_password_is_asked_for(city, server):
    def check(server_, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    handler, port = server(authenticator=check, auth_required=True, auth_require_tls=False)
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER,
                       "--user", "kaohe", "--only", "凤台区", env={"TZREPORT_SMTP_PASSWORD": ""},
                       input="s3cret\n")
    assert code == 0 and "kaohe 的邮箱密码" in output and len(handler.messages) == 1
    assert "s3cret" not in output
    code, output = run("mail", city, "--host", "x", "--sender", SENDER, "--password", "s3cret")
    assert code == 2 and "没有选项“--password”" in output          # never on the command line


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 -> (server TLS context, the certificate file)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context, folder / "cert.pem"


def accept_kaohe(server_, session, envelope, mechanism, auth_data):
    return AuthResult(success=(auth_data.login, auth_data.password) == (b"kaohe", b"Kh#2026"),
                      handled=False)


def test_starttls_and_ssl_with_a_certificate_that_verifies(city, server, certificate):
    context, cert = certificate
    handler, port = server(tls_context=context, require_starttls=True, authenticator=accept_kaohe,
                           auth_required=True)
    args = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER, "--user", "kaohe",
            "--only", "凤台区")
    code, output = run(*args, "--starttls", env={"TZREPORT_SMTP_PASSWORD": "Kh#2026"})
    assert code == 2 and "证书无法验证" in output and "SSL_CERT_FILE" in output   # self-signed
    code, output = run(*args, "--starttls", env={"TZREPORT_SMTP_PASSWORD": "Kh#2026",
                                                 "SSL_CERT_FILE": str(cert)})
    assert code == 0 and len(handler.messages) == 1 and "未加密" not in output
    code, output = run(*args, "--resend", env={"TZREPORT_SMTP_PASSWORD": "Kh#2026"})  # forgot --starttls
    assert code == 2 and "邮件服务器不支持登录（AUTH）" in output and len(handler.messages) == 1
    handler, port = server(server_hostname=None, ssl_context=context)       # TLS from the first byte
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER,
                       "--ssl", "--only", "龙山区", env={"SSL_CERT_FILE": str(cert)})
    assert code == 0 and len(handler.messages) == 1


def test_a_second_run_sends_nothing(city, server):
    handler, port = server()
    args = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert run(*args)[0] == 0
    code, output = run(*args)
    assert code == 0 and len(handler.messages) == 14
    assert "本次发出0个单位；此前已发送14个，未重发" in output
    code, output = run(*args, "--resend", "--only", "凤台区")
    assert code == 0 and len(handler.messages) == 15
    first, again = [m for m in handler.parsed() if "凤台区" in str(m["Subject"])]
    assert first["Message-ID"] != again["Message-ID"]      # a deliberate resend is a new message


def test_files_changed_after_sending_are_pointed_out_not_resent(city, server):
    handler, port = server()
    args = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert run(*args)[0] == 0
    unit = city_units(city)[5]
    with open(city / unit["files"]["annotated"], "ab") as fh:     # as a rebuild with new data would
        fh.write(b"\0")
    code, output = run(*args)
    assert code == 0 and len(handler.messages) == 14
    assert f"[提示] {unit['name']}的附件在发送后又变了" in output


def test_a_server_that_fails_partway_then_recovers_ends_with_each_unit_sent_once(city, server):
    # the 3rd message is refused for now, the 5th and 6th lose the connection mid-message
    failing = Recorder(fail=lambda n: {3: "451", 5: "drop", 6: "drop"}.get(n))
    handler, port = server(failing)
    args = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    code, output = run(*args)
    assert code == 1 and len(handler.messages) == 11
    assert output.count("[未发送]") == 3 and "451 4.3.0 Try again later" in output
    assert "发送中连接中断" in output and "再次运行同一命令即可补发" in output
    failing.fail = None                                   # the server recovers
    code, output = run(*args)
    assert code == 0, output
    assert "本次发出3个单位；此前已发送11个" in output
    assert sorted(handler.to()) == sorted(u["email"] for u in city_units(city))   # each exactly once
    raw = (city / mailer.LOG_FILE).read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and raw.count(codecs.BOM_UTF8) == 1   # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(mailer.LOG_FIELDS)
    assert sum(r["状态"] == "已发送" for r in rows) == 14
    assert sum(r["状态"] == "未发送" for r in rows) == 3


def test_a_run_that_died_halfway_resumes_where_it_stopped(city, server):
    handler, port = server()
    plan = mailer.plan(city, SENDER)
    sent = []

    def die_after_five(step):
        sent.append(step)
        if len(sent) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mailer.send(plan, mailer.Server("127.0.0.1", port), city, progress=die_after_five)
    assert len(handler.messages) == 5
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert code == 0 and "本次发出9个单位；此前已发送5个" in output
    assert sorted(handler.to()) == sorted(u["email"] for u in city_units(city))


class SlowFourth(Recorder):
    """Holds the 4th message without answering, so the sending process can be killed mid-message."""

    async def handle_DATA(self, server, session, envelope):
        if self.data_calls == 3:
            self.data_calls += 1
            await asyncio.sleep(5)
            return "451 4.3.0 Client gone"
        return await super().handle_DATA(server, session, envelope)


def test_a_process_killed_mid_message_resumes_and_sends_each_unit_once(city, server):
    handler, port = server(SlowFourth())
    command = [sys.executable, "-m", "tzreport", "mail", str(city), "--host", "127.0.0.1",
               "--port", str(port), "--sender", SENDER]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while handler.data_calls < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.kill()                                           # SIGKILL: no clean-up of any kind
    proc.wait()
    assert len(handler.messages) == 3
    fourth = city_units(city)[3]["name"]
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert code == 0 and f"上次运行在发送时中断（{fourth}）" in output
    assert "本次发出11个单位；此前已发送3个" in output
    assert sorted(handler.to()) == sorted(u["email"] for u in city_units(city))


def test_a_unit_left_mid_message_by_a_killed_run_is_sent_again_with_the_same_message_id(city, server):
    handler, port = server()
    plan = mailer.plan(city, SENDER)
    target = plan.mails[2]
    log = mailer.SendLog(city / mailer.LOG_FILE)          # what a run killed during DATA leaves
    log.record(plan, target, mailer.SENDING, msg_id=mailer.message_id(plan, target, 0))
    log.close()
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert code == 0 and f"上次运行在发送时中断（{target.name}）" in output
    ids = {str(m["Subject"]): m["Message-ID"] for m in handler.parsed()}
    assert ids[target.subject] == mailer.message_id(plan, target, 0)
    assert len(handler.messages) == 14


def test_a_refused_recipient_is_reported_and_the_rest_go_on(city, server):
    units = city_units(city)
    refused = units[3]
    handler, port = server(Recorder(refuse={refused["email"]}))
    args = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    code, output = run(*args)
    assert code == 1 and len(handler.messages) == 13
    assert f"[拒收] {refused['name']}：收件人被拒收（{refused['email']}：550 5.1.1 No such user）" in output
    handler.refuse.clear()                                # the address is fixed on the server side
    code, output = run(*args)
    assert code == 0 and handler.to()[-1] == refused["email"] and len(handler.messages) == 14


def test_a_server_that_cannot_be_reached_leaves_the_rest_for_next_time(city):
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", free_port(), "--sender", SENDER)
    assert code == 1 and "无法连接邮件服务器 127.0.0.1" in output
    assert "以下11个单位未尝试" in output                    # gave up after three attempts


def test_dry_run_eml_files_parse_to_the_messages_that_are_sent(city, server):
    code, output = run("mail", city, "--sender", f"云州市考核办 <{SENDER}>", "--dry-run")
    assert code == 0 and "试运行，未发送任何邮件：已写出 14 封" in output
    assert not (city / mailer.LOG_FILE).exists()
    emls = {p.stem: email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in (city / mailer.EML_FOLDER).glob("*.eml")}
    assert len(emls) == 14
    handler, port = server()
    assert run("mail", city, "--host", "127.0.0.1", "--port", port,
               "--sender", f"云州市考核办 <{SENDER}>")[0] == 0
    for sent in handler.parsed():
        unit = str(sent["Subject"])[2:].split("2026")[0]
        eml = emls[unit]
        for header in ("From", "To", "Subject", "Message-ID"):
            assert str(eml[header]) == str(sent[header]), header
        assert str(sent["From"]) == f"云州市考核办 <{SENDER}>"
        assert eml.get_body(("plain",)).get_content() == sent.get_body(("plain",)).get_content()
        assert ([(a.get_filename(), a.get_content()) for a in eml.iter_attachments()]
                == [(a.get_filename(), a.get_content()) for a in sent.iter_attachments()])
    code, output = run("mail", city, "--sender", SENDER, "--dry-run")
    assert "已发送过，跳过（14个）" in output and not list((city / mailer.EML_FOLDER).glob("*.eml"))


def test_pdf_of_the_notice_goes_along_when_built(city, server):
    unit = city_units(city)[0]
    pdf = (city / unit["files"]["notice"]).with_suffix(".pdf")
    pdf.write_bytes(b"%PDF-1.4\n% stand-in for LibreOffice's output\n%%EOF\n")
    handler, port = server()
    run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER, "--only", unit["code"])
    msg = handler.parsed()[0]
    assert attachment_names(msg) == [f"通知-{unit['name']}.docx", f"通知-{unit['name']}.pdf",
                                     f"批注-{unit['name']}.xlsx"]
    assert list(msg.iter_attachments())[1].get_content_type() == "application/pdf"
    os.utime(pdf, (1, 1))                         # older than the .docx: from an earlier build
    code, output = run("mail", city, "--sender", SENDER, "--only", unit["code"], "--dry-run", "--resend")
    assert "提示：1份 PDF 早于对应的 Word 通知" in output
    eml = email.message_from_bytes(next((city / mailer.EML_FOLDER).glob("*.eml")).read_bytes(),
                                   policy=policy.default)
    assert attachment_names(eml) == [f"通知-{unit['name']}.docx", f"批注-{unit['name']}.xlsx"]


def test_addresses_names_missing_files_and_only(tmp_path, server):
    out = small_build(tmp_path)
    handler, port = server()
    args = ("mail", out, "--host", "127.0.0.1", "--port", port, "--sender", "kaohe@test.gov.cn")
    code, output = run(*args, "--only", "城关镇、不存在镇")
    assert code == 2 and "“不存在镇”不是本次考核的单位" in output and not handler.messages
    (out / "批注" / "城关镇.xlsx").unlink()
    code, output = run(*args)
    assert code == 1
    assert "[未发送] 城关镇：缺少批注（批注/城关镇.xlsx），请重新运行 tzreport build" in output
    assert "无邮箱，未发送（1个）：青山镇" in output
    assert len(handler.messages) == 1                     # 龙泉镇: one message to both addresses
    assert handler.messages[0][1] == ["lqz@test.gov.cn", "lqz.office@test.gov.cn"]
    text = handler.parsed()[0].get_body(("plain",)).get_content()
    # helpers.py: 龙泉镇 88.00, second of three; the contact is greeted
    assert text.startswith("龙泉镇（李秀英同志）：")
    assert "截至2026年9月30日，你单位综合得分88.00分，在镇街3个单位中居第2位，按当前进度测算等次为“良好”" in text


def test_no_header_injection_through_a_name_or_an_address(tmp_path, server):
    units = [("Z01", "城关镇\nBcc: evil@attacker.cn", "镇街", "", "cgz@test.gov.cn", "王建国\r\nX-Evil: 1"),
             ("Z02", "龙泉镇", "镇街", "", "lqz@test.gov.cn\nBcc: evil@attacker.cn", ""),
             ("Z03", "青山镇", "镇街", "", "qsz@test.gov.cn", "")]
    out = small_build(tmp_path, units)
    handler, port = server()
    code, output = run("mail", out, "--host", "127.0.0.1", "--port", port, "--sender", "kaohe@test.gov.cn")
    assert "[未发送] 龙泉镇：邮箱“lqz@test.gov.cn" in output and "evil@attacker.cn”格式有误" in output
    assert code == 1 and sorted(handler.to()) == ["cgz@test.gov.cn", "qsz@test.gov.cn"]
    for _, _, raw in handler.messages:
        head = raw.split(b"\r\n\r\n")[0].decode("ascii")
        assert "evil" not in head.lower() and "\nBcc" not in head and "\nX-Evil" not in head
    code, output = run("mail", out, "--dry-run", "--sender", "考核办\r\nBcc: x@y.cn <kaohe@test.gov.cn>")
    assert code == 2 and "含换行符" in output


def test_a_line_break_in_an_ascii_name_or_subject_cannot_start_a_header(tmp_path):
    attachment = tmp_path / "a.xlsx"
    attachment.write_bytes(b"PK")
    p = mailer.Plan("考核", "2026-09-30", ("Office\r\nBcc: evil@attacker.cn", "kaohe@test.gov.cn"))
    m = mailer.Mail("Z01", "Town", "Town", ["town@test.gov.cn"], "Town\nBcc: evil@attacker.cn",
                    "Results\r\nBcc: evil@attacker.cn", "body\n", [("x\r\nBcc: e.xlsx", attachment)])
    raw = mailer.as_bytes(mailer.build_message(p, m, "<1@test.gov.cn>"))
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Bcc"] is None and str(msg["Subject"]) == "Results Bcc: evil@attacker.cn"
    assert [a.addr_spec for a in msg["To"].addresses] == ["town@test.gov.cn"]
    assert attachment_names(msg) == ["x Bcc: e.xlsx"]
    m.addresses = ["town@test.gov.cn\r\nBcc: evil@attacker.cn"]
    with pytest.raises(ValueError):
        mailer.build_message(p, m, "<1@test.gov.cn>")


@pytest.mark.parametrize("name, text, message", [
    ("坏模板.txt", "主题：{{ title }\n正文", "邮件模板 坏模板.txt 第1行写法有误"),
    ("越权.txt", "主题：{{ unit.__class__.__mro__ }}\n正文", "邮件模板 越权.txt 无法使用"),  # sandboxed
    ("缺变量.txt", "主题：{{ unit.leader }}\n正文", "邮件模板 缺变量.txt 无法使用"),
    ("无主题.txt", "{{ unit.name }}：\n正文", "邮件模板 无主题.txt 的第一行应为“主题：……”"),
])
def test_a_broken_or_unsafe_mail_template_stops_before_anything_is_sent(city, server, tmp_path,
                                                                       name, text, message):
    handler, port = server()
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, output = run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER,
                       "--template", tmp_path / name)
    assert code == 2 and message in output and not handler.messages


def test_a_clerks_own_mail_template(city, server, tmp_path):
    handler, port = server()
    own = tmp_path / "单位邮件.txt"
    own.write_text("主题：{{ unit.name }}考核结果\n{{ unit.name }}：见附件。\n", encoding="utf-8")
    assert run("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER,
               "--template", own, "--only", "凤台区")[0] == 0
    msg = handler.parsed()[0]
    assert str(msg["Subject"]) == "凤台区考核结果"
    assert msg.get_body(("plain",)).get_content() == "凤台区：见附件。\n"


def test_a_log_row_cut_short_by_a_crash_does_not_swallow_the_next(city, server):
    handler, port = server()
    args = ("mail", city, "--host", "127.0.0.1", "--port", port, "--sender", SENDER)
    assert run(*args, "--only", "凤台区")[0] == 0
    with open(city / mailer.LOG_FILE, "ab") as fh:
        fh.write("2026-11-21 10:00:00,凤台区,kaohe.c01@yunzhou.gov.cn,已发".encode())
    assert run(*args)[0] == 0
    assert run(*args)[1].count("此前已发送14个") == 1 and len(handler.messages) == 14


def test_a_second_mail_run_on_the_same_folder_waits_for_the_first(city):
    holding = mailer.SendLog(city / mailer.LOG_FILE)
    try:
        code, output = run("mail", city, "--host", "127.0.0.1", "--port", free_port(), "--sender", SENDER)
    finally:
        holding.close()
    assert code == 2 and "正被另一个 tzreport mail 使用" in output


def test_results_json_reformatted_by_someone_is_still_read_and_still_checked(city):
    import json
    path = city / "results.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    header, units = mailer.read_results(path)
    assert len(units) == 14 and "indicators" not in units[0] and header["assessment"]["year"] == 2026
    data["schema"] = 0
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    code, output = run("mail", city, "--sender", SENDER, "--dry-run")
    assert code == 2 and "不是本版本 tzreport 写出的（schema 0）" in output


def test_mail_needs_a_build_and_a_host(tmp_path):
    code, output = run("mail", tmp_path, "--sender", SENDER, "--dry-run")
    assert code == 2 and "无法发送：" in output and "results.json 不存在：请先运行 tzreport build" in output
    code, output = run("mail", tmp_path, "--sender", SENDER)
    assert code == 2 and "须用 --host 指定邮件服务器" in output


@pytest.mark.parametrize("text, expected", [
    ("kaohe@yunzhou.gov.cn", ("云州市考核办", "kaohe@yunzhou.gov.cn")),             # name: 发文机关
    ("云州市考核办（市委） <kaohe@yunzhou.gov.cn>", ("云州市考核办（市委）", "kaohe@yunzhou.gov.cn")),
    ("考核办＜ｋａｏｈｅ＠yunzhou.gov.cn＞", ("考核办", "kaohe@yunzhou.gov.cn")),          # typed full-width
])
def test_parse_sender(text, expected):
    assert mailer.parse_sender(text, "云州市考核办") == expected


@pytest.mark.parametrize("text", ["kaohe", "考核办", "a@b.cn\nBcc: e@f.cn", "张三@单位.cn"])
def test_parse_sender_refuses(text):
    with pytest.raises(mailer.MailProblem):
        mailer.parse_sender(text)


@pytest.mark.parametrize("text, good, bad", [
    ("kh@qingfeng.gov.cn", ["kh@qingfeng.gov.cn"], []),
    ("ｋｈ＠qingfeng.gov.cn", ["kh@qingfeng.gov.cn"], []),                   # full-width, typed in Chinese IME
    ("a@x.cn；b@x.cn, a@x.cn", ["a@x.cn", "b@x.cn"], []),                     # duplicates once
    ("a@x.cn 、 王建国", ["a@x.cn"], ["王建国"]),
    ("a@x.cn\r\nBcc: e@y.cn", ["a@x.cn", "e@y.cn"], ["Bcc:"]),
    ("张三@单位.cn", [], ["张三@单位.cn"]),
    ("a..b@x.cn", [], ["a..b@x.cn"]),
    ("", [], []),
])
def test_split_addresses(text, good, bad):
    assert mailer.split_addresses(text) == (good, bad)
