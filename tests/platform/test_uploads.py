"""Uploads: photos are re-encoded pixels (no EXIF, no polyglot, no bomb), PDFs carry no active
content, blobs are stored once by content hash, and files are served with safe headers.

Test images are made here with Pillow. The checks that touch no database run on a bare context
with a per-test data directory; the rows (save_file, get_files) run on both databases through
the `client` fixture."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response
from litestar.testing import TestClient
from PIL import ExifTags, Image

from council.kernel.errors import DomainError, Invalid
from council.platform import uploads
from council.platform.context import Caches, Context
from council.platform.settings import Settings
from council.platform.storage import LocalStore, MissingBlob, key_of
from council.platform.uploads import (
    MAX_PHOTOS,
    PreparedFile,
    StoredFile,
    get_files,
    prepare_attachment,
    prepare_image,
    safe_name,
    save_file,
)
from council.platform.web.files import file_response
from council.platform.web.public import PUBLIC
from council.platform.web.security import security_headers

# --- builders ------------------------------------------------------------------------------


def bare_context(data_dir: Path, **settings: Any) -> Context:
    """A context with settings, caches and storage but no database (prepare_* need none)."""
    ctx = Context.__new__(Context)
    ctx.settings = Settings(data_dir=data_dir, **settings)
    ctx.caches = Caches()
    ctx.storage = LocalStore(data_dir / "files")
    return ctx


@pytest.fixture
def bare(tmp_path: Path) -> Context:
    return bare_context(tmp_path)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def photo(
    size: tuple[int, int] = (1200, 900),
    fmt: str = "JPEG",
    mode: str = "RGB",
    color: Any = (30, 120, 200),
    **save: Any,
) -> bytes:
    """An image file made by Pillow: a plain colour with a red left half (to see rotations)."""
    im = Image.new(mode, size, color)
    if mode in ("RGB", "RGBA"):
        red = (220, 20, 20, 255) if mode == "RGBA" else (220, 20, 20)
        im.paste(red, (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def png_bomb(side: int = 20000) -> bytes:
    """A real, valid black-and-white PNG of side × side pixels: 400 MP in about 50 kB (made by
    hand, since Pillow would need a 50 MB image and seconds to write it)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])  # 1 bit, greyscale
    packer = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # filter byte "none", then black pixels
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def phone_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: maker, model, orientation and the GPS position of the flat."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {1: "N", 2: (30.0, 39.0, 54.12), 3: "E", 4: (104.0, 3.0, 47.7)}
    )
    return exif


