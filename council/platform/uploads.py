"""Uploaded photos and attachments: checked by their content, made safe, stored by content hash.

Photos (needs, proposals) are decoded and re-encoded with Pillow, so what is stored and served is
pixels Council wrote itself, never the sender's bytes: whatever was hidden in the file (EXIF with
the GPS position of someone's flat, XMP, comments, an HTML or script polyglot, trailing data) is
gone. The real type is sniffed from the bytes, never from the name or the client's content type:

- JPEG, PNG and WebP are accepted (an iPhone's "photo.heic" that holds a JPEG is a JPEG);
- HEIC/HEIF proper is refused with a message asking for a JPEG or a screenshot: Pillow has no
  HEIF decoder here and adding one (libheif) is a large native attack surface for little gain,
  since phones send JPEG when asked ("兼容性最佳") and WeChat converts on its own;
- GIF is refused: it is animation or 256-colour graphics, not a photo of a broken lift, and
  re-encoding would silently keep one frame of an animation; SVG is refused (it is a document
  with scripts, not pixels), and so is everything else. An animated WebP or PNG keeps its
  first frame.

Limits (settings): bytes as sent (max_photo_bytes), and width × height checked from the header
*before* any pixel is decoded (max_image_pixels), so a tiny PNG claiming 20000×20000 pixels is
refused without allocating 1.6 GB; Pillow's own DecompressionBombWarning is an error too. The EXIF
orientation is applied, colours are converted to sRGB (when the photo carries an ICC profile),
the image is downscaled to at most FULL_SIDE px on its long side, a THUMB_SIDE px thumbnail is
made, and both are written as JPEG, or as PNG when the image really uses transparency (PNG rather
than WebP: older WeChat browsers on iOS show no WebP). Decoding runs in a worker thread, at most
DECODERS at once (a 40 MP RGBA image is 160 MB of memory), so the event loop never waits on it.

PDF attachments are stored as sent, after checks: the header and the end-of-file marker, the size
limit, and no active content: /JavaScript and /JS (scripts), /Launch (runs a program), /OpenAction
and /AA when they are actions (they fire when the file or a page is opened), embedded files,
/RichMedia and XFA forms. A neighbour's quote or contract never needs them, and the staff open
these files on office PCs. Names hidden in compressed object streams are checked as well; an
encrypted or otherwise unreadable object stream is refused, since it cannot be checked.

Blobs are written by `prepare_*` (before the caller's write transaction: decoding is slow);
`save_file` then records the row inside it. A blob whose transaction then fails is left unused,
harmless (the same bytes get the same key) and could be swept later."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
import unicodedata
import warnings
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

import anyio
import anyio.to_thread
from PIL import ExifTags, Image, ImageFile

from council.kernel.clock import now
from council.kernel.errors import N_, Invalid
from council.platform.context import Cache
from council.platform.db.tables import StoredFile as StoredFileRow
from council.platform.storage import BlobStore, key_of

if TYPE_CHECKING:
    from council.platform.context import Context

T = TypeVar("T")
log = logging.getLogger("council")

MAX_PHOTOS = 4  # per need or proposal; settings.max_body_bytes admits this many full-size photos
FULL_SIDE = 2048  # px, long side of the stored photo
THUMB_SIDE = 480  # px, long side of the thumbnail
JPEG_QUALITY = 85
DRAFT_SIDE = 1536  # px: a JPEG may be decoded at 1/2-1/8 if it keeps this long side
JPEG_SCALED_PIXELS = 5  # see _checked_size
DECODERS = 2  # images decoded at once per process (memory, not CPU, is the limit)
NAME_STEM_MAX = 80  # characters of the sender's file name kept (the column holds 120)

# A decompression bomb is an error, never a warning (our own pixel check comes first anyway).
warnings.simplefilter("error", Image.DecompressionBombWarning)
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated photo is refused, not half grey

PHOTO_TYPES = N_("只能上传 JPEG、PNG 或 WebP 照片")
ATTACHMENT_TYPES = N_("只能上传 PDF 文件或 JPEG、PNG、WebP 照片")
HEIC = N_("暂不支持 HEIC 格式的照片，请改传 JPEG 照片或截图（在手机相机设置中选“兼容性最佳”）")
EMPTY = N_("上传的文件是空的")
PHOTO_TOO_BIG = N_("照片太大（最大 %(mb)s MB）")
PHOTO_TOO_MANY_PIXELS = N_("照片尺寸太大（最多 %(mp)s 百万像素）")
PHOTO_BROKEN = N_("照片文件已损坏或不完整，请重新选择")
PDF_TOO_BIG = N_("PDF 文件太大（最大 %(mb)s MB）")
PDF_BROKEN = N_("PDF 文件不完整或已损坏")
PDF_ACTIVE = N_("PDF 文件含有脚本、自动操作或内嵌文件，不能上传；请用“打印为 PDF”另存后再上传")
PDF_UNCHECKABLE = N_("PDF 文件已加密或无法检查，请用“打印为 PDF”另存后再上传")


@dataclasses.dataclass(frozen=True)
class StoredFile:
    """An uploaded file as the items that own it see it (the bytes are in ctx.storage)."""

    id: int
    sha256: str
    kind: str  # "image" | "pdf"
    mime: str
    size: int
    width: int | None
    height: int | None
    name: str  # the sender's name, made safe, with the extension of the stored type
    thumb_sha256: str | None = None  # images: the thumbnail (same type as the image)
    created_by: int | None = None


@dataclasses.dataclass(frozen=True)
class PreparedFile:
    """A checked upload whose blobs are stored; `save_file` records it."""

    sha256: str
    kind: str
    mime: str
    size: int
    width: int | None
    height: int | None
    name: str
    thumb_sha256: str | None = None


@dataclasses.dataclass(frozen=True)
class _Limits:
    photo_bytes: int
    pixels: int
    attachment_bytes: int


def _limits(ctx: Context) -> _Limits:
    s = ctx.settings
    return _Limits(s.max_photo_bytes, s.max_image_pixels, s.max_attachment_bytes)


# --- sniffing ------------------------------------------------------------------------------

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")
_PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_OUT = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


def sniff(data: bytes) -> str | None:
    """The type the bytes really are: "jpeg", "png", "webp", "heic", "gif", "pdf", "markup"
    (SVG, HTML, XML) or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:512].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if head.startswith(b"<"):
        return "markup"
    return None


