"""Photo renditions of 12-megapixel JPEGs: time and peak memory per photo, photos/s per core.

    python bench/photos.py [--photos N] [--json out.json]

What the worker does for each photo a phone sends (daptar.lib.images.render): decode,
apply the camera's orientation, move to sRGB, drop every bit of metadata, and encode
WebP and JPEG at 1600, 800 and 320 px. The photos are made here: 4000x3000 camera-like
pictures (smooth light with fine grain, so they compress like real ones, ~3-5 MB at
quality 92) carrying EXIF with an orientation and GPS.

- *per photo*: each photo in a fresh process (so one photo's memory is measured
  alone): wall and CPU seconds of render(), and the peak resident memory it added
  (ru_maxrss after, minus VmRSS before). On a busy machine wall time stretches and
  CPU time does not: the CPU figures are what one free core would do.
- *one core*: every photo in turn in one process; photos/s.
- *all cores*: a process per core, each rendering the photos; photos/s in all and per core.
- *floor*: the least Pillow work for one rendition, in CPU seconds: decode at reduced
  scale (draft) and one JPEG encode at 1600 px, no orientation, colour or WebP.

The goal is under 1.5 s and under 250 MB per photo. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import fmt, save, setup_django

WIDTHS = [320, 800, 1600]
MAX_PIXELS = 64_000_000
GOAL_SECONDS, GOAL_MB = 1.5, 250


def camera_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG that compresses like a phone's: gradients, grain, EXIF, GPS."""
    from PIL import Image, ImageFilter

    width, height = 4000, 3000
    light = Image.linear_gradient("L").resize((width, height)).rotate(seed * 37 % 360)
    grain = Image.effect_noise((width, height), 24 + seed % 8).filter(ImageFilter.GaussianBlur(1))
    red = Image.blend(light, grain, 0.35)
    green = Image.blend(light.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grain, 0.45)
    blue = Image.blend(light.transpose(Image.Transpose.FLIP_TOP_BOTTOM), grain, 0.25)
    picture = Image.merge("RGB", (red, green, blue))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Phone 12", 6
    exif[0x8825] = {1: "N", 2: (24.0, 53.0, 39.0), 3: "E", 4: (91.0, 52.0, 7.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def render_file(path: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one render."""
    from daptar.lib import images

    with open(path, "rb") as handle:
        started, cpu = time.perf_counter(), time.process_time()
        images.render(handle, WIDTHS, max_pixels=MAX_PIXELS)
        return time.perf_counter() - started, time.process_time() - cpu


def one_photo_alone(path: str) -> tuple[float, float, float]:
    """In a fresh process: (wall seconds, CPU seconds, MB of peak memory the render added)."""
    setup_django()
    # Loaded before the baseline is read, so the figure is the render's own memory.
    import PIL.JpegImagePlugin
    import PIL.WebPImagePlugin  # noqa: F401

    from daptar.lib import images  # noqa: F401

    before = _rss_mb()
    wall, cpu = render_file(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return wall, cpu, peak - before


def serial(paths: list[str]) -> tuple[float, float]:
    """(photos per wall second, photos per CPU second) rendering every photo in turn in
    one process, i.e. on one core."""
    setup_django()
    render_file(paths[0])  # warm up: codecs loaded, caches filled
    started, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        render_file(path)
    return len(paths) / (time.perf_counter() - started), len(paths) / (time.process_time() - cpu)


def floor_file(path: str) -> float:
    from PIL import Image

    with open(path, "rb") as handle:
        cpu = time.process_time()
        image = Image.open(handle)
        image.draft("RGB", (1600, 1600))
        image = image.convert("RGB")
        image = image.resize((1600, round(image.height * 1600 / image.width)))
        image.save(io.BytesIO(), "JPEG", quality=82)
        return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=6, help="distinct photos to render")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    setup_django()
    cores = os.cpu_count() or 1
    spawn = multiprocessing.get_context("spawn")

    with tempfile.TemporaryDirectory(prefix="daptar-photos-") as folder:
        paths = []
        for n in range(args.photos):
            path = Path(folder) / f"photo{n}.jpg"
            path.write_bytes(camera_photo(n))
            paths.append(str(path))
        sizes = [Path(p).stat().st_size / 2**20 for p in paths]
        load = os.getloadavg()[0]
        print(
            f"photos: {len(paths)} JPEGs of 4000x3000 (12 MP), {statistics.mean(sizes):.1f} MB "
            f"on average, EXIF orientation 6 and GPS; renditions {WIDTHS} in WebP and JPEG; "
            f"{cores} cores, load average {load:.1f} before the run"
        )

        alone = []
        for path in paths:
            with spawn.Pool(1) as pool:
                alone.append(pool.apply(one_photo_alone, (path,)))
        seconds = [wall for wall, _cpu, _mb in alone]
        cpu_seconds = [cpu for _wall, cpu, _mb in alone]
        memory = [mb for _wall, _cpu, mb in alone]

        with spawn.Pool(1) as pool:
            one_core, one_core_cpu = pool.apply(serial, (paths,))
        with spawn.Pool(cores) as pool:
            # Each process times its own photos while the others run beside it.
            all_cores = sum(wall for wall, _cpu in pool.map(serial, [paths] * cores))
        floor = statistics.median(floor_file(p) for p in paths)

    rows: list[dict[str, Any]] = [
        {"name": "seconds per photo (median, alone)", "value": statistics.median(seconds),
         "goal": f"< {GOAL_SECONDS}"},
        {"name": "seconds per photo (worst)", "value": max(seconds), "goal": f"< {GOAL_SECONDS}"},
        {"name": "CPU seconds per photo (median)", "value": statistics.median(cpu_seconds),
         "goal": f"< {GOAL_SECONDS}"},
        {"name": "peak memory per photo, MB (worst)", "value": max(memory), "goal": f"< {GOAL_MB}"},
        {"name": "photos/s, one core (wall clock)", "value": one_core, "goal": ""},
        {"name": "photos per CPU second (= per core, unloaded)", "value": one_core_cpu,
         "goal": ""},
        {"name": f"photos/s, {cores} processes at once", "value": all_cores, "goal": ""},
        {"name": "photos/s per core, all cores", "value": all_cores / cores, "goal": ""},
        {"name": "floor: one 1600 px JPEG, CPU seconds", "value": floor, "goal": ""},
        {"name": "render / floor (CPU)", "value": statistics.median(cpu_seconds) / floor,
         "goal": ""},
    ]  # fmt: skip
    print(f"\n  {'':46} {'figure':>10} {'goal':>8}")
    for row in rows:
        print(f"  {row['name']:46} {fmt(row['value'], 2):>10} {row['goal']:>8}")
    save(args.json, {"photos": len(paths), "cores": cores, "rows": rows})


if __name__ == "__main__":
    main()