def opened(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def blob(ctx: Context, sha: str) -> bytes:
    return ctx.storage.get(key_of(sha))


def blobs(ctx: Context) -> list[Path]:
    root = ctx.settings.data_dir / "files"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def refused(coro: Any) -> Invalid:
    with pytest.raises(Invalid) as e:
        run(coro)
    return e.value


def make_pdf(catalog: bytes = b"", objects: bytes = b"", eof: bool = True) -> bytes:
    """A small, valid one-page PDF; `catalog` goes into the document catalog, `objects` after
    the page."""
    body = (
        b"%PDF-1.7\n"
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
        + objects
        + b"trailer\n<< /Root 1 0 R >>\n"
    )
    return body + (b"%%EOF\n" if eof else b"")


def object_stream(text: bytes) -> bytes:
    """Object 4 inside a compressed object stream (object 5), as PDF 1.5+ writers do."""
    packed = zlib.compress(b"4 0 " + text)
    return (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(packed)
        + packed
        + b"\nendstream\nendobj\n"
    )


# --- photos --------------------------------------------------------------------------------


def test_a_phone_photo_loses_its_exif_and_gps_and_is_turned_upright(bare):
    # a landscape sensor image that the phone says to show turned 90° clockwise
    data = photo((1600, 1200), exif=phone_exif(orientation=6), comment=b"Shot at home")
    assert b"Apple" in data and opened(data).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    p = run(prepare_image(bare, data, "IMG_0001.JPG"))
    stored = blob(bare, p.sha256)

    im = opened(stored)
    assert im.format == "JPEG" and p.mime == "image/jpeg" and p.kind == "image"
    assert not im.getexif() and "exif" not in im.info and "icc_profile" not in im.info
    assert b"Exif" not in stored and b"Apple" not in stored and b"Shot at home" not in stored
    assert b"\xff\xe1" not in stored[:64]  # no APP1 segment (EXIF/XMP) after the SOI
    # upright: portrait now, and the red (left) half of the sensor image is at the top
    assert (p.width, p.height) == im.size == (1200, 1600)
    assert im.getpixel((600, 100))[0] > 180 and im.getpixel((600, 1500))[2] > 150


def test_a_large_photo_is_shrunk_to_2048_px_with_a_480_px_thumbnail(bare):
    p = run(prepare_image(bare, photo((3000, 2250)), "big.jpg"))
    assert (p.width, p.height) == (2048, 1536)
    thumb = blob(bare, p.thumb_sha256)
    assert max(opened(thumb).size) == 480 and opened(thumb).format == "JPEG"
    assert len(thumb) < p.size == len(blob(bare, p.sha256))


def test_a_small_photo_keeps_its_size(bare):
    p = run(prepare_image(bare, photo((640, 480)), "small.jpg"))
    assert (p.width, p.height) == (640, 480)
    assert opened(blob(bare, p.thumb_sha256)).size == (480, 360)


def test_png_with_transparency_stays_png_and_keeps_its_alpha(bare):
    data = photo((800, 600), "PNG", "RGBA", (0, 0, 255, 0))
    p = run(prepare_image(bare, data, "logo.png"))
    im = opened(blob(bare, p.sha256))
    assert p.mime == "image/png" and im.format == "PNG" and im.mode == "RGBA"
    assert im.getpixel((700, 300))[3] == 0 and im.getpixel((100, 300))[3] == 255
    assert p.name == "logo.png" and opened(blob(bare, p.thumb_sha256)).format == "PNG"


def test_png_text_chunks_and_colour_profiles_are_dropped(bare):
    from PIL import ImageCms, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPSLatitude</x:xmpmeta>", zip=True)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = photo((300, 200), "PNG", "RGBA", (0, 0, 0, 0), pnginfo=info, icc_profile=srgb)
    assert opened(data).text and opened(data).info.get("icc_profile")
    p = run(prepare_image(bare, data, "x.png"))
    stored = blob(bare, p.sha256)
    assert not opened(stored).text and "icc_profile" not in opened(stored).info
    assert b"tEXt" not in stored and b"iTXt" not in stored and b"iCCP" not in stored

    jpeg = run(prepare_image(bare, photo(icc_profile=srgb), "x.jpg"))
    assert b"ICC_PROFILE" not in blob(bare, jpeg.sha256)


def test_png_screenshot_without_transparency_becomes_jpeg(bare):
    p = run(prepare_image(bare, photo((1080, 1920), "PNG", "RGBA"), "Screenshot.png"))
    assert p.mime == "image/jpeg" and p.name == "Screenshot.jpg"
    assert opened(blob(bare, p.sha256)).size == (1080, 1920)


def test_webp_is_accepted_and_stored_as_jpeg(bare):
    data = photo((1000, 800), "WEBP", exif=phone_exif())
    assert b"Apple" in data
    p = run(prepare_image(bare, data, "photo.webp"))
    assert p.mime == "image/jpeg" and opened(blob(bare, p.sha256)).format == "JPEG"
    assert b"Apple" not in blob(bare, p.sha256)


def test_an_animation_keeps_its_first_frame(bare):
    frames = [Image.new("RGB", (320, 240), c) for c in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    assert getattr(opened(out.getvalue()), "n_frames", 1) == 3
    p = run(prepare_image(bare, out.getvalue(), "moving.webp"))
    still = opened(blob(bare, p.sha256))
    assert still.format == "JPEG" and still.getpixel((10, 10))[0] > 200


@pytest.mark.parametrize("mode", ["L", "P", "LA", "I;16", "1", "CMYK"])
def test_other_pixel_modes_are_converted(bare, mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    data = photo((300, 200), fmt, mode, color=None if mode != "CMYK" else (0, 0, 0, 0))
    p = run(prepare_image(bare, data, f"x.{fmt.lower()}"))
    assert opened(blob(bare, p.sha256)).mode in ("RGB", "RGBA")


def test_an_iphone_heic_name_holding_a_jpeg_is_a_jpeg(bare):
    p = run(prepare_image(bare, photo(), "IMG_4242.HEIC"))
    assert p.mime == "image/jpeg" and p.name == "IMG_4242.jpg"


def test_real_heic_is_refused_with_a_way_out(bare):
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    e = refused(prepare_image(bare, heic, "IMG_4242.HEIC"))
    assert e.message == uploads.HEIC and "JPEG" in e.message and e.field == "photos"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', id="svg"
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', id="svg-xml"
        ),
        pytest.param(photo((40, 40), "GIF", "P"), id="gif"),
        pytest.param(make_pdf(), id="pdf"),
        pytest.param(b"<html><script>alert(1)</script></html>", id="html"),
        pytest.param(photo((40, 40), "BMP"), id="bmp"),
        pytest.param(b"MZ\x90\x00" + b"\x00" * 200, id="exe"),
    ],
)
def test_anything_but_jpeg_png_webp_is_refused_whatever_its_name(bare, data):
    e = refused(prepare_image(bare, data, "photo.jpg", field="pics"))
    assert e.message == uploads.PHOTO_TYPES and e.field == "pics"
    assert blobs(bare) == []