# --- names ---------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[<>:"|?*]')


def safe_name(filename: str, ext: str, default: str) -> str:
    """The sender's file name, fit to show and to offer for download: no directories (`../`,
    `C:\\`), no control or format characters (NUL, RTL override, zero-width), no characters
    Windows refuses, at most NAME_STEM_MAX characters, and the extension of what is stored."""
    name = unicodedata.normalize("NFC", (filename or "")[-1000:])  # the tail has the name
    name = re.split(r"[/\\]", name)[-1]
    chars = []
    for ch in name:
        cat = unicodedata.category(ch)
        if cat.startswith("C"):
            continue  # Cc (NUL, newlines), Cf (U+202E, U+200B), Cs, Co, Cn
        chars.append(" " if cat.startswith("Z") else ch)
    name = _UNSAFE.sub("_", "".join(chars)).strip().lstrip(".").strip()
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name
    stem = stem[:NAME_STEM_MAX].strip() or default
    return f"{stem}.{ext}"


# --- images --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Encoded:
    full: bytes
    thumb: bytes
    fmt: str  # "JPEG" | "PNG"
    width: int
    height: int


def _srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """The image in sRGB, if it carries a usable ICC profile (e.g. an iPhone's Display P3);
    otherwise as it is (browsers take untagged pixels as sRGB)."""
    if not icc or im.mode not in ("RGB", "RGBA"):
        return im
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        out = ImageCms.profileToProfile(im, src, dst, outputMode=im.mode)
    except Exception:  # no LittleCMS, or a profile it cannot use: keep the pixels as they are
        return im
    return out if out is not None else im


