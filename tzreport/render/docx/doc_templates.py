"""Builds the Word templates in ``templates/``: 进展通报.docx, 考核结果通报.docx, 单位通知.docx.

The templates are what a clerk edits in Word or WPS (fixed wording, styles, the 红头); the
``{{ … }}`` and ``{%p … %}`` tags are filled by ``documents.py`` with sentences written from the
numbers. Rebuild them after changing this file:

    python tools/make_doc_templates.py

Every style is a named paragraph style (公文标题, 一级标题, …) with its East-Asian font set, so a
clerk changes a font once in Word's style pane rather than run by run.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Emu, Mm, Pt, Twips

from tzreport.fileio import save_docx
from tzreport.ooxml.wordlayout import (BODY_SIZE, CONDENSE, FANGSONG, HEITI, KAITI, LINE_PITCH, MM, RED,
                                       SONGTI, TYPE_AREA_WIDTH, XIAOBIAOSONG, cant_split, character_spacing,
                                       east_asian_defaults, imprint_table, page_numbers, page_setup,
                                       paragraph_format, repeat_header, rule_below, set_font, table_borders)

PROGRESS, RESULTS, NOTICE = "进展通报.docx", "考核结果通报.docx", "单位通知.docx"
TEMPLATE_TIME = dt.datetime(2026, 1, 1)   # fixed, so a rebuild gives the same bytes
LINE = LINE_PITCH / 20                     # 28.95 pt
IMPRINT_SIZE = 14                          # 版记 in 4号 仿宋 (GB/T 9704 7.4.2, 7.4.3)
# 7.2.4: the 发文机关标志's top edge 35 mm below the top of the 版心. Its single-spaced line (on the
# document's line grid) holds the glyphs about 19 pt below the line's top: measured as the first red
# pixel row of LibreOffice's PDF with Noto Serif CJK (tests/test_gongwen.py checks it).
MARK_OFFSET = 35 * MM - 19

CENTER, RIGHT, LEFT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY)

# name: (East-Asian font, size, colour, bold, paragraph format)
STYLES = {
    "发文机关标志": (XIAOBIAOSONG, 26, RED, False, dict(align=CENTER, line=None, before=MARK_OFFSET)),
    # 7.2.5: two empty lines below the 发文机关标志; the red line 4 mm under it (``rule_below``)
    "发文字号": (FANGSONG, BODY_SIZE, None, False, dict(align=CENTER, line=LINE, before=LINE * 2)),
    "公文标题": (XIAOBIAOSONG, 22, None, False, dict(align=CENTER, line=35, before=LINE * 2,
                                                    after=LINE)),
    "主送": (FANGSONG, BODY_SIZE, None, False, dict(align=JUSTIFY, line=LINE)),
    "一级标题": (HEITI, BODY_SIZE, None, False, dict(align=JUSTIFY, line=LINE, indent_chars=2)),
    "二级标题": (KAITI, BODY_SIZE, None, False, dict(align=JUSTIFY, line=LINE, indent_chars=2)),
    "三级标题": (FANGSONG, BODY_SIZE, None, True, dict(align=JUSTIFY, line=LINE, indent_chars=2)),
    "附件说明": (FANGSONG, BODY_SIZE, None, False, dict(align=JUSTIFY, line=LINE, indent_chars=2,
                                                     before=LINE)),
    # 7.3.5.2: one empty line below the text; the right indents are set per document from the
    # 署名's and the date's own lengths (wordlayout.lay_out_signature)
    "发文机关署名": (FANGSONG, BODY_SIZE, None, False, dict(align=RIGHT, line=LINE, before=LINE,
                                                        right_chars=2)),
    "成文日期": (FANGSONG, BODY_SIZE, None, False, dict(align=RIGHT, line=LINE, right_chars=4)),
    "附件标识": (HEITI, BODY_SIZE, None, False, dict(align=LEFT, line=LINE)),
    # 7.3.7: 附件标识 on the first line of the 版心, the 附件 title centred on its third line, laid out
    # as the document's own title (2号 小标宋)
    "附件标题": (XIAOBIAOSONG, 22, None, False, dict(align=CENTER, line=35, before=LINE, after=LINE)),
    "表题": (KAITI, 14, None, False, dict(align=LEFT, line=24, before=6, size=14)),
    "表头": (HEITI, 10, None, False, dict(align=CENTER, line=None, size=10)),
    "表格文字": (FANGSONG, 10, None, False, dict(align=CENTER, line=None, size=10)),
    "图片": (FANGSONG, BODY_SIZE, None, False, dict(align=CENTER, line=None, before=6, after=6)),
    "页码": (SONGTI, 14, None, False, dict(line=None, size=14)),
    # 7.4.2, 7.4.3: 抄送 and 印发 lines of the 版记, 4号 仿宋, one 字 in from each side
    "版记": (FANGSONG, IMPRINT_SIZE, None, False, dict(align=LEFT, line=LINE, size=IMPRINT_SIZE)),
}
KEEP_WITH_NEXT = ("一级标题", "二级标题", "三级标题", "表题", "附件说明", "发文机关署名", "附件标识", "附件标题")


def new_document():
    """An A4 zh-CN document with the 9704 page and every 公文 style, empty."""
    doc = Document()
    east_asian_defaults(doc)
    page_setup(doc.sections[0])
    normal = doc.styles["Normal"]
    set_font(normal, FANGSONG, size=BODY_SIZE)
    paragraph_format(normal, align=JUSTIFY, line=LINE, indent_chars=2)
    character_spacing(normal, CONDENSE)
    for name, (font, size, colour, bold, fmt) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        set_font(style, font, size=size, bold=bold, colour=colour)
        paragraph_format(style, **fmt)
        if size != BODY_SIZE:      # only body-size text needs condensing to 28 a line
            character_spacing(style, 0)
    rule_below(doc.styles["发文字号"])
    for name in KEEP_WITH_NEXT:     # a heading never ends a page; the 署名 never stands alone (7.3.5)
        doc.styles[name].paragraph_format.keep_with_next = True
    imprint = doc.styles["版记"].paragraph_format
    imprint.left_indent = imprint.right_indent = Pt(IMPRINT_SIZE)
    imprint.first_line_indent = Pt(0)
    for table_style in ("Table Grid",):        # keep the default table style's text in 仿宋 too
        set_font(doc.styles[table_style], FANGSONG)
    page_numbers(doc, doc.styles["页码"])
    body = doc.element.body
    for p in list(body.iterchildren()):
        if p.tag.endswith("}p"):
            body.remove(p)
    return doc


class Builder:
    def __init__(self, title: str):
        self.doc = new_document()
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = title, "tzreport", "tzreport"
        props.comments = "tzreport 公文模板：花括号标签处由程序填写（见 templates/README.md），其余文字和样式可在 Word/WPS 中修改。"
        props.revision = 1

    def p(self, style: str, text: str = ""):
        return self.doc.add_paragraph(text, style=style)

    def tag(self, text: str):
        """A paragraph holding only a {%p … %} tag: docxtpl removes it when rendering."""
        return self.doc.add_paragraph(text, style="Normal")

    def lead_in(self, lead: str, text: str):
        """"（一）紧盯目标，倒排工期。" in 楷体, the rest of the paragraph in the body font."""
        p = self.doc.add_paragraph(style="Normal")
        run = p.add_run(lead)
        set_font(run, KAITI)
        p.add_run(text)
        return p

    def letterhead(self, number: str = "doc_number"):
        """红头: 发文机关标志, 发文字号 over the red line, then the title and 主送. ``number`` names
        the document's own 字号 (4.2); a blank one leaves the red line without a 字号."""
        self.p("发文机关标志", "{{r issuer_mark }}")
        self.p("发文字号", f"{{{{ {number} }}}}")
        self.p("公文标题", "{{ title }}")
        self.p("主送", "{{ addressee }}：")

    def sections(self, var: str, numbered_heading: str = "二级标题"):
        """A list of {heading, paragraphs, chart} written by documents.py."""
        self.tag(f"{{%p for sec in {var} %}}")
        self.tag("{%p if sec.heading %}")
        self.p(numbered_heading, "{{ sec.heading }}")
        self.tag("{%p endif %}")
        self.tag("{%p for text in sec.paragraphs %}")
        self.p("Normal", "{{ text }}")
        self.tag("{%p endfor %}")
        self.tag("{%p if sec.chart %}")
        self.p("图片", "{{ sec.chart }}")
        self.tag("{%p endif %}")
        self.tag("{%p endfor %}")

    def outline(self, parts):
        """一、-level headings, each followed by generated ``sections`` or ``paragraphs``."""
        for heading, kind, var in parts:
            self.p("一级标题", heading)
            getattr(self, kind)(var)

    def paragraphs(self, var: str):
        self.tag(f"{{%p for text in {var} %}}")
        self.p("Normal", "{{ text }}")
        self.tag("{%p endfor %}")

    def signature(self):
        self.p("发文机关署名", "{{ issuer }}")
        self.p("成文日期", "{{ date }}")

    def attachment_page(self, label: str, title: str):
        """A 附件 on a page of its own (7.3.7): "附件1" 顶格 on the first line, its title on the third."""
        p = self.p("附件标识", label)
        p.paragraph_format.page_break_before = True
        self.p("附件标题", title)

    def imprint(self):
        """版记 (7.4) at the foot of the last page: 抄送 (when there is one) and 印发机关 … 印发日期
        between thick first and last lines, a thin line between them."""
        table = self.doc.add_table(rows=4, cols=1)
        width = TYPE_AREA_WIDTH
        imprint_table(table, width)
        for row in table.rows:
            row.cells[0].width = Twips(width)
            row.cells[0].paragraphs[0].style = self.doc.styles["版记"]
        table.columns[0].width = Twips(width)
        table.rows[0].cells[0].paragraphs[0].text = "{%tr if cc %}"
        cc = table.rows[1].cells[0].paragraphs[0]
        cc.text = "抄送：{{ cc }}"
        # 回行时与冒号后的首字对齐: a hanging indent of the three 字 "抄送："
        cc.paragraph_format.left_indent = Pt(IMPRINT_SIZE * 4)
        cc.paragraph_format.first_line_indent = Pt(-IMPRINT_SIZE * 3)
        table.rows[2].cells[0].paragraphs[0].text = "{%tr endif %}"
        printed = table.rows[3].cells[0].paragraphs[0]
        printed.text = "{{ printer }}\t{{ print_date }}印发"      # 印发机关 左空一字, 日期 右空一字
        printed.paragraph_format.tab_stops.add_tab_stop(Emu(Twips(TYPE_AREA_WIDTH) - Pt(IMPRINT_SIZE)),
                                                         WD_TAB_ALIGNMENT.RIGHT)
        # a document ends with a paragraph: a one-point one, so it cannot take a page of its own
        end = self.doc.add_paragraph(style="Normal")
        end.paragraph_format.line_spacing = Pt(1)
        end.paragraph_format.first_line_indent = Pt(0)
        end.paragraph_format.space_before = end.paragraph_format.space_after = Pt(0)

    def table(self, var: str, columns: list, widths_mm: list, caption: str = "{{ t.caption }}"):
        """One table per item of ``var`` (one per 考核类别): a caption, a header, a {%tr %} row."""
        self.tag(f"{{%p for t in {var} %}}")
        self.tag("{%p if t.caption %}")
        self.p("表题", caption)
        self.tag("{%p endif %}")
        table = self.doc.add_table(rows=4, cols=len(columns))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        table_borders(table)
        repeat_header(table.rows[0])
        for i, ((head, cell_text), width) in enumerate(zip(columns, widths_mm)):
            table.columns[i].width = Mm(width)      # w:gridCol, which LibreOffice goes by
            for row in table.rows:
                row.cells[i].width = Mm(width)      # w:tcW, which Word goes by
            table.rows[0].cells[i].paragraphs[0].text = head
            table.rows[0].cells[i].paragraphs[0].style = self.doc.styles["表头"]
            table.rows[2].cells[i].paragraphs[0].text = cell_text
            for r in (1, 2, 3):
                table.rows[r].cells[i].paragraphs[0].style = self.doc.styles["表格文字"]
        cant_split(table.rows[2])
        table.rows[1].cells[0].paragraphs[0].text = "{%tr for r in t.rows %}"
        table.rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
        self.tag("{%p endfor %}")

    def save(self, path):
        save_docx(self.doc, path, TEMPLATE_TIME)


