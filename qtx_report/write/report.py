"""Word (docxtpl), HTML and PDF output of one report, and writing them as one set.

The look lives in the templates (templates/annual_report.docx.j2, annual_report.html.j2, and the
city's notice.docx.j2 and missing.docx.j2); this module only supplies data: the render context from
`write.context`, or the caller's own for `render_template`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import marshal
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qtx_report.form.editions import GRID_SECTIONS, REPORT_TITLE, edition
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report
from qtx_report.model.text import MAX_NAME_BYTES, file_name
from qtx_report.ooxml.office import ConversionError, SofficeMissing, converted
from qtx_report.ooxml.zips import CORE_PROPERTY_LIMIT, stable_zip
from qtx_report.write.context import context, html_tables
from qtx_report.write.files import atomic_path

DOCX_TEMPLATE = "annual_report.docx.j2"
HTML_TEMPLATE = "annual_report.html.j2"
FONTS_CONF = "fonts.conf"
PDF_TIMEOUT_S = 180


def template_dir() -> Path:
    """Templates ship inside the wheel as qtx_report/templates; in a checkout they sit at the root."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "templates"
    return packaged if packaged.is_dir() else package.parent / "templates"


def jinja_env(**options: Any):
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # Sandboxed: an office's own or a shared template reaches the report's data, never Python's
    # objects behind it ({{ ''.__class__ }} is refused); our templates render the same in it.
    class CachedEnvironment(SandboxedEnvironment):
        """Compiling the Word template's ~400 placeholders is most of a docxtpl render; the
        compiled code of a source is kept (in memory and in the user's cache folder)."""

        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[override]
            if raw or name is not None or not isinstance(source, str):
                return super().compile(source, name, filename, raw, defer_init)
            key = _digest("jinja", f"{self.autoescape}|{self.keep_trailing_newline}|{source}")
            code = _cache_get(key, marshal.loads)
            if code is None:
                code = super().compile(source, name, filename, raw, defer_init)
                _cache_put(key, code, marshal.dumps)
            return code

    # StrictUndefined: a typo in an office's own template fails loudly instead of printing nothing.
    return CachedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True, **options)


def _docx_template(path: Path):
    from docxtpl import DocxTemplate

    class CachedDocxTemplate(DocxTemplate):
        def patch_xml(self, src_xml: str) -> str:
            # docxtpl's clean-up regexes cost as much as compiling; same part, same result
            key = _digest("patch", src_xml)
            patched = _cache_get(key, bytes.decode)
            if patched is None:
                patched = super().patch_xml(src_xml)
                _cache_put(key, patched, str.encode)
            return patched

        def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
            # As docxtpl does, but without escaping (a property is text, not XML: "&" would show
            # as "&amp;") and cut to the length a property holds (a long agency name would fail).
            plain = jinja_env.overlay(autoescape=False)
            properties = self.docx.core_properties
            for name in ("author", "comments", "identifier", "language", "subject", "title"):
                rendered = plain.from_string(getattr(properties, name)).render(context)
                setattr(properties, name, rendered[:CORE_PROPERTY_LIMIT])

    return CachedDocxTemplate(path)


# ---------------------------------------------------------------- Word