def _clean(im: Image.Image) -> Image.Image:
    """A copy with nothing but pixels: no info dict, so no EXIF, XMP, ICC or comment can be
    written back by any encoder."""
    return Image.frombytes(im.mode, im.size, im.tobytes())


def _encode(im: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        im.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _checked_size(src: Image.Image, kind: str, max_pixels: int) -> None:
    """Refuse too many pixels from the header alone, before anything is decoded. A JPEG may
    claim up to JPEG_SCALED_PIXELS × the limit (a 50 or 108 MP phone photo), since libjpeg then
    decodes it at 1/2, 1/4 or 1/8 of its size (`draft`), and it is that size that must fit."""
    width, height = src.size
    if width < 1 or height < 1:
        raise Invalid(PHOTO_BROKEN)
    claimed = width * height
    if claimed > max_pixels * (JPEG_SCALED_PIXELS if kind == "jpeg" else 1):
        raise Invalid(PHOTO_TOO_MANY_PIXELS, mp=max_pixels // 1_000_000)
    longest = max(width, height)
    if kind == "jpeg" and longest > DRAFT_SIDE:
        # the smallest of 1/2, 1/4, 1/8 that keeps DRAFT_SIDE px: a 4032 px photo is decoded
        # at 2016 px, four times fewer pixels to decode and to resize
        src.draft(src.mode, (width * DRAFT_SIDE // longest, height * DRAFT_SIDE // longest))
    if src.size[0] * src.size[1] > max_pixels:
        raise Invalid(PHOTO_TOO_MANY_PIXELS, mp=max_pixels // 1_000_000)


_TURN = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(src: Image.Image) -> int:
    """The EXIF orientation (1-8, as ImageOps.exif_transpose reads it); 1 when the EXIF cannot
    be read. Applied after shrinking: turning 3 MP costs a quarter of turning 12 MP."""
    try:
        value = src.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) else 1


def _rgb(im: Image.Image) -> tuple[Image.Image, bool]:
    """RGB, or RGBA when some pixel is really transparent (then True)."""
    alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    if alpha:
        im = im.convert("RGBA")
        lowest, _ = cast("tuple[int, int]", im.getchannel("A").getextrema())
        if lowest < 255:
            return im, True
    return (im if im.mode == "RGB" else im.convert("RGB")), False


def _decode(data: bytes, kind: str, max_pixels: int) -> _Encoded:
    """Decode, check, orient, convert, shrink and re-encode (in a worker thread)."""
    too_many = Invalid(PHOTO_TOO_MANY_PIXELS, mp=max_pixels // 1_000_000)
    # Pillow's own guard (process-wide, checked as a file is opened) must not refuse what
    # _checked_size allows; above twice this it still raises DecompressionBombError
    claimable = max_pixels * JPEG_SCALED_PIXELS
    if Image.MAX_IMAGE_PIXELS is not None and claimable > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = claimable
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[kind]]) as src:
            _checked_size(src, kind, max_pixels)
            src.load()
            icc = src.info.get("icc_profile")
            turn = _TURN.get(_orientation(src))
            im, alpha = _rgb(src)
            if max(im.size) > FULL_SIDE:
                im.thumbnail((FULL_SIDE, FULL_SIDE), Image.Resampling.LANCZOS)
            im = _srgb(im, icc if isinstance(icc, bytes) else None)
            if turn is not None:
                im = im.transpose(turn)
            im = _clean(im)
            thumb = im.copy()
            thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
            fmt = "PNG" if alpha else "JPEG"
            return _Encoded(_encode(im, fmt), _encode(thumb, fmt), fmt, im.width, im.height)
    except Invalid:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError, MemoryError):
        raise too_many from None
    except (OSError, SyntaxError, ValueError, EOFError):
        # Pillow's ways of saying "not a valid image": truncated, corrupt, bad chunks
        raise Invalid(PHOTO_BROKEN) from None
    except Exception:  # any other decoder failure is a bad file too, never a 500
        log.warning("photo refused: decoder failed", exc_info=True)
        raise Invalid(PHOTO_BROKEN) from None


def _store(store: BlobStore, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    store.put(key_of(sha), data)
    return sha


def _photo(
    store: BlobStore, data: bytes, filename: str, kind: str, limits: _Limits
) -> PreparedFile:
    if len(data) > limits.photo_bytes:
        raise Invalid(PHOTO_TOO_BIG, mb=limits.photo_bytes // 1_000_000)
    enc = _decode(data, kind, limits.pixels)
    mime, ext = _OUT[enc.fmt]
    sha = _store(store, enc.full)
    thumb = _store(store, enc.thumb)
    name = safe_name(filename, ext, "photo")
    return PreparedFile(sha, "image", mime, len(enc.full), enc.width, enc.height, name, thumb)


_DECODER_LIMIT: Cache[anyio.CapacityLimiter] = Cache("uploads.decoders")


async def _in_thread(ctx: Context, fn: Callable[..., T], *args: object) -> T:
    limiters = ctx.caches.of(_DECODER_LIMIT)
    limiter = limiters.get("limiter")
    if limiter is None:
        limiter = limiters["limiter"] = anyio.CapacityLimiter(DECODERS)
    return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)


def _image_kind(data: bytes, field: str, types_message: str) -> str:
    if not data:
        raise Invalid(EMPTY, field=field)
    kind = sniff(data)
    if kind == "heic":
        raise Invalid(HEIC, field=field)
    if kind not in _PIL_FORMAT:
        raise Invalid(types_message, field=field)
    return kind


def _with_field(e: Invalid, field: str) -> Invalid:
    return Invalid(e.message, field=field, **e.params)


async def prepare_image(
    ctx: Context, data: bytes, filename: str, *, field: str = "photos"
) -> PreparedFile:
    """Check and re-encode one photo and store its blobs (no database). Raises Invalid(field=)."""
    kind = _image_kind(data, field, PHOTO_TYPES)
    try:
        return await _in_thread(ctx, _photo, ctx.storage, data, filename, kind, _limits(ctx))
    except Invalid as e:
        raise _with_field(e, field) from None


# --- PDF -----------------------------------------------------------------------------------

# names that make a PDF do something rather than show something; the long ones are looked for
# everywhere (binary stream data cannot hold them by chance), the short ones outside streams
_ACTIVE_LONG = frozenset(
    {"JavaScript", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "OpenAction"}
)
_ACTIVE_SHORT = frozenset({"JS", "AA", "XFA"})
_ACTIVE = _ACTIVE_LONG | _ACTIVE_SHORT
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}\x00]*)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_STREAM_BODY = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.DOTALL)
INFLATE_BUDGET = 50_000_000  # bytes of object streams inflated per PDF, at most