REQUIREMENTS = [
    ("（一）紧盯目标，倒排工期。",
     "{% if days_left %}距年底仅剩{{ days_left }}天，{% endif %}各单位要对照年度目标任务和倒排计划，逐项分解、"
     "挂图作战，把任务落实到具体岗位和责任人，确保全年各项目标任务全面超额完成。"),
    ("（二）聚焦短板，精准发力。",
     "对亮红灯、黄灯的指标，牵头单位要会同配合单位认真分析原因，研究提出针对性措施，限期赶上序时进度；"
     "对位居末位的指标，要拿出专门措施奋力赶超。"),
    ("（三）夯实基础，规范报送。",
     "各单位要加强基层基础数据统计工作，按时、准确报送完成情况，对报送数据的真实性负责。"),
    ("（四）强化督导，严格考核。",
     "考核办将持续跟踪督查目标任务推进情况，定期通报，考核结果与领导班子和领导干部评先评优、选拔任用挂钩。"),
]

# At the year end (p = 1) the 进展通报 reports the year's completion: no 序时, no 倒排计划 (SPEC 4.1).
REQUIREMENTS_FINAL = [
    ("（一）认真总结，巩固成果。",
     "各单位要全面总结本年度目标任务完成情况，对已完成的指标巩固提升，对未完成的指标逐项分析原因、"
     "明确责任，形成书面材料报送考核办。"),
    ("（二）聚焦短板，抓好整改。",
     "对亮红灯、黄灯和位居末位的指标，牵头单位要会同配合单位深入剖析原因，制定整改措施，在新的年度"
     "目标任务中加以改进。"),
    ("（三）夯实基础，规范报送。",
     "各单位要加强基层基础数据统计工作，按时、准确报送完成情况，对报送数据的真实性负责。"),
    ("（四）严格考核，强化运用。",
     "考核办将根据考核办法兑现奖惩，考核结果与领导班子和领导干部评先评优、选拔任用挂钩。"),
]


