"""SPEC 4 Word outputs (进展通报, 考核结果通报, 通知), opened with python-docx as a reader would.

Page, fonts, title, line spacing, page numbers, and each unit's own notice with its own total, rank
and grade; the templates (sandboxed, a broken one named), charts, byte-identical rebuilds."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from helpers import all_text

from tzreport.model import ERROR
from tzreport.pipeline import build
from tzreport.read import load_inputs
from tzreport.render.docx import documents
from tzreport.rules.evaluate import evaluate
from tzreport.words.facts import category_words
from tzreport.words.numbers import score_text

ROOT = Path(__file__).resolve().parents[2]


SAMPLES = ROOT / "sample_workbooks"


GOVERNMENT_FONTS = {"Normal": "仿宋_GB2312", "公文标题": "方正小标宋简体", "一级标题": "黑体",
                    "二级标题": "楷体_GB2312", "三级标题": "仿宋_GB2312", "发文机关标志": "方正小标宋简体",
                    "表格文字": "仿宋_GB2312", "表头": "黑体", "页码": "宋体"}


@pytest.fixture(scope="module")
def september(tmp_path_factory):
    out = tmp_path_factory.mktemp("sep")
    return out, build([SAMPLES / "input.xlsx"], out)


@pytest.fixture(scope="module")
def year_end(tmp_path_factory):
    out = tmp_path_factory.mktemp("dec")
    import datetime as dt
    return out, build([SAMPLES / "input.xlsx"], out, as_of=dt.date(2026, 12, 31), date=dt.date(2027, 1, 15))


def east_asia(style) -> str:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def check_layout(doc):
    """GB/T 9704-2012: A4, margins 37/35/28/26 mm, the fonts, 22 pt title, exact 28–29 pt lines."""
    section = doc.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert (section.top_margin.twips, section.bottom_margin.twips,
            section.left_margin.twips, section.right_margin.twips) == (2098, 1984, 1588, 1474)
    for name, font in GOVERNMENT_FONTS.items():
        assert east_asia(doc.styles[name]) == font, name
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == 4        # WD_LINE_SPACING.EXACTLY
    assert Pt(28) <= normal.paragraph_format.line_spacing <= Pt(29)
    assert normal.paragraph_format.first_line_indent == Pt(32)   # two characters of 16 pt
    assert doc.styles["公文标题"].font.size == Pt(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"                   # 22 lines in the type area
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    # page numbers "— 1 —": a PAGE field, odd pages right, even pages left
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((section.footer, 2), (section.even_page_footer, 0)):   # RIGHT, LEFT
        p = footer.paragraphs[0]
        assert p.alignment == side
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
    return section


def styled(doc, style: str) -> list:
    return [p.text for p in doc.paragraphs if p.style.name == style]


def test_progress_bulletin_layout_and_head(september):
    out, result = september
    doc = Document(out / "进展通报.docx")
    check_layout(doc)
    assert styled(doc, "发文机关标志") == ["中共青峰县委目标责任考核办公室文件"]
    assert styled(doc, "发文字号") == ["青考办〔2026〕5号"]
    assert styled(doc, "公文标题") == ["关于青峰县2026年度镇（街道）和县直部门\n目标责任考核1—9月进展情况的通报"]
    assert styled(doc, "主送") == ["各镇人民政府、街道办事处，县直各部门："]
    assert styled(doc, "成文日期") == ["2026年10月12日"]      # 参数 成文日期, not the 统计截止日期
    # 4.1: 存在问题 and the vetoes (金鸡乡, 县自然资源局 是; 白马镇, 柳河镇 否优) have their sections
    assert styled(doc, "一级标题") == ["一、总体情况", "二、分指标完成情况", "三、存在问题",
                                   "四、一票否决和一票否优情况", "五、倒排计划", "六、下步工作要求"]
    assert "（一）镇（街道）" in styled(doc, "二级标题") and "（二）县直部门" in styled(doc, "二级标题")
    # no tag survived rendering, and nothing printed "None"
    text = all_text(doc)
    assert "{{" not in text and "{%" not in text and "None" not in text and "项项" not in text
    # two charts per category (totals, lights), and its ranks in August and September (SPEC 3.11)
    assert len(doc.inline_shapes) == 6
    assert not [i for i in result.issues if "图表" in i.message]


def test_progress_bulletin_sentences(september):
    out, result = september
    text = all_text(Document(out / "进展通报.docx"))
    assert "考核办对截至2026年9月30日各单位目标任务完成情况进行了统计，序时进度为75.0%。" in text
    # 固定资产投资 over the 12 towns, summed from the sample's own figures (results.json):
    data = json.loads((out / "results.json").read_text("utf-8"))
    towns = [u for u in data["units"] if u["category"] == "镇街"]
    zb02 = [next(i for i in u["indicators"] if i["code"] == "ZB02") for u in towns]
    actual, target = sum(i["actual"] for i in zb02), sum(i["target"] for i in zb02)
    assert (actual, target) == (769800, 1019200)
    # 769800 万元 = 76.98亿元; 769800 / 1019200 = 75.53%, 0.5 points above the 75% schedule
    assert "固定资产投资：合计完成76.98亿元，完成年度目标的75.5%，高于序时进度0.5个百分点" in text
    assert "769800万元" not in text and "日均" not in text
    assert text.count("根据《青峰县镇（街道）和县直部门年度目标责任考核办法》（青办发〔2026〕3号）") == 1
    assert "综合得分居前3位的分别是龙泉镇、城关镇、青山镇。综合得分居末位的是金鸡乡。" in text
    # judged as a whole only where the totals add up; rates: "有部分单位未达到序时进度" (SPEC 4.1)
    assert "从指标看，4项镇（街道）考核指标中，除固定资产投资、一般公共预算收入、引进内资到位资金3项指标赶上序时进度外，" \
        "社会消费品零售总额1项未赶上进度。" in text
    assert "地区生产总值增速、规模以上工业增加值增速、农村居民人均可支配收入增速、万元地区生产总值能耗4项指标有部分单位未达到序时进度。" in text
    # a control line is crossed by the units named, not by the whole county
    assert "柳河镇生产安全事故死亡人数已突破年度控制线；" in text
    assert "生产安全事故死亡人数指标已突破" not in text
    # 总体评价: 80 of 168 lights green (47.6%): "过半…未达到序时进度", never "多数指标进度滞后"
    assert "过半指标未达到序时进度：按单位逐项统计，达到序时进度（绿灯）的占47.6%" in text
    assert "多数指标进度滞后" not in text
    # 柳河镇 2 deaths against a line of 1 (no 序时): over the annual line. 越级上访 (序时): 白马镇 12
    # against 13 × 75% = 9.75 is over the 序时控制数 only, never "突破" (SPEC 4.1)
    # 二 (分指标完成情况) counts; 三 (存在问题) names the units, once
    assert "10.生产安全事故死亡人数：1个单位已突破年度控制线，2个单位接近控制线。" in text
    assert "11.越级上访批次：8个单位超过序时控制数、未突破年度控制线，3个单位接近控制线。" in text
    assert "10.生产安全事故死亡人数（牵头单位：县应急管理局）：柳河镇已突破年度控制线，龙泉镇、石桥镇接近控制线。" in text
    assert "11.越级上访批次（牵头单位：县信访局；配合单位：县公安局）：城关镇、青山镇、白马镇、新华街道、东关街道、" \
        "凤凰镇、石桥镇、桃源镇超过序时控制数，但未突破年度控制线，西关街道、柳河镇、金鸡乡接近控制线。" in text
    assert "亮黄灯" not in text.split("二、分指标完成情况")[1].split("三、存在问题")[0]
    assert "越级上访批次：" not in [line for line in text.splitlines() if "已突破" in line]
    # ties kept: 石桥镇 and 桃源镇 both have 2 red lights
    assert "亮红灯较多的是金鸡乡（6项）、柳河镇（5项）、石桥镇（2项）、桃源镇（2项）。" in text
    assert "按当前完成情况，金鸡乡因“环境保护目标责任”指标被一票否决，年度考核将定为最低等次。" in text
    assert "按当前完成情况，柳河镇因“生产安全事故死亡人数”指标被一票否优，年度考核不得评为第一等次。" in text
    assert "（牵头单位：县发展和改革局；配合单位：县统计局）" in text
    assert "距年底仅剩92天" in text
    # attachment 1: every unit with its published total
    rows = {c.text for t in Document(out / "进展通报.docx").tables for row in t.rows for c in row.cells}
    for u in result.units:
        assert u.name in rows and score_text(u.total) in rows


def test_every_unit_has_its_own_notice(september):
    out, result = september
    data = json.loads((out / "results.json").read_text("utf-8"))
    assert len(list((out / "通知").glob("*.docx"))) == len(data["units"]) == 20
    for u in data["units"]:
        doc = Document(out / "通知" / f"{u['name']}.docx")
        text = all_text(doc)
        peers = sum(1 for v in data["units"] if v["category"] == u["category"])
        tie = sum(1 for v in data["units"] if v["category"] == u["category"] and v["rank"] == u["rank"]) > 1
        assert styled(doc, "主送") == [f"{u['name']}："]
        assert f"你单位综合得分{score_text(u['total'])}分" in text, u["name"]
        assert f"在{category_words(u['category'])}{peers}个单位中{'并列' if tie else '居'}第{u['rank']}位" in text
        assert f"等次为“{u['grade']}”" in text
        rectify = u["grade"] in ("一般", "较差") or u["veto"] == "是"
        assert ("六、整改要求" in styled(doc, "一级标题")) == rectify, u["name"]
        assert "{{" not in text and "None" not in text


def test_last_place_agrees_with_the_rank(september):
    """白马镇 开工率 is 4th with 8 others (a 分档 step 9 of 12 share): no 末位 to speak of. 金鸡乡's
    末位 indicators each carry the rank its table prints."""
    out, result = september
    text = all_text(Document(out / "通知" / "白马镇.docx"))
    assert "位居末位" not in text
    doc = Document(out / "通知" / "金鸡乡.docx")
    line = next(p.text for p in doc.paragraphs if "位居末位" in p.text)
    ranks = {row.cells[0].text.replace("\n", ""): row.cells[7].text for row in doc.tables[0].rows[1:]}
    for name, rank in re.findall(r"([^：、（）]+)（第(\d+)位", line):
        assert ranks[name] == rank, name


def test_notice_of_jinjixiang(september):
    """金鸡乡 (rank 12 of 12, 较差, vetoed on 环境保护目标责任) as its notice reads."""
    out, _ = september
    doc = Document(out / "通知" / "金鸡乡.docx")
    check_layout(doc)
    text = all_text(doc)
    # SPEC 3.7 (大类 目标任务 80, 社会评价 20): 目标任务 61.35 of its 80; 民主测评 92.8 → 37.12 of 社会评价's
    # 40 applicable points (群众满意度调查 has no data yet) → 20 × 37.12/40 = 18.56; 61.35 + 18.56 = 79.91.
    assert "你单位综合得分79.91分（基础得分79.91分），在镇（街道）12个单位中居第12位，按当前进度测算，等次为“较差”。" in text
    assert "你单位基础得分按大类权重计算：目标任务（权重80）61.35分、社会评价（权重20）18.56分，基础得分79.91分。" in text
    assert "你单位因“环境保护目标责任”指标被一票否决，年度考核将定为最低等次。" in text
    # 倒排计划 of 固定资产投资: (36400 − 23980) = 12420 万元 = 1.24亿元 over the 后3个月: 12420 ÷ 3 = 4140万元
    assert "固定资产投资距年度目标还差1.24亿元，后3个月需月均完成4140万元。" in text
    assert "你单位2024年度“良好”、2025年度“一般”，2026年度（按当前进度测算）“较差”。" in text
    assert "整改重点：地区生产总值增速、" in text and "等指标。" in text
    # one red light: no 等 after a single name
    assert "整改重点：党风廉政建设指标。" in all_text(Document(out / "通知" / "县自然资源局.docx"))
    table = doc.tables[0]
    row = next(r for r in table.rows if r.cells[0].text == "固定资产投资")
    # 23980 / 36400 = 65.88% of the year's target; yellow; ranked 12th; its own score of 分值 10
    assert [c.text for c in row.cells[1:6]] == ["万元", "36400", "23980", "65.9%", "黄"]
    assert row.cells[7].text == "12"
    fill = row.cells[5]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fill == "FFEB9C"


def test_year_end_results_bulletin(year_end):
    out, result = year_end
    doc = Document(out / "考核结果通报.docx")
    check_layout(doc)
    text = all_text(doc)
    assert styled(doc, "成文日期") == ["2027年1月15日"]      # --date over 参数 成文日期
    # the county's 参数 has no 结果通报字号: no 字号 (not the 进展通报's), the red line stays
    assert styled(doc, "发文字号") == [""]
    assert doc.styles["发文字号"].element.pPr.find(qn("w:pBdr")) is not None
    for grade in ("优秀", "良好", "一般", "较差"):
        names = [u.name for u in result.units if u.grade == grade]
        if names:
            assert f"评为“{grade}”等次的单位（" in text
    excellent = [u.name for u in result.units if u.grade == "优秀"]
    assert f"对评为“优秀”等次的{'、'.join(excellent)}{len(excellent)}个单位予以通报表扬。" in text
    assert "金鸡乡因“环境保护目标责任”指标被一票否决，考核等次为“较差”。" in text
    assert styled(doc, "一级标题") == ["一、考核结果", "二、通报表扬", "三、一票否决和一票否优", "四、存在问题",
                                   "五、结果运用", "六、有关要求"]
    notice = all_text(Document(out / "通知" / "金鸡乡.docx"))
    assert "金鸡乡2026年度" in styled(Document(out / "通知" / "金鸡乡.docx"), "公文标题")[0]
    # SPEC 4.1: at the year end nothing speaks of 序时 or 倒排计划, in the 通知 or the 进展通报
    progress = Document(out / "进展通报.docx")
    for words in (notice, all_text(progress)):
        assert "序时" not in words and "倒排" not in words and "统计截止日已到年底" not in words
    assert "关于青峰县2026年度镇（街道）和县直部门" in styled(progress, "公文标题")[0]
    assert "目标责任考核全年目标任务完成情况的通报" in styled(progress, "公文标题")[0].replace("\n", "")
    assert styled(progress, "一级标题") == ["一、总体情况", "二、年度目标完成情况", "三、存在问题",
                                        "四、一票否决和一票否优情况", "五、下步工作要求"]


def test_no_results_bulletin_before_year_end(september):
    out, _ = september
    assert not (out / "考核结果通报.docx").exists()


def test_rebuild_gives_byte_identical_documents(september, tmp_path):
    out, _ = september
    build([SAMPLES / "input.xlsx"], tmp_path)
    files = ["进展通报.docx"] + [f"通知/{p.name}" for p in (out / "通知").glob("*.docx")]
    for name in files:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name
    with zipfile.ZipFile(out / "进展通报.docx") as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2026, 9, 30)}
        core = z.read("docProps/core.xml").decode()
        assert "2026-09-30T00:00:00Z" in core


def test_unit_names_with_markup_are_escaped(tmp_path):
    """A name with & and < must not corrupt the XML (docxtpl renders with autoescape)."""
    issues = []
    scheme, submissions = load_inputs([SAMPLES / "input.xlsx"], issues)
    result = evaluate(scheme, submissions, issues)
    result.units[0].name = "龙泉镇<&>{{ 1 + 1 }}"
    from tzreport.fileio import fixed_time
    from tzreport.pipeline import write_outputs
    write_outputs(result, scheme, tmp_path, fixed_time(result.params.as_of))   # as build writes them
    (notice_path,) = [p for p in (tmp_path / "通知").glob("龙泉镇*.docx")]
    notice = Document(notice_path)
    assert styled(notice, "主送") == ["龙泉镇<&>{{ 1 + 1 }}："]
    assert "龙泉镇<&>{{ 1 + 1 }}" in all_text(Document(tmp_path / "进展通报.docx"))


def _edit_template(src: Path, dst: Path, old: str, new: str) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text
                data = text.replace(old, new, 1).encode("utf-8")
            zout.writestr(item, data)


def test_broken_clerk_template_is_one_line_naming_template_and_tag(tmp_path):
    mine = tmp_path / "我的模板"
    mine.mkdir()
    builtin = documents.builtin_templates()
    _edit_template(builtin / "单位通知.docx", mine / "单位通知.docx", "{{ r.name }}", "{{ r.name }")
    _edit_template(builtin / "进展通报.docx", mine / "进展通报.docx", "{{ doc_number }}", "{{ doc_no }}")
    result = build([SAMPLES / "input.xlsx"], tmp_path / "out", templates=mine)
    problems = [i for i in result.issues if i.severity == ERROR]
    assert len(problems) == 2
    by_file = {Path(i.file).name: i.message for i in problems}
    assert "\n" not in "".join(by_file.values())
    assert "单位通知.docx" in by_file["单位通知.docx"] and "{{ r.name }" in by_file["单位通知.docx"]
    assert "{{ doc_no }}" in by_file["进展通报.docx"] and "doc_no" in by_file["进展通报.docx"]
    # the rest of the build went on: workbooks written, no half-written documents left behind
    assert (tmp_path / "out" / "汇总.xlsx").exists()
    assert not (tmp_path / "out" / "进展通报.docx").exists()
    assert not list((tmp_path / "out" / "通知").glob("*"))
    data = json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))
    assert sum(1 for i in data["issues"] if i["severity"] == "error") == 2


def test_sandbox_refuses_python_internals(tmp_path):
    mine = tmp_path / "t"
    mine.mkdir()
    _edit_template(documents.builtin_templates() / "进展通报.docx", mine / "进展通报.docx",
                   "{{ doc_number }}", "{{ doc_number.__class__.__mro__ }}")
    result = build([SAMPLES / "input.xlsx"], tmp_path / "out", templates=mine)
    assert any("进展通报.docx" in i.message for i in result.issues if i.severity == ERROR)
    assert not (tmp_path / "out" / "进展通报.docx").exists()


def test_committed_templates_match_their_script():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make_doc_templates.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_charts_draw_chinese_without_missing_glyphs():
    from tzreport.render import charts
    png = charts.totals_chart("镇街综合得分", [("龙泉镇", 103.11, "优秀"), ("金鸡乡", 78.15, "较差")],
                              ["优秀", "良好", "一般", "较差"])
    assert png.startswith(b"\x89PNG")
    assert charts.lights_chart("镇街各指标亮灯情况", [("固定资产投资", 5, 7, 0)]) == \
        charts.lights_chart("镇街各指标亮灯情况", [("固定资产投资", 5, 7, 0)])    # deterministic


def test_charts_fail_loudly_on_a_font_without_chinese(monkeypatch):
    from tzreport.render import charts
    monkeypatch.setattr(charts, "cjk_family", lambda: "DejaVu Sans")
    with pytest.raises(charts.ChartFontMissing):
        charts.lights_chart("镇街各指标亮灯情况", [("固定资产投资", 5, 7, 0)])


def test_pdf_without_libreoffice_says_so(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from tzreport import cli
    monkeypatch.setattr(documents, "find_soffice", lambda: None)
    run = CliRunner().invoke(cli.main, ["build", str(SAMPLES / "input.xlsx"), "-o", str(tmp_path), "-q", "--pdf"])
    assert run.exit_code == 1
    assert "未找到 LibreOffice（soffice），未生成 PDF" in run.output
    assert (tmp_path / "进展通报.docx").exists() and not list(tmp_path.glob("*.pdf"))


def test_word_templates_command_copies_the_templates(tmp_path):
    from click.testing import CliRunner

    from tzreport import cli
    run = CliRunner().invoke(cli.main, ["word-templates", "-o", str(tmp_path / "模板")])
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in (tmp_path / "模板").glob("*.docx")) == sorted(
        ["进展通报.docx", "考核结果通报.docx", "单位通知.docx"])
    assert (tmp_path / "模板" / "单位邮件.txt").is_file()       # the mail template goes along
    for p in (tmp_path / "模板").glob("*.[dt]*"):              # the copies are the built-in bytes
        assert p.read_bytes() == (documents.builtin_templates() / p.name).read_bytes()
