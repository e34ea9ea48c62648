"""The office's pages (an agency named by its roster key in the query: a name may hold any character): the roster as it fills up, each agency's versions and findings with the
decisions on them (the fingerprints and the checks of `city.reviews`, so the browser and the
folder workflow decide alike), the access codes, the city compile, the export and the audit log."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from qtx_report.city import reviews as decisions
from qtx_report.city.receipts import shown_time
from qtx_report.model.findings import InputError
from qtx_report.server import documents
from qtx_report.server.jobs import Compiles
from qtx_report.server.pages import (
    NOT_FOUND,
    download,
    form_of,
    office_session,
    redirect,
    render,
    settings_of,
)
from qtx_report.server.security import Session
from qtx_report.server.views import FILTERS, agency_name, deadline, finding_rows, roster_rows, standing

router = APIRouter(prefix="/office")
NO_NOTICE = "还没有这个单位的整改通知单：请先在“全市汇总”页运行一次汇总（只为有错误或警告的单位生成通知单）。"
PAGE_ROWS = 200  # a city's 40-odd agencies are one page; 5,000 in one would be 1.3 MB, rendered every 30 s
EXPORT_NAME = "收件"  # the folder inside the zip: `qtx-report city 收件` reads it as an intake folder


def compiles(request: Request) -> Compiles:
    return request.app.state.compiles


def actor(session: Session) -> str:
    return f"办公室:{session.who}"


@router.get("")
def roster(request: Request, state: str = "", page: int = 1, session: Session = Depends(office_session)) -> Response:
    settings = settings_of(request)
    wanted = state if state in FILTERS else ""
    rows = roster_rows(settings.store(), settings.city_deadline)
    counts = {f: sum(r.shown_in(f) for r in rows) for f in FILTERS}
    shown = [r for r in rows if r.shown_in(wanted)]
    pages = max(1, -(-len(shown) // PAGE_ROWS))
    page = min(max(page, 1), pages)
    return render(request, "office_roster.html", title=f"{settings.year}年度报送情况",
                  rows=shown[(page - 1) * PAGE_ROWS:page * PAGE_ROWS], page=page, pages=pages,
                  wanted=wanted, filters=FILTERS, counts=counts, total=len(rows),
                  deadline=deadline(settings.year, settings.city_deadline, settings.moment().date()))


@router.get("/agency")
def agency(request: Request, key: str, session: Session = Depends(office_session)) -> Response:
    return _agency_page(request, key)


def _agency_page(request: Request, key: str, error: str = "", status: int = 200) -> Response:
    settings = settings_of(request)
    store = settings.store()
    versions = store.versions(key)
    roster_keys = {a.key for a in store.roster().agencies}
    if not versions and key not in roster_keys:
        raise HTTPException(404, NOT_FOUND)
    name = agency_name(store.roster(), key, versions)
    reviews = store.reviews()
    shown = [(v, standing(name, v, reviews), finding_rows(name, v.findings, reviews, show_info=True))
             for v in reversed(versions)]
    last = compiles(request).latest_done()
    return render(request, "office_agency.html", status, title=f"{name}：报送版本和问题", agency=name, key=key,
                  shown=shown, has_notice=bool(last and key in last.notices), error=error,
                  decisions=decisions.DECISIONS, shown_time=shown_time)


@router.post("/agency/reviews")
def decide(request: Request, key: str, session: Session = Depends(office_session),
           form: dict[str, str] = Depends(form_of)) -> Response:
    settings = settings_of(request)
    store = settings.store()
    versions = store.versions(key)
    if not versions:
        raise HTTPException(404, NOT_FOUND)
    name = agency_name(store.roster(), key, versions)
    fp = form.get("fingerprint", "")
    found = {p: f for v in versions for f, p in zip(v.findings, decisions.finding_fingerprints(name, v.findings),
                                                     strict=True)}
    finding = found.get(fp)
    if finding is None:  # a decision is only ever made on a finding this agency has
        raise HTTPException(404, NOT_FOUND)
    fields = {decisions.FINGERPRINT: fp, decisions.DECISION: form.get("decision", "").strip(),
              decisions.REASON: form.get("reason", "").strip(), decisions.REVIEWER: session.who,
              decisions.DATE: settings.moment().date().isoformat(), decisions.CODE: finding.code,
              decisions.AGENCY: name, decisions.MESSAGE: finding.message, decisions.FILE: finding.file,
              decisions.SEVERITY: ""}
    try:
        review = decisions.decided(fields, lambda message: InputError(name, message))
    except InputError as err:
        return _agency_page(request, key, err.message, 400)
    if review is None:
        return _agency_page(request, key, f"请选择“{decisions.CONFIRM}”或“{decisions.DISMISS}”。", 400)
    store.decide(review)
    settings.accounts.audit(actor(session), "审核意见", f"{name} {finding.code} {fp}：{review.decision}"
                            + (f"（{review.reason}）" if review.reason else ""), settings.moment())
    return redirect(f"/office/agency?key={quote(key, safe='')}#{fp}")


@router.get("/agency/file")
def version_file(request: Request, key: str, number: int, session: Session = Depends(office_session)) -> Response:
    settings = settings_of(request)
    store = settings.store()
    version = store.version(key, number)
    if version is None:
        raise HTTPException(404, NOT_FOUND)
    name = agency_name(store.roster(), key, [version])
    return download(store.content(key, number),
                    documents.download_name(name, settings.year, f"_v{number}", "." + version.receipt.format),
                    "application/octet-stream")


@router.get("/agency/notice.docx")
def notice(request: Request, key: str, session: Session = Depends(office_session)) -> Response:
    jobs = compiles(request)
    last = jobs.latest_done()
    path = jobs.output(last, last.notices[key]) if last and key in last.notices else None
    if path is None or not path.is_file():
        raise HTTPException(404, NO_NOTICE)
    return FileResponse(path, media_type=documents.DOCX, filename=path.name)


# ---------------------------------------------------------------- access codes


@router.get("/codes")
def codes(request: Request, session: Session = Depends(office_session)) -> Response:
    settings = settings_of(request)
    agencies = settings.store().roster().agencies
    issued = {a.key for a in agencies if settings.accounts.has_code(a.key, settings.year)}
    return render(request, "office_codes.html", title="访问码", agencies=agencies, issued=issued)


@router.post("/codes")
def issue(request: Request, session: Session = Depends(office_session),
          form: dict[str, str] = Depends(form_of)) -> Response:
    settings = settings_of(request)
    wanted = form.get("agency", "")
    agency = next((a for a in settings.store().roster().agencies if a.key == wanted), None)
    if agency is None:
        raise HTTPException(404, NOT_FOUND)
    code = settings.accounts.issue_code(agency.key, settings.year)
    settings.accounts.audit(actor(session), "发放访问码", agency.name, settings.moment())
    page = render(request, "office_code.html", title="新的访问码", agency=agency.name, code=code)
    page.headers["Cache-Control"] = "no-store"  # shown once: never kept by the browser or a proxy
    return page


# ---------------------------------------------------------------- compile, export, audit


@router.get("/compile")
def compile_list(request: Request, session: Session = Depends(office_session)) -> Response:
    return render(request, "office_compile.html", title="全市汇总", runs=compiles(request).runs(), run=None)


@router.post("/compile")
def compile_start(request: Request, session: Session = Depends(office_session),
                  form: dict[str, str] = Depends(form_of)) -> Response:
    settings = settings_of(request)
    run = compiles(request).start(settings.store(), session.who, settings.moment())
    settings.accounts.audit(actor(session), "全市汇总", run.id, settings.moment())
    return redirect(f"/office/compile/{run.id}")


@router.get("/compile/{run_id}")
def compile_run(request: Request, run_id: str, session: Session = Depends(office_session)) -> Response:
    jobs = compiles(request)
    run = jobs.get(run_id)
    if run is None:
        raise HTTPException(404, NOT_FOUND)
    return render(request, "office_compile.html", title="全市汇总", runs=jobs.runs(), run=run)


@router.get("/compile/{run_id}/progress")
def compile_progress(request: Request, run_id: str, session: Session = Depends(office_session)) -> Response:
    run = compiles(request).get(run_id)
    if run is None:
        raise HTTPException(404, NOT_FOUND)
    return JSONResponse(run.progress())


@router.get("/compile/{run_id}/files/{name:path}")
def compile_file(request: Request, run_id: str, name: str, session: Session = Depends(office_session)) -> Response:
    jobs = compiles(request)
    run = jobs.get(run_id)
    path = jobs.output(run, name) if run else None
    if path is None or not path.is_file():
        raise HTTPException(404, NOT_FOUND)
    return FileResponse(path, filename=path.name)


@router.get("/export.zip")
def export(request: Request, session: Session = Depends(office_session)) -> Response:
    """Every agency's latest version as an intake folder in a zip, for `qtx-report city`."""
    settings = settings_of(request)
    work = tempfile.TemporaryDirectory(prefix="qtx-export-")
    folder = Path(work.name) / EXPORT_NAME
    settings.store().export(folder)
    archive = Path(work.name) / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder.parent).as_posix())
    settings.accounts.audit(actor(session), "导出", "各单位最新版本（收件文件夹）", settings.moment())
    return FileResponse(archive, media_type="application/zip", filename=f"{settings.year}年度收件.zip",
                        background=BackgroundTask(work.cleanup))


@router.get("/audit")
def audit(request: Request, session: Session = Depends(office_session)) -> Response:
    entries = settings_of(request).accounts.audit_log(500)
    return render(request, "office_audit.html", title="操作记录", entries=entries)
