"""The agency's pages: where it stands, the deadline, its versions and their findings, the upload,
the pre-filled workbook, and its Word/HTML report once the latest version passes. Every address
is the logged-in agency's own (its key comes from the session, never from the address), so no
request can reach another agency's versions: a number it does not have is 404."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from qtx_report.model.findings import InputError
from qtx_report.season.model import SeasonStore, Upload, Version
from qtx_report.server import documents
from qtx_report.server.pages import NOT_FOUND, Settings, agency_session, download, redirect, render, settings_of
from qtx_report.server.security import CSRF_FIELD, Session, check_csrf
from qtx_report.server.uploads import UploadRefused, receive_upload
from qtx_report.server.views import agency_name, deadline, finding_rows, standing

router = APIRouter(prefix="/agency")
NOT_PASSED = "最新报送的版本尚未通过校验，改正后重新上传，通过后即可下载 Word 和网页版报告。"


def _page(request: Request, session: Session, status: int = 200, **values: object) -> Response:
    settings = settings_of(request)
    store = settings.store()
    versions = store.versions(session.who)
    name = agency_name(store.roster(), session.who, versions)
    reviews = store.reviews()
    latest = standing(name, versions[-1], reviews) if versions else None
    rows = finding_rows(name, versions[-1].findings, reviews) if versions else []
    return render(request, "agency_home.html", status, title=f"{name} {settings.year}年度报告报送", agency=name,
                  versions=list(reversed(versions)), latest=latest, findings=rows,
                  deadline=deadline(settings.year, settings.city_deadline, settings.moment().date()),
                  limit_mb=settings.upload_limit // (1024 * 1024), **values)


@router.get("")
def home(request: Request, session: Session = Depends(agency_session)) -> Response:
    return _page(request, session)


@router.post("/upload")
async def upload(request: Request, session: Session = Depends(agency_session)) -> Response:
    settings = settings_of(request)
    try:
        received = await receive_upload(request, settings.upload_limit)
    except UploadRefused as refused:
        return await run_in_threadpool(_page, request, session, refused.status, error=refused.message)
    check_csrf(request, received.fields.get(CSRF_FIELD))
    sent = Upload(received.original, received.content, settings.moment(), agency=session.who)
    try:
        submitted = await run_in_threadpool(settings.store().submit, sent)
    except InputError as err:  # what the store refuses before filing anything, said as the command line says it
        return await run_in_threadpool(_page, request, session, 400, error=err.message)
    v = submitted.version
    detail = f"v{v.number} {received.original}（{v.state}，错误 {v.receipt.errors}，警告 {v.receipt.warnings}）"
    settings.accounts.audit(f"单位:{session.who}", "上传" if submitted.new else "重复上传", detail, settings.moment())
    return redirect(f"/agency/versions/{v.number}" + ("" if submitted.new else "?same=1"))


def own_version(settings: Settings, session: Session, number: int) -> tuple[SeasonStore, Version]:
    store = settings.store()
    version = store.version(session.who, number)
    if version is None:
        raise HTTPException(404, NOT_FOUND)
    return store, version


@router.get("/versions/{number}")
def version_page(request: Request, number: int, same: int = 0, session: Session = Depends(agency_session)) -> Response:
    settings = settings_of(request)
    store, version = own_version(settings, session, number)
    versions = store.versions(session.who)
    name = agency_name(store.roster(), session.who, versions)
    reviews = store.reviews()
    return render(request, "agency_version.html", title=f"第 {number} 版的校验结果", agency=name, version=version,
                  standing=standing(name, version, reviews), findings=finding_rows(name, version.findings, reviews),
                  is_latest=version.number == versions[-1].number, same=bool(same))


@router.get("/versions/{number}/file")
def version_file(request: Request, number: int, session: Session = Depends(agency_session)) -> Response:
    settings = settings_of(request)
    store, version = own_version(settings, session, number)
    name = agency_name(store.roster(), session.who, [version])
    return download(store.content(session.who, number),
                    documents.download_name(name, settings.year, f"_v{number}", "." + version.receipt.format),
                    "application/octet-stream")


@router.get("/workbook.xlsx")
def workbook(request: Request, session: Session = Depends(agency_session)) -> Response:
    settings = settings_of(request)
    store = settings.store()
    name = agency_name(store.roster(), session.who, store.versions(session.who))
    previous = documents.last_year(settings.stores(settings.year - 1), session.who)
    data = documents.prefilled_workbook(name, settings.year, previous)
    return download(data, documents.download_name(name, settings.year, "填报工作簿", ".xlsx"), documents.XLSX)


@router.get("/report.{kind}")
def report(request: Request, kind: str, session: Session = Depends(agency_session)) -> Response:
    if kind not in ("docx", "html"):
        raise HTTPException(404, NOT_FOUND)
    settings = settings_of(request)
    store = settings.store()
    versions = store.versions(session.who)
    name = agency_name(store.roster(), session.who, versions)
    if not versions or not standing(name, versions[-1], store.reviews()).passed:
        raise HTTPException(409, NOT_PASSED)
    try:
        data = documents.report_file(store, versions[-1], kind)
    except InputError as err:
        raise HTTPException(409, err.message) from None
    settings.accounts.audit(f"单位:{session.who}", "下载报告", f"v{versions[-1].number} {kind}", settings.moment())
    media = documents.DOCX if kind == "docx" else "text/html; charset=utf-8"
    return download(data, documents.download_name(name, settings.year, "政府信息公开工作年度报告", "." + kind), media)