def test_a_jpeg_html_polyglot_is_re_encoded_without_its_script(bare):
    script = b"<script>alert(document.cookie)</script>"
    data = photo((600, 400), comment=b"<html>" + script) + b"<html><body>" + script
    assert opened(data).format == "JPEG"  # a valid JPEG that is also an HTML page
    p = run(prepare_image(bare, data, "cat.jpg"))
    for sha in (p.sha256, p.thumb_sha256):
        stored = blob(bare, sha)
        assert b"<script" not in stored and b"<html" not in stored
        assert stored.endswith(b"\xff\xd9")  # nothing after the end of the image


def test_a_truncated_jpeg_is_refused_with_a_message(bare):
    data = photo((1200, 900), quality=95)
    e = refused(prepare_image(bare, data[: len(data) // 2], "broken.jpg"))
    assert e.message == uploads.PHOTO_BROKEN and e.field == "photos"
    e = refused(prepare_image(bare, b"\xff\xd8\xff\xe0garbage", "broken.jpg"))
    assert e.message == uploads.PHOTO_BROKEN


def test_an_empty_file_is_refused(bare):
    assert refused(prepare_image(bare, b"", "x.jpg")).message == uploads.EMPTY


def test_a_decompression_bomb_is_refused_before_decoding(bare):
    bomb = png_bomb()
    assert len(bomb) < 100_000 and opened(png_bomb(100)).size == (100, 100)
    e = refused(prepare_image(bare, bomb, "bomb.png"))
    assert e.message == uploads.PHOTO_TOO_MANY_PIXELS and e.params == {"mp": 40}
    assert blobs(bare) == []


def test_a_jpeg_header_claiming_billions_of_pixels_is_refused(bare):
    data = bytearray(photo((64, 48)))
    sof = data.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    data[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") * 2
    e = refused(prepare_image(bare, bytes(data), "huge.jpg"))
    assert e.message == uploads.PHOTO_TOO_MANY_PIXELS


def test_a_jpeg_above_the_limit_that_libjpeg_can_scale_down_is_accepted(bare):
    # a 75 MP phone photo: decoded at 1/2 or 1/4 of its size, which fits the 40 MP limit
    p = run(prepare_image(bare, photo((10000, 7500), mode="L", color=128), "108mp.jpg"))
    assert (p.width, p.height) == (2048, 1536)


def test_the_pixel_limit_comes_from_the_settings(tmp_path):
    ctx = bare_context(tmp_path, max_image_pixels=1_000_000)
    e = refused(prepare_image(ctx, photo((1200, 900)), "x.jpg"))
    assert e.message == uploads.PHOTO_TOO_MANY_PIXELS and e.params == {"mp": 1}
    assert run(prepare_image(ctx, photo((1000, 1000)), "x.jpg")).width == 1000


def test_a_photo_over_the_byte_limit_is_refused(tmp_path):
    ctx = bare_context(tmp_path, max_photo_bytes=2_000_000)
    big = photo((600, 400)) + b"\x00" * 2_000_000  # valid JPEG, padded past the limit
    e = refused(prepare_image(ctx, big, "big.jpg"))
    assert e.message == uploads.PHOTO_TOO_BIG and e.params == {"mb": 2}
    assert blobs(ctx) == []


def test_the_same_photo_twice_is_one_blob(bare):
    data = photo()
    a = run(prepare_image(bare, data, "a.jpg"))
    b = run(prepare_image(bare, data, "b.jpg"))
    assert (a.sha256, a.thumb_sha256) == (b.sha256, b.thumb_sha256) and a.name != b.name
    assert len(blobs(bare)) == 2  # the photo and its thumbnail


def test_ten_concurrent_uploads_of_one_photo_leave_one_blob_and_no_temp_files(bare):
    data = photo((900, 600))

    async def ten() -> list[PreparedFile]:
        return await asyncio.gather(*(prepare_image(bare, data, "x.jpg") for _ in range(10)))

    prepared = run(ten())
    assert len({(p.sha256, p.thumb_sha256) for p in prepared}) == 1
    files = [p.name for p in (bare.settings.data_dir / "files").rglob("*") if p.is_file()]
    assert len(files) == 2 and not [f for f in files if f.startswith(".tmp")]


def test_decoding_happens_off_the_event_loop(bare, monkeypatch):
    threads = []
    decode = uploads._decode

    def spy(*args: Any) -> Any:
        threads.append(threading.get_ident())
        return decode(*args)

    monkeypatch.setattr(uploads, "_decode", spy)

    async def go() -> int:
        await prepare_image(bare, photo(), "x.jpg")
        return threading.get_ident()

    loop_thread = run(go())
    assert threads and threads[0] != loop_thread


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd.jpg"),
        ("..\\..\\windows\\win.ini", "win.jpg"),
        ("C:\\Users\\李\\Desktop\\电梯.png", "电梯.jpg"),
        ("a\x00b.jpg", "ab.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.jpg"),  # RTL override would show "exe.jpg"
        ("zero\u200bwidth\u2028line.jpg", "zerowidth line.jpg"),
        ('x<script>"y".jpg', "x_script__y_.jpg"),
        (".htaccess", "htaccess.jpg"),
        ("", "photo.jpg"),
        ("...", "photo.jpg"),
        ("\u202e\x00/", "photo.jpg"),
        ("长" * 200 + ".jpg", "长" * 80 + ".jpg"),
    ],
)
def test_file_names_are_made_safe(sent, kept):
    assert safe_name(sent, "jpg", "photo") == kept


def test_the_stored_name_has_the_stored_type(bare):
    p = run(prepare_image(bare, photo(), "../evil.svg\u202e"))
    assert p.name == "evil.jpg"


# --- PDF attachments -----------------------------------------------------------------------


def test_a_plain_pdf_is_stored_as_sent(bare):
    data = photo((400, 300), "PDF")  # Pillow writes a real PDF with a JPEG image stream
    p = run(prepare_attachment(bare, data, "报价单.pdf"))
    assert (p.kind, p.mime, p.name, p.thumb_sha256) == (
        "pdf",
        "application/pdf",
        "报价单.pdf",
        None,
    )
    assert blob(bare, p.sha256) == data and p.size == len(data)


def test_an_attachment_may_be_a_photo(bare):
    p = run(prepare_attachment(bare, photo(exif=phone_exif()), "现场.jpg"))
    assert p.kind == "image" and b"Apple" not in blob(bare, p.sha256)


def test_an_open_at_page_destination_is_fine(bare):
    data = make_pdf(catalog=b"/OpenAction [3 0 R /FitH null]")
    assert run(prepare_attachment(bare, data, "a.pdf")).kind == "pdf"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            make_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            id="open-javascript",
        ),
        pytest.param(
            make_pdf(
                catalog=b"/OpenAction 4 0 R",
                objects=b"4 0 obj\n<< /S /GoTo /D [3 0 R /Fit] >>\nendobj\n",
            ),
            id="open-action-by-reference",
        ),
        pytest.param(make_pdf(catalog=b"/Names << /J#61va#53cript 6 0 R >>"), id="hex-escaped"),
        pytest.param(
            make_pdf(objects=b"4 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n"), id="launch"
        ),
        pytest.param(make_pdf(catalog=b"/AA << /WC 4 0 R >>"), id="additional-actions"),
        pytest.param(make_pdf(catalog=b"/Names << /EmbeddedFiles 7 0 R >>"), id="embedded"),
        pytest.param(make_pdf(catalog=b"/AcroForm << /XFA 8 0 R >>"), id="xfa"),
        pytest.param(
            make_pdf(objects=object_stream(b"<< /S /JavaScript /JS (x) >>")), id="in-object-stream"
        ),
    ],
)
def test_a_pdf_with_active_content_is_refused(bare, data):
    e = refused(prepare_attachment(bare, data, "a.pdf"))
    assert e.message == uploads.PDF_ACTIVE and e.field == "files"
    assert blobs(bare) == []


