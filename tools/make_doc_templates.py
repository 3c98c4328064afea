"""Rebuild the Word templates in templates/ from tzreport/render/docx/doc_templates.py.

    python tools/make_doc_templates.py            # writes templates/*.docx
    python tools/make_doc_templates.py --check    # exit 1 if templates/ differs from a rebuild
"""
import sys
import tempfile
from pathlib import Path

from tzreport.render.docx.doc_templates import write_doc_templates

ROOT = Path(__file__).resolve().parents[1] / "templates"

if __name__ == "__main__":
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            stale = [p.name for p in write_doc_templates(tmp)
                     if not (ROOT / p.name).exists() or (ROOT / p.name).read_bytes() != p.read_bytes()]
        print("模板与生成脚本不一致：" + "、".join(stale) if stale else "模板与生成脚本一致")
        sys.exit(1 if stale else 0)
    for path in write_doc_templates(ROOT):
        print(path)
