"""Time to take one 12 MP phone photo: prepare_image (decode, orient, strip, shrink to 2048 px,
thumbnail, two JPEG encodes, two fsynced blob writes) plus save_file (one row on SQLite).

Baselines measured in the same run on the same bytes: reading the file from disk, and Pillow
merely decoding it (Image.open + load), the floor of any approach that looks at the pixels.
A form carries up to MAX_PHOTOS photos; they are also timed sent together (decoded by
uploads.DECODERS worker threads at once). The machine (CPUs, load) is printed with the numbers:
on a shared machine they move with its load.
Run: .venv/bin/python bench/upload.py [--photos 8]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from PIL import ExifTags, Image

from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.platform.uploads import MAX_PHOTOS, prepare_image, save_file


def phone_photo(seed: int) -> bytes:
    """4032 × 3024 (12.2 MP) with texture (noise over gradients, like a real scene) and a
    phone's EXIF with GPS; about 4-6 MB at quality 92, as phones write them."""
    noise = Image.effect_noise((4032, 3024), 25 + seed)
    ramp = Image.linear_gradient("L").resize((4032, 3024))
    im = Image.merge("RGB", (noise, ramp, ramp.transpose(Image.Transpose.ROTATE_180)))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (30.0, 39.0, 54.0)})
    out = io.BytesIO()
    im.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms"


async def main(photos: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ctx = make_context(Settings(data_dir=Path(tmp)))
        await migrate(ctx.db)
        data = [phone_photo(i) for i in range(photos)]
        paths = []
        for i, d in enumerate(data):
            paths.append(Path(tmp) / f"p{i}.jpg")
            paths[-1].write_bytes(d)

        read, decode, take = [], [], []
        for i, path in enumerate(paths):
            t = time.perf_counter()
            raw = path.read_bytes()
            read.append(time.perf_counter() - t)

            t = time.perf_counter()
            with Image.open(io.BytesIO(raw)) as im:
                im.load()
            decode.append(time.perf_counter() - t)

            t = time.perf_counter()
            prepared = await prepare_image(ctx, raw, f"IMG_{i}.JPG")
            async with ctx.db.write():
                await save_file(prepared, by=None)
            take.append(time.perf_counter() - t)

        t = time.perf_counter()
        batch = await asyncio.gather(*(prepare_image(ctx, d, "x.jpg") for d in data[:MAX_PHOTOS]))
        form = time.perf_counter() - t
        await ctx.db.close()

    size = statistics.median(len(d) for d in data) / 1e6
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{photos} photos 4032×3024, median {size:.1f} MB; stored {batch[0].size / 1e3:.0f} kB")
    print(f"read from disk      {ms(read)}")
    print(f"Pillow decode only  {ms(decode)}")
    ratio = statistics.median(take) / statistics.median(decode)
    print(f"prepare+save        {ms(take)} a photo ({ratio:.1f}× the full decode)")
    print(f"a form of {MAX_PHOTOS} photos    {form * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=8)
    asyncio.run(main(parser.parse_args().photos))