def test_a_compressed_pdf_without_active_content_is_fine(bare):
    data = make_pdf(objects=object_stream(b"<< /Producer (WPS) >>"))
    assert run(prepare_attachment(bare, data, "a.pdf")).kind == "pdf"


def test_a_pdf_that_cannot_be_checked_is_refused(bare):
    encrypted = make_pdf(objects=b"9 0 obj\n<< /Filter /Standard /V 2 >>\nendobj\n").replace(
        b"<< /Root 1 0 R >>", b"<< /Root 1 0 R /Encrypt 9 0 R >>"
    )
    assert refused(prepare_attachment(bare, encrypted, "a.pdf")).message == (
        uploads.PDF_UNCHECKABLE
    )
    garbled = object_stream(b"<< >>").replace(b"x\x9c", b"zz", 1)
    e = refused(prepare_attachment(bare, make_pdf(objects=garbled), "a.pdf"))
    assert e.message == uploads.PDF_UNCHECKABLE


def test_a_truncated_pdf_is_refused(bare):
    e = refused(prepare_attachment(bare, make_pdf(eof=False), "a.pdf"))
    assert e.message == uploads.PDF_BROKEN
    e = refused(prepare_attachment(bare, b"%PDF-x" + make_pdf()[6:], "a.pdf"))
    assert e.message == uploads.PDF_BROKEN