def _names(text: bytes) -> list[tuple[str, int]]:
    """Every /Name in `text` with `#xx` escapes decoded (so /J#61vaScript is JavaScript),
    with the offset just after it."""
    out = []
    for m in _NAME.finditer(text):
        raw = _HEX.sub(lambda h: bytes([int(h.group(1), 16)]), m.group(1))
        out.append((raw.decode("latin-1"), m.end()))
    return out


def _active(text: bytes, names: frozenset[str]) -> bool:
    for name, end in _names(text):
        if name not in names:
            continue
        if name == "OpenAction" and text[end : end + 64].lstrip().startswith(b"["):
            continue  # a destination ("open at page 1, fit width"), not an action
        return True
    return False


def _object_streams(data: bytes) -> list[bytes]:
    """The inflated contents of the PDF's object streams (/Type /ObjStm), where dictionaries
    of a compressed PDF live. Invalid if one cannot be read (encrypted, another filter)."""
    out: list[bytes] = []
    budget = INFLATE_BUDGET
    view = memoryview(data)
    for m in _STREAM.finditer(data):
        start = data.rfind(b"obj", 0, m.start())
        if start < 0:
            continue
        header = data[start : m.start()]
        names = {n for n, _ in _names(header)}
        if "ObjStm" not in names:
            continue
        if "Encrypt" in names or names & {"DecodeParms", "DP"} or "FlateDecode" not in names:
            raise Invalid(PDF_UNCHECKABLE)
        filters = {"ASCIIHexDecode", "ASCII85Decode", "LZWDecode", "RunLengthDecode", "Crypt"}
        if names & filters:
            raise Invalid(PDF_UNCHECKABLE)
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(view[m.end() :], budget + 1)
        except zlib.error:
            raise Invalid(PDF_UNCHECKABLE) from None
        budget -= len(text)
        if budget < 0:
            raise Invalid(PDF_UNCHECKABLE)
        out.append(text)
    return out


