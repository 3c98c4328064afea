"""Word documents (SPEC 4): 进展通报.docx every build, 考核结果通报.docx at year end, and
通知/<单位>.docx for every unit — docxtpl templates from ``templates/`` filled with sentences
written from the numbers (``prose``) and charts (``charts``).

The templates are a clerk's to edit, so they render in a sandbox with autoescape and strict
undefined variables; a broken one becomes a one-line problem naming the template and the tag, and
the rest of the build goes on.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tzreport.fileio import output_label, save_docx, write_problem
from tzreport.model import ERROR, INFO, Issue
from tzreport.ooxml.wordlayout import lay_out_signature, signature_style_ids
from tzreport.render import charts as drawing
from tzreport.render.charts import ChartFontMissing
from tzreport.render.docx.doc_templates import NOTICE, PROGRESS, RESULTS
from tzreport.rules.schedule import is_year_end
from tzreport.words import prose
from tzreport.words.facts import categories, grade_order
from tzreport.words.notice_doc import notice_context
from tzreport.words.progress_doc import progress_context
from tzreport.words.results_doc import results_context
from tzreport.words.width import display_width

NOTICE_FOLDER = "通知"
CHART_WIDTH_MM = 150


class TemplateProblem(Exception):
    """A clerk's template that cannot be rendered; the message names the template and the tag."""


def builtin_templates() -> Path:
    """templates/ as installed (inside the package) or in a source checkout (beside it)."""
    here = Path(__file__).resolve().parents[2]
    for folder in (here / "templates", here.parent / "templates"):
        if (folder / PROGRESS).is_file():
            return folder
    raise TemplateProblem(f"找不到内置的 Word 模板（{PROGRESS}），请重新安装 tzreport")


def template_path(name: str, folder=None) -> Path:
    """A clerk's own template from ``folder`` when it has one by that name, else the built-in."""
    if folder is not None and (Path(folder) / name).is_file():
        return Path(folder) / name
    return builtin_templates() / name