def test_a_pdf_over_the_byte_limit_is_refused(tmp_path):
    ctx = bare_context(tmp_path, max_attachment_bytes=1_000_000)
    big = make_pdf(objects=b"% " + b"x" * 1_000_000 + b"\n")
    e = refused(prepare_attachment(ctx, big, "big.pdf"))
    assert e.message == uploads.PDF_TOO_BIG and e.params == {"mb": 1}


@pytest.mark.parametrize(
    "data",
    [b'<svg xmlns="http://www.w3.org/2000/svg"/>', photo((40, 40), "GIF", "P"), b"PK\x03\x04doc"],
)
def test_an_attachment_that_is_neither_pdf_nor_photo_is_refused(bare, data):
    e = refused(prepare_attachment(bare, data, "a.pdf"))
    assert e.message == uploads.ATTACHMENT_TYPES and e.field == "files"


# --- the blob store ------------------------------------------------------------------------


def test_the_store_takes_only_content_hash_keys(tmp_path):
    store = LocalStore(tmp_path)
    for key in ("../x", "ab/../../etc/passwd", "/etc/passwd", "AB/CDEF0123", "ab", "ab/c"):
        with pytest.raises(ValueError, match="not a blob key"):
            store.put(key, b"x")
    with pytest.raises(MissingBlob):
        store.get(key_of("0" * 64))
    assert not store.exists(key_of("0" * 64))


