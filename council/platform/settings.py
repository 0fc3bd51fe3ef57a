"""Settings, read from COUNCIL_* environment variables by `Settings.from_env()` and passed in.

Every field here is documented in the README (a test checks that)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _public_url(value: str) -> str:
    """An absolute http(s) base URL without path, query or credentials; "" to derive from the
    (checked) Host header of each request."""
    from urllib.parse import urlsplit

    value = value.strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ValueError("应为 http(s)://主机名[:端口]，不含路径")
    return value


def _live_url(value: str) -> str:
    """Where live updates cross processes: "" (one process, in memory), redis://…, or
    "postgres" (LISTEN/NOTIFY on the configured database) / a postgresql:// URL."""
    value = value.strip()
    if (
        value
        and value != "postgres"
        and not value.startswith(
            ("redis://", "rediss://", "unix://", "postgres://", "postgresql://")
        )
    ):
        raise ValueError("应为空、redis://…、postgres 或 postgresql://…")
    return value


def _networks(value: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or CIDR networks (checked here, parsed where used)."""
    import ipaddress

    out = tuple(v.strip() for v in value.split(",") if v.strip())
    for v in out:
        ipaddress.ip_network(v, strict=False)  # ValueError names the bad entry
    return out


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: SQLite file council.sqlite3 in data_dir
    secret_key: str = ""  # empty: generated on first run and kept in data_dir/secret_key
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "[::1]")
    secure_cookies: bool = False  # set when served over https (behind a TLS proxy)
    session_days: int = 14
    activation_days: int = 60
    # a form with MAX_PHOTOS (4) photos of max_photo_bytes each, plus its text fields
    max_body_bytes: int = 45_000_000
    login_max_failures_account: int = 5
    login_max_failures_address: int = 30
    login_max_failures_account_total: int = 50  # from all addresses, except known devices
    login_window_seconds: int = 900
    default_language: str = "zh"  # "zh" (简体中文) or "en"
    timezone: str = "Asia/Shanghai"  # how times are entered and shown
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    public_url: str = ""  # e.g. https://council.example.cn: every absolute link (letters, QR codes)
    trusted_proxies: tuple[str, ...] = ()  # IPs/CIDRs whose X-Forwarded-For/-Proto are believed
    max_photo_bytes: int = 10_000_000  # one uploaded photo, as sent
    max_image_pixels: int = 40_000_000  # width × height of an uploaded image (bombs are refused)
    max_attachment_bytes: int = 10_000_000  # one uploaded PDF
    keep_pages: bool = True  # serve unchanged public pages again (council/platform/web/pagecache)
    live_url: str = ""  # live updates across processes: redis://… or postgres ("" = one process)
    backup_dir: Path | None = None  # where `council backup` writes; None: data_dir/backups
    metrics_token: str = ""  # /metrics also answers a request with this bearer token
    metrics_networks: tuple[str, ...] = ("127.0.0.1/32", "::1/128")  # /metrics without a token
    log_format: str = "text"  # "text" or "json" (one line per request, with a request id)
    retention_sessions_days: int = 30  # ended or expired sessions are deleted after this
    retention_login_failures_days: int = 30  # failed-login records are deleted after this
    log_dir: Path | None = None  # request logs go to daily files here; None: stderr only
    retention_logs_days: int = 90  # request log files in log_dir are deleted after this

    # name of the environment variable for each field, with its parser
    ENV: ClassVar[dict[str, tuple[str, Any]]] = {
        "data_dir": ("COUNCIL_DATA_DIR", Path),
        "database_url": ("COUNCIL_DATABASE_URL", str),
        "secret_key": ("COUNCIL_SECRET_KEY", str),
        "allowed_hosts": (
            "COUNCIL_ALLOWED_HOSTS",
            lambda v: tuple(h.strip() for h in v.split(",") if h.strip()),
        ),
        "secure_cookies": ("COUNCIL_SECURE_COOKIES", _bool),
        "session_days": ("COUNCIL_SESSION_DAYS", int),
        "activation_days": ("COUNCIL_ACTIVATION_DAYS", int),
        "max_body_bytes": ("COUNCIL_MAX_BODY_BYTES", int),
        "login_max_failures_account": ("COUNCIL_LOGIN_MAX_FAILURES_ACCOUNT", int),
        "login_max_failures_address": ("COUNCIL_LOGIN_MAX_FAILURES_ADDRESS", int),
        "login_max_failures_account_total": ("COUNCIL_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL", int),
        "login_window_seconds": ("COUNCIL_LOGIN_WINDOW_SECONDS", int),
        "default_language": ("COUNCIL_DEFAULT_LANGUAGE", str),
        "timezone": ("COUNCIL_TIMEZONE", str),
        "argon2_time_cost": ("COUNCIL_ARGON2_TIME_COST", int),
        "argon2_memory_kib": ("COUNCIL_ARGON2_MEMORY_KIB", int),
        "public_url": ("COUNCIL_PUBLIC_URL", _public_url),
        "trusted_proxies": ("COUNCIL_TRUSTED_PROXIES", _networks),
        "max_photo_bytes": ("COUNCIL_MAX_PHOTO_BYTES", int),
        "max_image_pixels": ("COUNCIL_MAX_IMAGE_PIXELS", int),
        "max_attachment_bytes": ("COUNCIL_MAX_ATTACHMENT_BYTES", int),
        "keep_pages": ("COUNCIL_KEEP_PAGES", _bool),
        "live_url": ("COUNCIL_LIVE_URL", _live_url),
        "backup_dir": ("COUNCIL_BACKUP_DIR", Path),
        "metrics_token": ("COUNCIL_METRICS_TOKEN", str),
        "metrics_networks": ("COUNCIL_METRICS_NETWORKS", _networks),
        "log_format": ("COUNCIL_LOG_FORMAT", str),
        "retention_sessions_days": ("COUNCIL_RETENTION_SESSIONS_DAYS", int),
        "retention_login_failures_days": ("COUNCIL_RETENTION_LOGIN_FAILURES_DAYS", int),
        "log_dir": ("COUNCIL_LOG_DIR", Path),
        "retention_logs_days": ("COUNCIL_RETENTION_LOGS_DAYS", int),
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {}
        for name, (var, parse) in cls.ENV.items():
            if var in env:
                try:
                    values[name] = parse(env[var])
                except ValueError as e:
                    raise SystemExit(f"设置错误 {var}={env[var]!r}: {e}") from None
        return cls(**values)

    def __post_init__(self) -> None:
        if self.default_language not in ("zh", "en"):
            raise SystemExit(
                f"设置错误 COUNCIL_DEFAULT_LANGUAGE={self.default_language!r}: 应为 zh 或 en"
            )
        if self.log_format not in ("text", "json"):
            raise SystemExit(f"设置错误 COUNCIL_LOG_FORMAT={self.log_format!r}: 应为 text 或 json")
        for name in ("sessions", "login_failures", "logs"):
            if getattr(self, f"retention_{name}_days") < 1:
                raise SystemExit(f"设置错误 COUNCIL_RETENTION_{name.upper()}_DAYS: 应为至少 1 天")

    @property
    def is_sqlite(self) -> bool:
        return not self.database_url or self.database_url.startswith("sqlite")

    @property
    def backups(self) -> Path:
        return self.backup_dir if self.backup_dir is not None else self.data_dir / "backups"

    @property
    def sqlite_path(self) -> Path:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.data_dir / "council.sqlite3"

    def with_secret(self) -> Settings:
        """Fill in the secret key: the configured one, else the one kept in the data dir,
        else a new one written there (readable by the owner only)."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            # Written whole to a temporary file, then linked: concurrent first starts agree.
            tmp = self.data_dir / f".secret_key.{os.getpid()}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return replace(self, secret_key=path.read_text().strip())