def check_pdf(data: bytes) -> None:
    """Raise Invalid unless `data` is a whole PDF without active content."""
    if not re.match(rb"%PDF-[12]\.[0-9]", data) or b"%%EOF" not in data[-1024:]:
        raise Invalid(PDF_BROKEN)
    if re.search(rb"/Encrypt\b", data):
        raise Invalid(PDF_UNCHECKABLE)
    if _active(data, _ACTIVE_LONG) or _active(_STREAM_BODY.sub(b"", data), _ACTIVE):
        raise Invalid(PDF_ACTIVE)
    if any(_active(text, _ACTIVE) for text in _object_streams(data)):
        raise Invalid(PDF_ACTIVE)


def _pdf(store: BlobStore, data: bytes, filename: str, limits: _Limits) -> PreparedFile:
    if len(data) > limits.attachment_bytes:
        raise Invalid(PDF_TOO_BIG, mb=limits.attachment_bytes // 1_000_000)
    check_pdf(data)
    sha = _store(store, data)
    name = safe_name(filename, "pdf", "file")
    return PreparedFile(sha, "pdf", "application/pdf", len(data), None, None, name)


async def prepare_attachment(
    ctx: Context, data: bytes, filename: str, *, field: str = "files"
) -> PreparedFile:
    """A proposal's attachment: a PDF (checked, stored as sent) or a photo (as prepare_image)."""
    if data.startswith(b"%PDF-"):
        try:
            return await _in_thread(ctx, _pdf, ctx.storage, data, filename, _limits(ctx))
        except Invalid as e:
            raise _with_field(e, field) from None
    _image_kind(data, field, ATTACHMENT_TYPES)
    return await prepare_image(ctx, data, filename, field=field)


# --- rows ----------------------------------------------------------------------------------


async def save_file(prepared: PreparedFile, *, by: int | None) -> StoredFile:
    """Record a prepared upload; call inside the caller's write transaction."""
    values = dataclasses.asdict(prepared)
    rows = await StoredFileRow.insert(
        StoredFileRow(**values, created_by=by, created_at=now())
    ).returning(StoredFileRow.id)
    return StoredFile(id=int(rows[0]["id"]), created_by=by, **values)


_FIELDS = tuple(f.name for f in dataclasses.fields(StoredFile))


async def get_files(ids: list[int]) -> list[StoredFile]:
    """The files with these ids, in the order given (unknown ids are left out)."""
    if not ids:
        return []
    rows = await StoredFileRow.select().where(StoredFileRow.id.is_in(list(set(ids))))
    by_id = {r["id"]: StoredFile(**{f: r[f] for f in _FIELDS}) for r in rows}
    return [by_id[i] for i in ids if i in by_id]