def test_a_failed_write_leaves_no_blob_and_no_temp_file(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    key = key_of("ab" * 32)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        store.put(key, b"data")
    assert not store.exists(key) and list((tmp_path / "ab").iterdir()) == []
    monkeypatch.undo()
    store.put(key, b"data")
    store.put(key, b"data")  # again: a no-op
    assert store.get(key) == b"data"


def test_the_context_stores_under_the_data_directory(client):
    assert isinstance(client.ctx.storage, LocalStore)
    assert client.ctx.storage.root == client.ctx.settings.data_dir / "files"


# --- rows (both databases) -----------------------------------------------------------------


def test_save_file_records_a_row_and_get_files_reads_them_in_order(client):
    ctx = client.ctx
    shot = client.run(prepare_image, ctx, photo(), "现场.jpg")
    pdf = client.run(prepare_attachment, ctx, make_pdf(), "报价.pdf")

    async def save() -> list[StoredFile]:
        async with ctx.db.write():
            return [
                await save_file(shot, by=None),
                await save_file(pdf, by=None),
                await save_file(shot, by=None),  # the same bytes again: a row, not a blob
            ]

    a, b, c = client.run(save)
    assert a.id != c.id and a.sha256 == c.sha256
    assert (a.kind, a.name, a.width, a.thumb_sha256) == (
        "image",
        "现场.jpg",
        1200,
        shot.thumb_sha256,
    )
    assert (b.kind, b.mime, b.width, b.height) == ("pdf", "application/pdf", None, None)
    assert dataclasses.asdict(a) == {**dataclasses.asdict(shot), "id": a.id, "created_by": None}

    got = client.run(get_files, [c.id, 9999, a.id, b.id])
    assert got == [c, a, b]
    assert client.run(get_files, []) == []


# --- serving -------------------------------------------------------------------------------


def serving_app(ctx: Context, files: dict[str, StoredFile]) -> Litestar:
    """Routes as an area writes them: its own access check (here none), then file_response;
    with the platform's security hook, which decides the caching of non-public routes."""

    @get("/private/{name:str}", sync_to_thread=False)
    def private(name: FromPath[str], thumb: FromQuery[bool] = False) -> Response[Any]:
        return file_response(ctx, files[name], thumb=thumb)

    @get("/public/{name:str}", opt=PUBLIC, sync_to_thread=False)
    def public(name: FromPath[str]) -> Response[Any]:
        return file_response(ctx, files[name])

    def domain_error(request: Any, exc: DomainError) -> Response[str]:
        return Response(exc.message, status_code=exc.status)  # as council.platform.web.errors

    return Litestar(
        [private, public],
        before_send=[security_headers(False)],
        exception_handlers={DomainError: domain_error},
    )


def test_files_are_served_with_their_type_name_and_safe_headers(bare):
    shot = run(prepare_image(bare, photo(), "../电梯 故障.heic"))
    pdf = run(prepare_attachment(bare, make_pdf(), "报价单.pdf"))
    files = {
        "shot": StoredFile(1, **dataclasses.asdict(shot)),
        "pdf": StoredFile(2, **dataclasses.asdict(pdf)),
    }
    with TestClient(serving_app(bare, files)) as http:
        r = http.get("/private/shot")
        assert r.status_code == 200 and r.content == blob(bare, shot.sha256)
        assert r.headers["content-type"] == "image/jpeg"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-disposition"] == (
            'inline; filename="file.jpg"; '
            "filename*=UTF-8''%E7%94%B5%E6%A2%AF%20%E6%95%85%E9%9A%9C.jpg"
        )
        assert r.headers["etag"] == f'"{shot.sha256}"'
        assert r.headers["content-length"] == str(shot.size)
        assert "sandbox" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"  # a guarded route: private to the viewer

        r = http.get("/private/shot", params={"thumb": True})
        assert r.content == blob(bare, shot.thumb_sha256)
        assert r.headers["etag"] == f'"{shot.thumb_sha256}"'

        r = http.get("/private/pdf")
        assert r.content == make_pdf() and r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith('attachment; filename="file.pdf";')
        assert http.get("/private/pdf", params={"thumb": True}).status_code == 404

        r = http.get("/public/shot")
        assert r.headers["cache-control"] == "private, max-age=300"


def test_a_file_whose_blob_is_gone_is_not_found(bare):
    shot = run(prepare_image(bare, photo(), "x.jpg"))
    for p in blobs(bare):
        p.unlink()
    files = {"shot": StoredFile(1, **dataclasses.asdict(shot))}
    with TestClient(serving_app(bare, files)) as http:
        assert http.get("/private/shot").status_code == 404


# --- settings ------------------------------------------------------------------------------


def test_upload_limits_come_from_the_environment():
    s = Settings.from_env(
        {
            "COUNCIL_MAX_PHOTO_BYTES": "5000000",
            "COUNCIL_MAX_IMAGE_PIXELS": "20000000",
            "COUNCIL_MAX_ATTACHMENT_BYTES": "3000000",
        }
    )
    assert (s.max_photo_bytes, s.max_image_pixels, s.max_attachment_bytes) == (
        5_000_000,
        20_000_000,
        3_000_000,
    )


def test_a_form_with_the_most_photos_fits_the_request_body_limit():
    s = Settings()
    assert s.max_body_bytes >= MAX_PHOTOS * s.max_photo_bytes + 1_000_000
