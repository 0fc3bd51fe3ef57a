"""Errors to HTTP, in one place: domain errors and HTTP exceptions become honest error pages;
an unhandled error is logged and answered with a friendly page, never a traceback."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup, escape

from council.kernel.errors import N_, DomainError
from council.platform.web.i18n import gettext
from council.platform.web.render import base_context
from council.platform.web.security import BAD_HOST, host_allowed

log = logging.getLogger("council")

DEFAULT_TITLE = N_("出错了")
DEFAULT_HINT = N_("请返回上一页重试。")
TITLES = {
    400: N_("请求有误"),
    403: N_("没有权限"),
    404: N_("页面不存在"),
    405: N_("不支持这种操作"),
    409: N_("操作冲突"),
    413: N_("上传的文件太大"),
    429: N_("操作太频繁"),
    500: N_("服务器出错了"),
}
HINTS = {
    403: N_("你没有访问这个页面的权限。如果你认为这是错误，请联系小区的社区工作人员。"),
    404: N_("找不到你要的页面，可能地址有误或内容已被移除。"),
    413: N_("请上传小一些的文件。"),
    429: N_("请稍后再试。"),
    500: N_("我们已记录这个问题。请稍后再试；如果一直出现，请联系社区工作人员。"),
}


def _bad_host(request: Request[Any, Any, Any]) -> bool:
    """Errors the router raises come before the host-checking middleware: check here too."""
    ctx = getattr(request.app.state, "ctx", None)
    allowed = ctx.settings.allowed_hosts if ctx is not None else ()
    return not host_allowed(request.headers.get("host", ""), allowed)


def error_page(request: Request[Any, Any, Any], status: int, detail: str = "") -> Response[Any]:
    if _bad_host(request):
        return Response(
            BAD_HOST,
            status_code=400,
            media_type=MediaType.HTML,
            headers={"Cache-Control": "no-store"},
        )
    title = gettext(TITLES.get(status, DEFAULT_TITLE))
    hint = detail or gettext(HINTS.get(status, DEFAULT_HINT))
    try:
        engine = request.app.template_engine
        assert engine is not None
        csrf = ScopeState.from_scope(request.scope).csrf_token
        csrf = csrf if isinstance(csrf, str) else ""
        body = engine.get_template("error.html").render(
            **base_context(request),
            request=request,
            status=status,
            title=title,
            hint=hint,
            csrf_input=Markup(  # noqa: S704 - the only variable part is escaped
                f'<input type="hidden" name="_csrf_token" value="{escape(csrf)}">'
            ),
        )
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return Response(
        body,
        status_code=status,
        media_type=MediaType.HTML,
        headers={"Vary": "HX-Request", "Cache-Control": "no-store"},
    )


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return error_page(request, exc.status, gettext(exc.message, **exc.params))


def on_not_authorized(
    request: Request[Any, Any, Any], exc: NotAuthorizedException
) -> Response[Any]:
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=f"/login?next={quote(target, safe='')}", status_code=303)
    return error_page(request, 401, gettext("请先登录"))


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return error_page(request, exc.status_code)


def on_unhandled(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: on_domain_error,
    NotAuthorizedException: on_not_authorized,
    HTTPException: on_http_error,
    Exception: on_unhandled,
}