def issuer_mark_size(text: str, widest: float = 26, line_pt: float = 440) -> int:
    """Point size that keeps the 发文机关标志 on one line of the 156 mm type area (at most 26 pt)."""
    chars = max(1.0, display_width(text) / 2)
    return int(max(16, min(widest, line_pt // chars)))


# -- rendering ------------------------------------------------------------------------------------

_CACHE_LIMIT = 64


@functools.lru_cache(maxsize=None)
def _environment():
    """The sandboxed, autoescaping, strict jinja2 environment every template renders in; it keeps
    compiled templates, since the same template source renders once per unit."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        compiled = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals is not None or template_class is not None:
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) >= _CACHE_LIMIT:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

        def getattr(self, obj, attribute):
            # ``r.name`` on a plain dict (a 通知 table does it some 2,500 times): a dict instance has
            # no attribute of that name, so jinja's own lookup raises AttributeError and then
            # returns the item; go to the item at once. Anything else takes jinja's way.
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
                return obj[attribute]
            return super().getattr(obj, attribute)

    return Sandbox(autoescape=True, undefined=StrictUndefined)


_DICT_ATTRIBUTES = frozenset(dir(dict))     # what ``getattr({}, name)`` finds (methods, dunders)


@functools.lru_cache(maxsize=None)
def _template_class():
    """DocxTemplate that remembers its tag clean-up (patch_xml: regexes over the whole XML)."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        patched = {}

        def patch_xml(self, src_xml):
            if src_xml not in self.patched:
                if len(self.patched) >= _CACHE_LIMIT:
                    self.patched.clear()
                self.patched[src_xml] = super().patch_xml(src_xml)
            return self.patched[src_xml]

    return Template


def _tags_in(text: str) -> list:
    return re.findall(r"\{[{%#].*?(?:[}%#]\}|$)", text)


def _problem(template: Path, exc, tpl=None) -> str:
    """One line: the template, the tag, what is wrong with it."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError
    where = f"模板 {template.name}"
    if isinstance(exc, TemplateSyntaxError):
        lines = (exc.source or "").splitlines()     # docxtpl puts each paragraph on a line
        line = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
        text = re.sub(r"<[^>]+>", "", line)
        tags = _tags_in(text) or ([text.strip()[:40]] if text.strip() else [])
        return f"{where} 的标签“{' '.join(tags) or '?'}”写法有误（{exc.message}），该文档未生成"
    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", str(exc))
        word = next((g for g in name.groups() if g), str(exc)) if name else str(exc)
        tag = _find_tag(tpl, word) if tpl is not None else ""
        return f"{where} 的标签“{tag or word}”用到了没有的变量“{word}”，该文档未生成"
    if isinstance(exc, SecurityError):
        return f"{where} 的标签做了模板里不允许的操作（{exc}），该文档未生成"
    return f"{where} 无法使用（{type(exc).__name__}: {exc}），该文档未生成"


def _find_tag(tpl, word: str) -> str:
    try:
        xml = tpl.patch_xml(tpl.get_xml())
    except Exception:   # noqa: BLE001 — only a better message is at stake
        return ""
    text = re.sub(r"<[^>]+>", "", xml)
    return next((t for t in _tags_in(text) if re.search(rf"\b{re.escape(word)}\b", t)), "")


def _dress(context: dict) -> dict:
    """The title broken into lines, the 发文机关标志 sized to one line (both paths render these)."""
    from docxtpl import Listing, RichText
    if isinstance(context.get("title"), str):     # broken into lines where the words allow
        context["title"] = Listing("\n".join(prose.title_lines(context["title"])))
    if "issuer_mark" in context:                   # 发文机关标志 on one line: smaller when long
        mark = context["issuer_mark"]
        context["issuer_mark"] = RichText(mark, size=2 * issuer_mark_size(mark))
    return context


def render(template: Path, make_context, out_path: Path, when: dt.datetime, images: dict = None):
    """Fill ``template`` with ``make_context()`` and save it atomically; ``images`` maps the
    context's chart keys to PNG bytes. Raises TemplateProblem for a template that cannot render."""
    from docx.shared import Mm
    from docxtpl import InlineImage
    try:
        tpl = _template_class()(str(template))
        tpl.init_docx()
    except Exception as exc:   # noqa: BLE001 — not a Word file, damaged zip, …
        raise TemplateProblem(f"模板 {template.name} 不是可用的 Word 文件（{exc}），该文档未生成") from None
    context = _dress(make_context())
    inline = {key: InlineImage(tpl, io.BytesIO(png), width=Mm(CHART_WIDTH_MM))
              for key, png in (images or {}).items()}
    _resolve_charts(context, inline)
    try:
        tpl.render(context, jinja_env=_environment(), autoescape=True)
    except Exception as exc:   # noqa: BLE001 — jinja errors, broken XML from a misplaced tag
        raise TemplateProblem(_problem(template, exc, tpl)) from None
    lay_out_signature(tpl.docx)       # 署名 and date indents from their text; kept with the text (7.3.5)
    save_docx(tpl, out_path, when)


class PreparedTemplate:
    """A Word template read and compiled once per process, for the thousands of 通知.

    What docxtpl does per document — open the package, clean and compile the tags, render, and
    save every part again (styles.xml and stylesWithEffects.xml are most of a notice's bytes) — is
    split: everything but the rendering is done here once; per unit only the parts holding tags
    (document.xml; headers, footers and footnotes when they have tags) are rendered, the same way
    docxtpl renders them, and every other part is copied as its compressed bytes."""
    TAG = re.compile(r"\{[{%#]")
    RENDERED = ("header+xml", "footer+xml", "footnotes+xml")

    def __init__(self, template: Path, when: dt.datetime):
        from docx.oxml.ns import qn

        from tzreport.ooxml.xlsxpatch import RawZip
        self.template, self.when = template, when
        try:
            data = Path(template).read_bytes()
            self.zip = RawZip(data)
            tpl = _template_class()(io.BytesIO(data))
            tpl.init_docx()
        except Exception as exc:   # noqa: BLE001 — not a Word file, damaged zip, …
            raise TemplateProblem(f"模板 {template.name} 不是可用的 Word 文件（{exc}），该文档未生成") from None
        self.tpl = tpl
        package = tpl.docx.part.package
        props = tpl.docx.core_properties
        if any(self.TAG.search(getattr(props, name) or "") for name in
               ("author", "comments", "identifier", "language", "subject", "title")):
            raise NotImplementedError("tags in the document properties")   # render() handles them
        # The document properties as docxtpl (no tags: the same text) and save_docx leave them.
        tpl.render_properties({}, _environment())
        props.created = props.modified = when
        props.last_modified_by = "tzreport"
        props.revision = 1
        core = package._core_properties_part
        self.fixed = {core.partname.lstrip("/"): core.blob}
        # document.xml around its body, and the body's tags compiled once.
        root = tpl.docx._element
        holder = copy.deepcopy(root)
        holder.replace(holder.body, holder.makeelement(qn("w:body")))
        holder.body.text = "TZREPORT-BODY"
        head, _, tail = etree_tostring(holder).partition(b"<w:body>TZREPORT-BODY</w:body>")
        if not tail:
            raise NotImplementedError("unusual document root")
        self.document = tpl.docx.part.partname.lstrip("/")
        self.signature_styles = signature_style_ids(tpl.docx)
        self.around = head, tail
        self.parts = {self.document: self._compile(tpl.patch_xml(tpl.get_xml()))}
        for part in package.iter_parts():
            if part.content_type.endswith(self.RENDERED):
                xml = tpl.get_part_xml(part)
                if self.TAG.search(xml):
                    self.parts[part.partname.lstrip("/")] = self._compile(tpl.patch_xml(xml))
        # The built-in 通知's table rows written as text (RowLoops); a clerk's template takes the
        # general way, which no one has proved the text way for.
        self.rows = None
        if _is_builtin(template, data):
            self.rows = RowLoops.of(tpl.patch_xml(tpl.get_xml()), self._compile)
        self.rows_checked = False

    def _compile(self, xml: str):
        try:
            return _environment().from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", xml))
        except Exception as exc:   # noqa: BLE001 — a clerk's broken tag
            raise TemplateProblem(_problem(self.template, exc, self.tpl)) from None

    def _render(self, name: str, context: dict, template=None) -> bytes:
        """docxtpl's render_xml_part, fix_tables and fix_docpr_ids on one part. ``template``: the
        document's RowLoops skeleton, which must not need fix_tables (else None is returned)."""
        xml = _cleaned((template or self.parts[name]).render(context))
        xml = _resolve_listing(self.tpl, xml)
        if name != self.document:
            return b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + xml.encode("utf-8")
        body = _parse_body(xml)
        if body is None and template is not None:
            return None
        if body is None:     # docxtpl's fix_tables has work to do (or the XML needs recovering)
            tree = self.tpl.fix_tables(xml)
            if "docPr" in xml:
                self.tpl.docx_ids_index = 1000
                self.tpl.fix_docpr_ids(tree)
            from docx.oxml.parser import parse_xml
            body = parse_xml(etree_tostring(tree, declaration=False))
        elif "docPr" in xml:
            self.tpl.docx_ids_index = 1000
            self.tpl.fix_docpr_ids(body)
        # render()'s lay_out_signature, on the body as python-docx objects (it reads style names)
        from docx.document import _Body
        lay_out_signature(_Body(body, self.tpl.docx), style_ids=self.signature_styles)
        return self.around[0] + etree_tostring(body, declaration=False) + self.around[1]

    def _render_rows_as_text(self, context: dict):
        """The document part with its table rows written as text (RowLoops), or None when this
        unit's text cannot be shown to come out as the general way's."""
        from markupsafe import Markup
        rows = []

        def place_rows(index, **scope):
            try:
                rows.append(self.rows.loops[index].render(self.tpl, scope))
            except Exception:   # noqa: BLE001 — the general way says what is wrong, if anything
                rows.append(None)
            return Markup(RowLoops.MARK % (len(rows) - 1))

        xml = self._render(self.document, {**context, RowLoops.CALL: place_rows}, self.rows.skeleton)
        if xml is None:
            return None
        for index, text in enumerate(rows):
            mark = (RowLoops.MARK % index).encode()
            if text is None or xml.count(mark) != 1:
                return None
            xml = xml.replace(mark, text.encode("utf-8"))
        return xml

    def write(self, context: dict, out_path: Path) -> None:
        context = _dress(context)
        try:
            rendered = {}
            if self.rows is not None:
                try:
                    document = self._render_rows_as_text(context)
                except Exception:   # noqa: BLE001 — the general way gives the problem its words
                    document = None
                if document is not None:
                    rendered[self.document] = document
            as_text = self.document in rendered
            for name in self.parts:
                if name not in rendered:
                    rendered[name] = self._render(name, context)
            if as_text and not self.rows_checked:
                # Once per process, on the first unit the text way takes: the general way too,
                # and the text way kept only if both give the same bytes.
                general = self._render(self.document, context)
                self.rows_checked = True
                if general != rendered[self.document]:
                    self.rows = None
                    rendered[self.document] = general
        except Exception as exc:   # noqa: BLE001 — jinja errors, broken XML from a misplaced tag
            raise TemplateProblem(_problem(self.template, exc, self.tpl)) from None
        rendered.update(self.fixed)
        from tzreport.fileio import atomic_path
        from tzreport.ooxml.xlsxpatch import PART_LEVEL, ZipWriter
        stamp = (max(self.when.year, 1980), self.when.month, self.when.day, self.when.hour,
                 self.when.minute, self.when.second)
        with atomic_path(out_path) as tmp, open(tmp, "wb") as fh:
            out = ZipWriter(fh, PART_LEVEL)      # zlib's fastest: 12 KB for 9 KB, half the time
            for info in self.zip.infos:
                if info.filename in rendered:
                    out.add(info.filename, rendered[info.filename], stamp)
                else:
                    out.copy(info, self.zip.raw(info))
            out.close()


def _is_builtin(template: Path, data: bytes) -> bool:
    """Whether ``data`` is the built-in template of that name, byte for byte."""
    try:
        builtin = builtin_templates() / Path(template).name
        return builtin.is_file() and builtin.read_bytes() == data
    except (OSError, TemplateProblem):
        return False


def _cleaned(xml: str) -> str:
    """render_xml_part's clean-up: the line break put before each paragraph for jinja's line
    numbers out again (its regex \\n<w:p([ >]) as two plain replaces), the escaped tags back."""
    xml = xml.replace("\n<w:p>", "<w:p>").replace("\n<w:p ", "<w:p ")
    if "{_" in xml or "_}" in xml:
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return xml


class RowLoops:
    """The rows of a table written as text, not parsed and written again by lxml.

    A 通知's table is most of its document part (150 indicators: some 200 KB of rows), and the
    general way parses the whole rendered part with lxml, checks its tables for docxtpl's
    fix_tables and serialises it again. For a ``{%tr for %}`` loop whose row is plain XML — only
    ``{{ }}`` values, each the whole text of a ``<w:t xml:space="preserve">`` or a whole
    attribute value, as many cells as the table's grid, no merged cells, tables or pictures —
    that round trip gives back the rendered text itself, but for what lxml writes its own way.
    So the loop is taken out of the template (the skeleton renders a comment in its place, and
    the rest of the part goes the general way, lay_out_signature included), its rows written as
    lxml would write them (RowLoop), and put where the comment comes out; a unit whose rows
    cannot be shown to come out so takes the general way. The first unit of a process is
    rendered both ways and compared as well (PreparedTemplate.write)."""
    CALL = "tzreport_rows"
    MARK = "<!--tzreport-rows-%d-->"
    LOOP = re.compile(r"\{% for (\w+) in ([\w.]+) %\}(<w:tr>(?:(?!\{[%#]|<w:tr[ >]|</w:tr>).)*</w:tr>)"
                      r"\{% endfor %\}", re.S)
    VALUE = re.compile(r"\{\{.*?\}\}", re.S)

    def __init__(self, skeleton, loops):
        self.skeleton, self.loops = skeleton, loops

    @classmethod
    def of(cls, xml: str, compile_):
        """The skeleton and the row loops of a template's patched document XML, or None when it
        has no loop the text way is known to write as lxml does."""
        from jinja2 import meta
        pieces, loops, done = [], [], 0
        for found in cls.LOOP.finditer(xml):
            row = found.group(3)
            grid_at = xml.rfind("<w:tblGrid>", 0, found.start())
            grid = xml[grid_at:xml.find("</w:tblGrid>", grid_at)] if grid_at >= 0 else ""
            between = xml[grid_at:found.start()]
            cells = row.count("<w:tc>") + row.count("<w:tc ")
            if (not grid or any(tag in between for tag in ("<w:tbl>", "<w:tbl ", "</w:tbl>"))
                    or cells != grid.count("<w:gridCol ") or cells == 0
                    or any(word in row for word in ("gridSpan", "docPr", "<w:tbl>", "<w:tbl "))
                    or not all(cls._plain_value(row, value) for value in cls.VALUE.finditer(row))):
                continue
            loop = found.group(0)
            scope = sorted(meta.find_undeclared_variables(_environment().parse(loop)))
            call = ", ".join([str(len(loops))] + [f"{name}={name}" for name in scope])
            loop = RowLoop(found.group(1), found.group(2), row)
            if loop.pieces is None:
                continue
            pieces += [xml[done:found.start()], f"{{{{ {cls.CALL}({call}) }}}}"]
            done = found.end()
            loops.append(loop)
        if not loops or cls.CALL in xml:
            return None
        return cls(compile_("".join(pieces) + xml[done:]), loops)

    @staticmethod
    def _plain_value(row: str, value) -> bool:
        before, after = row[:value.start()], row[value.end():]
        return ((before.endswith('<w:t xml:space="preserve">') and after.startswith("</w:t>"))
                or (before.endswith('="') and after.startswith('"')))


class RowLoop:
    """One ``{% for X in items %}<w:tr>…</w:tr>{% endfor %}`` of RowLoops, whose values are all
    ``X.key`` or expressions without X (else ``pieces`` is None and RowLoops leaves it).

    For items that are plain dicts of strings and numbers, the rows are put together as jinja
    renders them and lxml then writes them: the static text and the values joined, every row
    value escaped in one markupsafe call (what autoescape gives value by value, a third of a
    notice's rendering before); the quotes markupsafe writes as references written as lxml
    writes them (text: ' and ", attribute: ' and &quot;); a line break in a text value made a
    <w:br/> as docxtpl's Listing handling makes it; an element left empty written <w:t …/>.
    What lxml would write otherwise — control characters (XML normalises line ends, Listing
    makes tabs runs), a line break in an attribute — is looked for in the values, not in the
    quarter of a megabyte of rows, and gives None: the unit takes the general way.

    The line breaks jinja's template has before each paragraph are not put in at all: a value
    stands only in text or an attribute (RowLoops.of), so no break comes before a <w:p> but
    those, which render_xml_part's clean-up takes out."""
    ROW_VALUE = re.compile(r"\{\{\s*(\w+)\.(\w+)\s*\}\}")
    PLAIN = frozenset((str, int, float))     # what str() gives as jinja does
    GAP = "\x00"       # between values escaped together; a value holding one takes jinja's way
    # in a value: what lxml would not write back as it is (XML's line ends and tabs are
    # normalised, Listing's \t \a \f make runs and paragraphs); a line break only in text
    ODD = re.compile(r"[\x01-\x09\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
    # a value without X as jinja wrote it, which lxml writes back the same, up to the quotes
    SHARED = re.compile(r"(?:[^<>&\"'\x00-\x1f\ud800-\udfff\ufffe\uffff]|&(?:amp|lt|gt|#39|#34);)*")
    QUOTES = {"text": (("&#39;", "'"), ("&#34;", '"')), "attribute": (("&#39;", "'"), ("&#34;", "&quot;"))}

    def __init__(self, name: str, items: str, row: str):
        from jinja2 import meta
        env = _environment()
        self.items = items.split(".")     # a dotted name (RowLoops.LOOP): jinja's getattr, step by step
        # the row as pieces: static text, or (kind, "key", i) for X.key, (kind, "shared", i) for a
        # value without X; kind: "text" or "attribute"
        self.pieces, self.keys, self.shared, done = [], [], [], 0
        for value in RowLoops.VALUE.finditer(row):
            before = row[done:value.start()]
            self.pieces.append(before)
            done = value.end()
            kind = "attribute" if before.endswith('="') else "text"
            own = self.ROW_VALUE.fullmatch(value.group(0))
            if own and own.group(1) == name:
                self.pieces.append((kind, "key", len(self.keys)))
                self.keys.append(own.group(2))
            elif name in meta.find_undeclared_variables(env.parse(value.group(0))):
                self.pieces = None      # a value computed from the row: jinja's loop
                return
            else:
                self.pieces.append((kind, "shared", len(self.shared)))
                self.shared.append(value.group(0))
        self.pieces.append(row[done:])
        # the values without X rendered once a unit, together, as jinja renders them (escaped)
        self.shared_count = len(self.shared)
        self.shared = env.from_string(self.GAP.join(self.shared)) if self.shared else None
        self.kinds = [piece[0] for piece in self.pieces if isinstance(piece, tuple) and piece[1] == "key"]

    def render(self, tpl, scope: dict):
        """The rows as lxml would write them within the part, or None when that is not sure."""
        from markupsafe import escape
        env = _environment()
        items = scope.get(self.items[0])
        for name in self.items[1:]:
            items = env.getattr(items, name)
        if type(items) is not list or not set(map(type, items)) <= {dict}:
            return None
        if not items:
            return ""
        shared = self.shared.render(scope).split(self.GAP) if self.shared else []
        if len(shared) != self.shared_count or not all(map(self.SHARED.fullmatch, shared)):
            return None
        try:
            values = [row[key] for row in items for key in self.keys]
        except KeyError:
            return None
        if not set(map(type, values)) <= self.PLAIN:
            return None
        text = self.GAP.join(map(str, values))
        if self.ODD.search(text):
            return None
        escaped = str(escape(text)).split(self.GAP) if values else []
        if len(escaped) != len(values):
            return None
        width = len(self.keys)
        if "'" in text or '"' in text or "\n" in text:     # rare: value by value
            for at, value in enumerate(escaped):
                kind = self.kinds[at % width]
                if kind == "attribute" and "\n" in value:
                    return None
                for reference, char in self.QUOTES[kind] if "&#" in value else ():
                    value = value.replace(reference, char)
                escaped[at] = value
        # The row for this unit: its shared values put in, then the static text between one row
        # value and the next (the last of a row runs on to the first of the next row), and the
        # rows as one join of the values and these gaps.
        static = [""]
        for piece in self.pieces:
            if isinstance(piece, str):
                static[-1] += piece
            elif piece[1] == "shared":
                value = shared[piece[2]]
                for reference, char in self.QUOTES[piece[0]] if "&#" in value else ():
                    value = value.replace(reference, char)
                static[-1] += value
            else:
                static.append("")
        if not width:
            rows = static[0] * len(items)
        else:
            gaps = (static[1:-1] + [static[-1] + static[0]]) * len(items)
            gaps[-1] = static[-1]
            rows = static[0] + "".join(itertools.chain.from_iterable(zip(escaped, gaps)))
        # render_xml_part's clean-up of escaped tags, when the values or the static text have
        # one: looked for there, not in the rows (no {_ or _} spans a value's edge: the static
        # text ends with > or " before a value and starts with < or " after one)
        if any("{_" in piece or "_}" in piece for piece in (text, static[0], static[-1] + static[0], *static)):
            rows = _cleaned(rows)
        if "\n" in text:
            rows = _resolve_listing(tpl, rows)      # a line break in a cell: <w:br/>
        if "\n" in text or "" in escaped or "" in shared:
            # an empty value, or a break at either end of one: lxml writes <w:t .../>
            rows = rows.replace('<w:t xml:space="preserve"></w:t>', '<w:t xml:space="preserve"/>')
        return rows


# docxtpl's paragraph pattern, <w:p(?: [^>]*)?>.*?</w:p> (DOTALL), with the same matches: up to the
# first </w:p> after the opening tag, or none when none follows; taken in runs of text between
# tags, not one character at a time (a third of the time on a notice's quarter of a megabyte).
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>(?:[^<]++|<(?!/w:p>))*+</w:p>")
_LISTING = "\t\a\n\f"


def _resolve_listing(tpl, xml: str) -> str:
    """docxtpl's resolve_listing (Listing's \\n, \\a, \\t, \\f into breaks, paragraphs, tabs), run
    only on the paragraphs holding one of those characters: on the others it changes nothing, and
    running its three nested regexes over every run of a 150-row table cost half a notice. Its
    paragraphs are found as its re.sub finds them, left to right, and only as far as the last
    such character (often the title's, at the top)."""
    last = max(xml.rfind(char) for char in _LISTING)
    if last < 0:
        return xml
    pieces, done = [], 0
    for found in _PARAGRAPH.finditer(xml):
        if found.start() > last:
            break
        paragraph = found.group(0)
        if any(char in paragraph for char in _LISTING):
            pieces += [xml[done:found.start()], tpl.resolve_listing(paragraph)]
            done = found.end()
    return "".join(pieces) + xml[done:]


def _parse_body(xml: str):
    """The rendered body parsed as python-docx parses a part, or None when docxtpl's fix_tables
    would change it (then the caller takes docxtpl's way) or it is not well-formed XML (docxtpl
    parses with recovery)."""
    from docx.oxml.parser import oxml_parser
    from lxml import etree
    try:
        body = etree.fromstring(xml.encode("utf-8"), oxml_parser)   # bytes: lxml parses them twice as fast
    except etree.XMLSyntaxError:
        return None
    if body.nsmap.get("w") != _W["w"] or _tables_need_fixing(body):
        return None
    return body


_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_TBL, _TBL_GRID, _GRID_COL, _GRID_SPAN, _TR = (f"{{{_W['w']}}}{tag}" for tag in
                                               ("tbl", "tblGrid", "gridCol", "gridSpan", "tr"))


def _tables_need_fixing(body) -> bool:
    """Whether docxtpl's fix_tables could change a table of ``body``: it does only where a row's
    cells do not fill the table's grid exactly ({%tc %} loops, emptied tables). Checked with one
    XPath over each table's own rows; a table inside a table, rows below the table's children
    (content controls) or a table without grid or rows are left to docxtpl, to be safe."""
    for table in body.iter(_TBL):
        grid = table.find(_TBL_GRID)
        if grid is None or next(table.iterancestors(_TBL), None) is not None:
            return True
        rows = len(table.findall(_TR))
        if not rows or rows != sum(1 for _ in table.iter(_TR)):
            return True
        # without merged cells a row's width is its count of cells (a tenth of the time)
        spans = next(table.iter(_GRID_SPAN), None) is not None
        if _row_off_grid(spans)(table, columns=len(grid.findall(_GRID_COL))):
            return True
    return False


@functools.lru_cache(maxsize=None)
def _row_off_grid(spans: bool):
    from lxml import etree
    if not spans:
        return etree.XPath("boolean(w:tr[count(w:tc) != $columns])", namespaces=_W)
    # A row's width in grid columns: its cells, a merged cell counting its gridSpan (a span
    # without a number makes the width NaN or short: unequal, left to docxtpl).
    width = "count(w:tc) + sum(w:tc/w:tcPr/w:gridSpan/@w:val) - count(w:tc/w:tcPr/w:gridSpan)"
    return etree.XPath(f"boolean(w:tr[{width} != $columns] | w:tr/w:tc/w:tcPr/w:gridSpan[not(@w:val >= 1)])",
                       namespaces=_W)


def etree_tostring(element, declaration: bool = True) -> bytes:
    """An XML part as python-docx serialises one (or, without the declaration, an element in it)."""
    from lxml import etree
    if declaration:
        return etree.tostring(element, encoding="UTF-8", standalone=True)
    return etree.tostring(element, encoding="unicode").encode("utf-8")


_PREPARED = {}


def prepared_template(template: Path, when: dt.datetime):
    """The process's PreparedTemplate for ``template`` (compiled on first use; forked workers
    inherit it), or None when the template needs docxtpl's whole render (tags in its properties)."""
    path = Path(template)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, when)
    if key not in _PREPARED:
        try:
            _PREPARED[key] = PreparedTemplate(path, when)
        except NotImplementedError:
            _PREPARED[key] = None
    return _PREPARED[key]


def _resolve_charts(context: dict, inline: dict) -> None:
    """Sections name their chart by key; swap in its InlineImage ("" when charts are off)."""
    for value in context.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and "chart" in item:
                    item["chart"] = inline.get(item["chart"], "")


class ChartImages(dict):
    """The 进展通报's charts, drawn as its context says them: key -> PNG bytes."""

    def draw(self, key: str, kind: str, *args) -> bool:
        png = getattr(drawing, kind)(*args)
        if png:
            self[key] = png
        return bool(png)


@dataclass
class NoticeJob:
    result: object
    cats: dict            # category name -> Category
    grade_order: list
    template: Path
    when: dt.datetime


def _notice_one(job: NoticeJob, task):
    # ``ur`` is read from the result the worker inherited (build._unit_task): each worker touches
    # only its own units, and the build measured 1.0 GiB PSS at 2,000 × 150 so (the 3.6 GB once
    # seen came from every worker reading every unit, before 末位 was counted once per category).
    path, ur = task
    cat = job.cats[ur.category]
    make = lambda: notice_context(job.result, cat, ur, job.grade_order)   # noqa: E731
    try:
        prepared = prepared_template(job.template, job.when)
        if prepared is None:
            render(job.template, make, Path(path), job.when)
        else:
            prepared.write(make(), Path(path))
    except TemplateProblem as exc:
        return ur.code, path, str(exc)
    except OSError as exc:     # this unit's file only (disk full, a folder in its place)
        return ur.code, path, write_problem(exc)
    return ur.code, path, ""


def write_documents(result, scheme, out_dir, when, templates=None, charts: bool = True) -> list:
    """Write 进展通报.docx and 考核结果通报.docx (year end) into ``out_dir`` (the units' 通知 are
    written by build.write_outputs, one task per unit).

    Problems (a broken template, no CJK font for charts) are appended to ``result.issues``;
    returns the paths written."""
    out = Path(out_dir)
    written = []

    def attempt(name, make_context, target, images=None):
        template = template_path(name, templates)
        try:
            render(template, make_context, target, when, images)
            written.append(target)
        except TemplateProblem as exc:
            result.issues.append(Issue(ERROR, str(template), "", "", str(exc)))
        except OSError as exc:
            result.issues.append(Issue(ERROR, output_label(out, target), "", "", write_problem(exc)))

    images = ChartImages() if charts else None
    try:
        progress_ctx = progress_context(result, scheme, images)
    except ChartFontMissing as exc:
        result.issues.append(Issue(INFO, "", "", "", f"{exc}（进展通报）"))
        images = None
        progress_ctx = progress_context(result, scheme, None)
    attempt(PROGRESS, lambda: progress_ctx, out / PROGRESS, images)
    if is_year_end(result.schedule_fraction):
        attempt(RESULTS, lambda: results_context(result, scheme), out / RESULTS)
    return written


def notice_job(result, scheme, when, templates=None) -> NoticeJob:
    """What every unit's 通知 needs, made before workers fork (they then only read it): the
    categories' small lists computed, the template prepared (a broken one raises TemplateProblem)."""
    template = template_path(NOTICE, templates)
    cats = {c.name: c for c in categories(result)}
    for cat in cats.values():     # what depends on every unit of a category, once per build
        cat.last_ranks, cat.last_counts, cat.rank_counts
    prepared_template(template, when)
    return NoticeJob(result, cats, grade_order(result, scheme), template, when)


# -- PDF ------------------------------------------------------------------------------------------

class PdfUnavailable(Exception):
    """LibreOffice is not installed or could not convert."""


def find_soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles", r"C:\Program Files"),
                 os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")):
        candidate = Path(base) / "LibreOffice" / "program" / "soffice.exe"
        if candidate.is_file():
            return str(candidate)
    return None


def to_pdf(paths, soffice: str = None, batch: int = 100) -> list:
    """Convert Word documents to PDF beside them through LibreOffice (headless, a private profile,
    written to a temporary folder then moved into place) -> the PDFs written."""
    exe = soffice or find_soffice()
    if not exe:
        raise PdfUnavailable("未找到 LibreOffice（soffice），未生成 PDF。安装 LibreOffice 后重新运行 --pdf 即可")
    env = dict(os.environ)
    if sys.platform.startswith("linux") and "FONTCONFIG_FILE" not in env:
        # 仿宋_GB2312 and friends → Noto CJK, so the PDF looks like Word's
        env["FONTCONFIG_FILE"] = str(Path(__file__).with_name("fonts.conf"))
    by_folder = {}
    for path in map(Path, paths):
        by_folder.setdefault(path.parent, []).append(path)
    written = []
    with tempfile.TemporaryDirectory(prefix="tzreport-lo-") as profile:
        for folder, files in by_folder.items():
            for start in range(0, len(files), batch):
                chunk = files[start:start + batch]
                with tempfile.TemporaryDirectory(dir=folder, prefix=".pdf-") as tmp:
                    command = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                               "--convert-to", "pdf", "--outdir", tmp, *map(str, chunk)]
                    try:
                        subprocess.run(command, env=env, capture_output=True, timeout=600 + 10 * len(chunk),
                                       check=False)
                    except (OSError, subprocess.TimeoutExpired) as exc:
                        raise PdfUnavailable(f"LibreOffice 转换 PDF 失败：{exc}") from None
                    for docx in chunk:
                        made = Path(tmp) / f"{docx.stem}.pdf"
                        if not made.is_file():
                            raise PdfUnavailable(f"LibreOffice 未能把 {docx.name} 转换为 PDF")
                        os.replace(made, docx.with_suffix(".pdf"))
                        written.append(docx.with_suffix(".pdf"))
    return written