def _tables_readable(b) -> None:
    """Table text off the document grid (rows as high as their text, not snapped to 28.95 pt
    lines) and every cell centred vertically."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    for name in ("表头", "表格文字"):
        ppr = b.doc.styles[name].element.get_or_add_pPr()
        if ppr.find(qn("w:snapToGrid")) is None:
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            ppr.insert(0, snap)
    for table in b.doc.tables:
        for row in table.rows:
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _widths_from_context(table, var: str) -> None:
    """Column widths filled in when the document is written (``{{ t.widths[i] }}``, twips), so
    they follow the text of that unit's table: no word broken across lines. The widths given to
    ``Builder.table`` stay as Word's defaults in a clerk's copy until it is rendered."""
    from docx.oxml.ns import qn
    for i, col in enumerate(table._tbl.tblGrid.iterchildren(qn("w:gridCol"))):
        col.set(qn("w:w"), f"{{{{ {var}[{i}] }}}}")
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            tcw = cell._tc.get_or_add_tcPr().find(qn("w:tcW"))
            if tcw is not None:
                tcw.set(qn("w:w"), f"{{{{ {var}[{i}] }}}}")


def _part(b, key: str, kind: str, var: str):
    """A numbered 一、 section that may be absent: its heading comes from ``heads`` (documents
    number the sections present, e.g. no 倒排计划 at the year end)."""
    b.tag(f"{{%p if heads.{key} %}}")
    b.p("一级标题", f"{{{{ heads.{key} }}}}")
    getattr(b, kind)(var)
    b.tag("{%p endif %}")


def progress_template(path) -> None:
    b = Builder("目标任务进展情况通报")
    b.letterhead()
    b.paragraphs("intro")
    b.tag("{%p if heads.overview %}")
    b.p("一级标题", "{{ heads.overview }}")
    b.paragraphs("summary")
    b.sections("overview")
    b.tag("{%p endif %}")
    _part(b, "indicators", "sections", "indicators")
    _part(b, "problems", "sections", "problems")
    _part(b, "vetoes", "paragraphs", "vetoes")
    _part(b, "plans", "sections", "plans")
    b.p("一级标题", "{{ heads.requirements }}")
    b.tag("{%p if final %}")
    for lead, text in REQUIREMENTS_FINAL:
        b.lead_in(lead, text)
    b.tag("{%p else %}")
    for lead, text in REQUIREMENTS:
        b.lead_in(lead, text)
    b.tag("{%p endif %}")
    b.p("附件说明", "附件：1.各单位综合得分排名表")
    p = b.p("附件说明", "2.各项指标亮灯情况统计表")
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 5)
    b.signature()
    b.attachment_page("附件1", "各单位综合得分排名表")
    b.table("ranking", [("排名", "{{ r.rank }}"), ("单位", "{{ r.name }}"), ("综合得分", "{{ r.total }}"),
                        ("基础得分", "{{ r.base }}"), ("加分", "{{ r.bonus }}"), ("扣分", "{{ r.deduction }}"),
                        ("红灯数", "{{ r.reds }}")], [13, 46, 21, 21, 16, 16, 17])
    b.attachment_page("附件2", "各项指标亮灯情况统计表")
    b.table("lights", [("指标", "{{ r.name }}"), ("单位数", "{{ r.units }}"), ("绿灯", "{{ r.green }}"),
                       ("黄灯", "{{ r.yellow }}"), ("红灯", "{{ r.red }}"), ("红灯单位", "{{ r.red_units }}")],
            [46, 17, 13, 13, 13, 54])
    _tables_readable(b)
    b.imprint()
    b.save(path)


def results_template(path) -> None:
    b = Builder("年度目标责任考核结果通报")
    b.letterhead("results_doc_number")
    b.paragraphs("intro")
    b.outline([("一、考核结果", "paragraphs", "summary")])
    b.sections("grades")
    b.paragraphs("missing")
    b.outline([("二、通报表扬", "paragraphs", "praise"),
               ("三、一票否决和一票否优", "paragraphs", "vetoes"), ("四、存在问题", "sections", "problems"),
               ("五、结果运用", "paragraphs", "consequences")])
    b.p("一级标题", "六、有关要求")
    b.p("Normal", "希望受到表扬的单位珍惜荣誉、再接再厉，在新的一年里争创更好成绩。考核等次为{{ low_grades }}的单位"
                  "要认真查找差距，深刻剖析原因，制定整改措施，于30日内将整改方案报送考核办。各单位要以此次考核"
                  "为契机，进一步强化目标意识、责任意识，推动各项工作再上新台阶。")
    b.p("附件说明", "附件：{{ year }}年度目标责任考核结果汇总表")
    b.signature()
    b.attachment_page("附件", "{{ year }}年度目标责任考核结果汇总表")
    b.table("tables", [("排名", "{{ r.rank }}"), ("单位", "{{ r.name }}"), ("综合得分", "{{ r.total }}"),
                       ("等次", "{{ r.grade }}"), ("说明", "{{ r.note }}")], [14, 50, 24, 18, 50])
    _tables_readable(b)
    b.imprint()
    b.save(path)


def notice_template(path) -> None:
    b = Builder("目标任务完成情况通知")
    b.letterhead("notice_doc_number")
    b.paragraphs("intro")
    _part(b, "overview", "paragraphs", "overview")
    _part(b, "indicators", "paragraphs", "indicator_summary")
    b.table("indicator_tables", [
        ("指标", "{{ r.name }}"), ("计量\n单位", "{{ r.measure }}"), ("目标", "{{ r.target }}"),
        ("完成", "{{ r.actual }}"), ("完成率/\n差距", "{{ r.progress }}"),
        ("亮灯", "{% cellbg r.fill %}{{ r.light }}"), ("得分/\n分值", "{{ r.score }}"), ("排名", "{{ r.rank }}")],
        [44, 14, 16, 18, 27, 8, 19, 10])
    _widths_from_context(b.doc.tables[-1], "t.widths")
    _part(b, "weak", "paragraphs", "weak")
    _part(b, "plans", "paragraphs", "plans")
    _part(b, "history", "paragraphs", "history")
    b.tag("{%p if rectification %}")
    b.p("一级标题", "{{ heads.rectification }}")
    b.p("Normal", "你单位{{ grade_phrase }}，请主要负责同志亲自研究，深刻剖析原因，逐项制定整改措施，"
                  "明确责任人和完成时限，于30日内将整改方案书面报送考核办。")
    b.paragraphs("rectification")
    b.tag("{%p endif %}")
    b.signature()
    _tables_readable(b)
    b.imprint()
    b.save(path)


BUILDERS = {PROGRESS: progress_template, RESULTS: results_template, NOTICE: notice_template}


def write_doc_templates(folder) -> list:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, builder in BUILDERS.items():
        builder(folder / name)
        paths.append(folder / name)
    return paths


if __name__ == "__main__":   # python -m tzreport.render.docx.doc_templates [DIR]
    for written in write_doc_templates(sys.argv[1] if len(sys.argv) > 1 else "templates"):
        print(written)