def render_docx(report: Report, *, template: Path | None = None, draft: bool = False,
                overrides: Mapping[str, Any] | None = None) -> bytes:
    """The Word report from our template, or from `template` (an office's own): whatever goes wrong
    with that one is the template's fault, told with its name; with ours it is a bug. `overrides`
    replaces values of the render context (the city report names its office as the contact)."""
    path = Path(template) if template else template_dir() / DOCX_TEMPLATE
    if not path.is_file():
        raise InputError(str(path), "找不到 Word 模板文件。")
    ctx = {**context(report, draft), **(overrides or {})}
    doc = _docx_template(path)
    try:
        doc.init_docx()
    except Exception as err:  # python-docx raises several types for what is not a Word document
        raise InputError(str(path), f"不是可用的 Word 模板（{_why(err)}）。请用 Word/WPS 另存为 .docx 后再试。") from err
    try:
        doc.render(ctx, jinja_env=jinja_env(), autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except Exception as err:
        if template is None:
            raise
        raise InputError(str(path), _template_problem(err)) from err
    return out.getvalue()


def render_template(name: str, ctx: Mapping[str, Any], stamp: tuple[int, ...]) -> bytes:
    """One of our own Word templates (templates/<name>, made by scripts/make_docx_template.py) filled
    with `ctx` as the report is (the same sandbox, compiled-template cache and escaping), every zip
    entry and the document's times set to `stamp`: same context, same bytes."""
    doc = _docx_template(template_dir() / name)
    doc.render(dict(ctx), jinja_env=jinja_env(), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue(), stamp)


def _template_problem(err: Exception) -> str:
    """What is wrong with an office's template, as its author can fix it."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    fix = f"请对照 templates/{DOCX_TEMPLATE} 修改。"
    if isinstance(err, SecurityError):
        return f"Word 模板试图访问报告数据以外的内容（{err}），已拒绝。模板中只能使用报告的数据。"
    if isinstance(err, UndefinedError):
        return f"Word 模板中用到了报告数据中没有的名称（{err}）。{fix}"
    if isinstance(err, TemplateSyntaxError):
        return f"Word 模板中的标记有误（{err.message}）。{fix}"
    return f"Word 模板中的标记无法生成报告（{_why(err)}）。{fix}"


def _why(err: Exception) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


# ---------------------------------------------------------------- template cache

_MEMORY: dict[str, Any] = {}


def cache_dir() -> Path | None:
    """Where compiled templates are kept between runs; QTX_REPORT_CACHE=off disables it."""
    configured = os.environ.get("QTX_REPORT_CACHE", "")
    if configured.lower() in ("off", "0", "no"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qtx-report"


def _digest(kind: str, text: str) -> str:
    import jinja2

    versions = f"{kind}|{sys.version_info[:3]}|{jinja2.__version__}|{_docxtpl_version()}|"
    return f"{kind}-{hashlib.sha256((versions + text).encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


@functools.cache
def _docxtpl_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("docxtpl")
    except PackageNotFoundError:
        return "?"


def _cache_get(key: str, decode: Any) -> Any:
    if key in _MEMORY:
        return _MEMORY[key]
    folder = cache_dir()
    if folder is None:
        return None
    try:
        value = decode((folder / key).read_bytes())
    except (OSError, ValueError, EOFError, TypeError, UnicodeDecodeError):
        return None  # absent or unreadable: compile again
    _MEMORY[key] = value
    return value


def _cache_put(key: str, value: Any, encode: Any) -> None:
    _MEMORY[key] = value
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(encode(value))
        os.replace(tmp, folder / key)
    except OSError:
        pass  # a read-only home only costs speed


# ---------------------------------------------------------------- HTML


def render_html(report: Report, *, draft: bool = False) -> str:
    from jinja2 import FileSystemLoader

    env = jinja_env(loader=FileSystemLoader(template_dir()))
    ctx = context(report, draft)
    ed = edition(report.edition)
    tables = html_tables(ctx, ed)
    by_section = {section: tables[grid] for grid, section in GRID_SECTIONS.items()}
    sections = [{"key": s.key, "heading": s.heading, "kind": s.kind, "table": by_section.get(s.key)}
                for s in ed.sections]
    return env.get_template(HTML_TEMPLATE).render(**ctx, sections=sections)


# ---------------------------------------------------------------- PDF


def convert_pdf(docx: Path, pdf: Path) -> None:
    try:
        with converted(docx, "pdf", timeout_s=PDF_TIMEOUT_S, env=soffice_env()) as produced, atomic_path(pdf) as tmp:
            shutil.copyfile(produced, tmp)
    except SofficeMissing:
        raise InputError(str(pdf), "未安装 LibreOffice，无法生成 PDF。请安装 LibreOffice（soffice），"
                         "或在 Word/WPS 中打开生成的 .docx 另存为 PDF。") from None
    except ConversionError as err:
        raise InputError(str(pdf), f"{err}，未能生成 PDF。请在 Word/WPS 中打开生成的 .docx 另存为 PDF。") from None


def soffice_env() -> dict[str, str]:
    """The environment for LibreOffice: our fontconfig file maps the GB fonts the template names
    (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体) to installed faces when they are absent."""
    env = dict(os.environ)
    conf = template_dir() / FONTS_CONF
    if conf.is_file() and sys.platform.startswith("linux"):
        env["FONTCONFIG_FILE"] = str(conf)
    return env


# ---------------------------------------------------------------- build


def default_output(source: Path, report: Report) -> Path:
    """Beside the input, named by the report's title; the agency's name is made safe for a file
    name and shortened so that the whole name stays within what every file system takes."""
    rest = len((REPORT_TITLE.format(agency="", year=report.year) + ".docx").encode("utf-8"))
    agency = file_name(report.agency, MAX_NAME_BYTES - rest)
    return source.with_name(REPORT_TITLE.format(agency=agency, year=report.year) + ".docx")


def report_files(docx: Path, *, html: bool, pdf: bool) -> list[Path]:
    """The set of files `build` writes for one report, the .docx first."""
    if docx.suffix.lower() != ".docx":
        docx = docx.with_name(docx.name + ".docx")
    return [docx, *(p for p, wanted in ((docx.with_suffix(".html"), html), (docx.with_suffix(".pdf"), pdf)) if wanted)]


def write_report(report: Report, paths: list[Path], *, template: Path | None = None, draft: bool = False,
                 overwrite: bool = False, inputs: tuple[Path, ...] = ()) -> list[Path]:
    """Write the .docx, and the .html and .pdf among `paths`; every output is checked before any
    is written, so a refusal leaves no half-built set behind. Returns what was written."""
    _refuse_existing(paths, overwrite)
    docx, extra = paths[0], paths[1:]
    data = render_docx(report, template=template, draft=draft)
    with atomic_path(docx, overwrite=overwrite, inputs=inputs) as tmp:
        tmp.write_bytes(data)
    written = [docx]
    for path in extra:
        if path.suffix == ".html":
            with atomic_path(path, overwrite=overwrite, inputs=inputs) as tmp:
                tmp.write_bytes(render_html(report, draft=draft).encode("utf-8"))
        else:
            convert_pdf(docx, path)
        written.append(path)
    return written


def _refuse_existing(paths: list[Path], overwrite: bool) -> None:
    """Check every output before writing any, so a refusal leaves no half-built set behind."""
    if overwrite:
        return
    for path in paths:
        if path.exists():
            raise InputError(str(path), "输出文件已存在。如需覆盖请加 --overwrite，或用 -o 指定另一个文件名。")
