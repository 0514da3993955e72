"""Draw the bundled example's pictures (run once; the outputs are committed).

Each picture is a small JPEG drawn with Pillow: a few shapes for the object and a
text label, so a person (or a vision model) can tell what it shows. The file
names are the media ids used in the raw files' URLs, and ``images/index.json``
maps every URL in the raw files to its local file (see ``make_raw.py``).

Run: ``.venv/bin/python examples/demo/make_images.py``
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
SIZE = 160
Draw = ImageDraw.ImageDraw
Painter = Callable[[Draw], None]


def _snowflake(d: Draw, cx: int = 80, cy: int = 60, r: int = 30, fill: str = "#3a7bd5") -> None:
    for dx, dy in ((r, 0), (0, r), (r * 7 // 10, r * 7 // 10), (r * 7 // 10, -r * 7 // 10)):
        d.line((cx - dx, cy - dy, cx + dx, cy + dy), fill=fill, width=3)
    d.ellipse((cx - 4, cy - 4, cx + 4, cy + 4), fill=fill)


def _mountain(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, 130), fill="#cfe3f7")
    d.polygon([(0, 130), (55, 35), (100, 100), (125, 60), (160, 130)], fill="#6b7b8c")
    d.polygon([(45, 53), (55, 35), (66, 53)], fill="white")
    d.polygon([(118, 72), (125, 60), (132, 72)], fill="white")
    for x, y in ((20, 20), (90, 15), (140, 30), (70, 70)):
        d.ellipse((x, y, x + 4, y + 4), fill="white")


def _mug(d: Draw, color: str = "#c0392b") -> None:
    d.rectangle((45, 45, 105, 115), fill=color)
    d.arc((95, 60, 125, 95), 270, 90, fill=color, width=6)
    for x in (60, 75, 90):
        d.arc((x - 6, 20, x + 6, 42), 90, 270, fill="#999999", width=2)


def _snow_mug(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, SIZE), fill="#e8f1fb")
    _mug(d, "#8e44ad")
    _snowflake(d, 28, 28, 14, "#5dade2")
    _snowflake(d, 135, 40, 12, "#5dade2")


def _dripper(d: Draw) -> None:
    d.polygon([(40, 30), (120, 30), (95, 80), (65, 80)], fill="#f4f1ea", outline="#555555")
    d.rectangle((55, 80, 105, 88), fill="#f4f1ea", outline="#555555")
    d.rectangle((50, 90, 110, 125), fill="#6f4e37")
    d.rectangle((50, 90, 110, 97), fill="#d9c8b4")


def _filters(d: Draw) -> None:
    for i in range(4):
        off = i * 8
        d.polygon([(35 + off, 35 + off), (115 + off, 35 + off), (90 + off, 95 + off),
                   (60 + off, 95 + off)], fill="#fbf6ec", outline="#b8a78c")


def _kettle(d: Draw) -> None:
    d.rectangle((45, 55, 110, 115), fill="#2c3e50")
    d.line((45, 70, 20, 45, 10, 35), fill="#2c3e50", width=5)
    d.arc((100, 55, 135, 100), 270, 90, fill="#2c3e50", width=6)
    d.rectangle((60, 45, 95, 55), fill="#34495e")


def _grinder(d: Draw) -> None:
    d.rectangle((60, 50, 100, 120), fill="#95a5a6")
    d.rectangle((55, 40, 105, 50), fill="#7f8c8d")
    d.line((80, 40, 80, 20, 120, 20), fill="#2c3e50", width=4)
    d.ellipse((115, 14, 128, 27), fill="#6f4e37")


def _scale(d: Draw) -> None:
    d.rounded_rectangle((25, 70, 135, 115), radius=8, fill="#ecf0f1", outline="#7f8c8d")
    d.rectangle((55, 95, 105, 110), fill="#1e272e")
    d.text((62, 97), "250.0g", fill="#2ecc71")


def _cookies(d: Draw) -> None:
    for x, y in ((30, 30), (85, 25), (50, 75), (100, 80)):
        d.ellipse((x, y, x + 40, y + 40), fill="#d4a15a")
        for cx, cy in ((x + 10, y + 12), (x + 24, y + 20), (x + 14, y + 28)):
            d.ellipse((cx, cy, cx + 5, cy + 5), fill="#4a2c13")


def _dog(d: Draw, coat: str | None = "#e74c3c") -> None:
    d.ellipse((40, 60, 120, 105), fill="#e0a060")
    d.ellipse((100, 40, 135, 75), fill="#e0a060")
    d.polygon([(105, 45), (110, 25), (118, 44)], fill="#c0803e")
    for x in (50, 65, 95, 108):
        d.rectangle((x, 100, x + 7, 122), fill="#e0a060")
    if coat:
        d.rectangle((55, 62, 100, 95), fill=coat)
        d.line((55, 80, 100, 80), fill="#f1c40f", width=3)


def _dog_walk(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, SIZE), fill="#1c2833")
    _dog(d, "#2980b9")
    d.line((118, 60, 150, 10), fill="#f1c40f", width=3)
    _snowflake(d, 25, 25, 10, "white")


def _sock(d: Draw) -> None:
    d.polygon([(60, 20), (95, 20), (95, 95), (120, 110), (115, 130), (60, 120)], fill="#7d6b5d")
    d.rectangle((60, 20, 95, 35), fill="#a3927f")


def _boot(d: Draw) -> None:
    d.polygon([(45, 30), (85, 30), (90, 95), (135, 105), (135, 125), (45, 125)], fill="#6e4b2a")
    d.rectangle((45, 118, 135, 128), fill="#222222")
    for y in (45, 60, 75):
        d.line((55, y, 80, y), fill="#e6c27a", width=2)


def _shoe(d: Draw) -> None:
    d.polygon([(25, 100), (60, 65), (95, 80), (140, 95), (140, 115), (25, 115)], fill="#16a085")
    d.rectangle((25, 112, 140, 122), fill="white")
    d.line((60, 75, 110, 100), fill="white", width=3)


def _glove(d: Draw, color: str = "#34495e") -> None:
    d.rounded_rectangle((50, 60, 110, 125), radius=10, fill=color)
    for i, x in enumerate((52, 66, 80, 94)):
        d.rounded_rectangle((x, 22 + abs(i - 1.5) * 6, x + 12, 70), radius=5, fill=color)
    d.rounded_rectangle((30, 70, 55, 90), radius=6, fill=color)
    d.ellipse((66, 22, 78, 32), fill="#bdc3c7")


def _warmer(d: Draw) -> None:
    for x, c in ((30, "#e67e22"), (85, "#d35400")):
        d.rounded_rectangle((x, 30, x + 45, 115), radius=6, fill=c)
        d.text((x + 6, 65), "HEAT", fill="white")


def _thermos(d: Draw) -> None:
    d.rounded_rectangle((60, 35, 100, 130), radius=10, fill="#16a085")
    d.rectangle((63, 18, 97, 35), fill="#2c3e50")
    d.line((60, 60, 100, 60), fill="#0e6655", width=2)


def _poles(d: Draw) -> None:
    _mountain(d)
    for x in (60, 95):
        d.line((x, 20, x + 10, 135), fill="#e74c3c", width=4)
        d.rectangle((x - 4, 15, x + 4, 32), fill="#222222")


def _bladder(d: Draw, frozen: bool = False) -> None:
    d.rounded_rectangle((45, 30, 100, 120), radius=14, fill="#aed6f1" if frozen else "#3498db")
    d.line((100, 40, 130, 60, 125, 120), fill="#2c3e50", width=4)
    if frozen:
        _snowflake(d, 72, 75, 18, "white")


def _laptop(d: Draw) -> None:
    d.polygon([(40, 110), (120, 110), (95, 80), (65, 80)], fill="#bdc3c7")
    d.polygon([(30, 30), (110, 20), (120, 75), (40, 85)], fill="#2c3e50")
    d.polygon([(36, 35), (106, 26), (114, 70), (44, 79)], fill="#5dade2")


def _desk(d: Draw) -> None:
    _laptop(d)
    d.ellipse((125, 95, 145, 120), fill="#7f8c8d")


def _hub(d: Draw) -> None:
    d.rounded_rectangle((30, 55, 130, 95), radius=8, fill="#95a5a6")
    for x in (40, 58, 76, 94, 112):
        d.rectangle((x, 70, x + 10, 78), fill="#2c3e50")
    d.line((80, 95, 80, 135), fill="#2c3e50", width=4)


def _mouse(d: Draw) -> None:
    d.ellipse((50, 30, 110, 125), fill="#34495e")
    d.line((80, 30, 80, 70), fill="#95a5a6", width=2)
    d.ellipse((76, 45, 84, 58), fill="#95a5a6")


def _leash(d: Draw) -> None:
    d.arc((30, 20, 90, 60), 0, 360, fill="#f1c40f", width=6)
    d.line((60, 60, 70, 125), fill="#f1c40f", width=6)
    d.rectangle((62, 120, 78, 132), fill="#7f8c8d")


def _suitcase(d: Draw) -> None:
    d.rounded_rectangle((45, 40, 115, 125), radius=8, fill="#2980b9")
    d.rectangle((68, 22, 92, 40), outline="#2c3e50", width=4)
    d.polygon([(120, 30), (150, 20), (140, 35)], fill="#7f8c8d")


def _powerbank(d: Draw) -> None:
    d.rounded_rectangle((55, 25, 105, 125), radius=8, fill="#2c3e50")
    for i in range(4):
        d.ellipse((72, 40 + i * 10, 78, 46 + i * 10), fill="#2ecc71" if i < 3 else "#555555")


def _runner(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, SIZE), fill="#1b2631")
    d.ellipse((70, 20, 90, 40), fill="#f5cba7")
    d.line((80, 40, 75, 85), fill="#e74c3c", width=8)
    d.line((75, 85, 55, 120), fill="#2c3e50", width=6)
    d.line((75, 85, 105, 115), fill="#2c3e50", width=6)
    d.line((78, 50, 105, 65), fill="#e74c3c", width=5)
    d.rectangle((92, 55, 104, 63), fill="#58d68d")


def _armband(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, SIZE), fill="#17202a")
    d.ellipse((35, 50, 125, 100), outline="#58d68d", width=10)


def _belt(d: Draw) -> None:
    d.rectangle((10, 70, 150, 90), fill="#2c3e50")
    d.rounded_rectangle((55, 60, 105, 100), radius=6, fill="#34495e")
    d.line((60, 68, 100, 68), fill="#95a5a6", width=2)


def _mat(d: Draw) -> None:
    d.rectangle((20, 30, 140, 120), fill="#f5b7b1")
    for x in (40, 70, 100):
        for y in (50, 85):
            d.ellipse((x, y, x + 22, y + 22), outline="#cb4335", width=2)


def _macarons(d: Draw) -> None:
    _mat(d)
    for x, c in ((40, "#f9e79f"), (70, "#d2b4de"), (100, "#a9dfbf")):
        d.ellipse((x, 50, x + 22, 72), fill=c)


def _bread(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, SIZE), fill="#eaf2f8")
    d.ellipse((30, 55, 130, 115), fill="#ca8a3e")
    for x in (55, 80, 105):
        d.line((x - 10, 70, x, 95), fill="#f5deb3", width=3)
    _snowflake(d, 130, 25, 12, "#85c1e9")


def _car_ice(d: Draw) -> None:
    d.rectangle((0, 0, SIZE, SIZE), fill="#d6eaf8")
    d.rounded_rectangle((25, 60, 135, 105), radius=10, fill="#7f8c8d")
    d.polygon([(45, 60), (60, 35), (105, 35), (120, 60)], fill="#ebf5fb", outline="#5d6d7e")
    for x in (45, 115):
        d.ellipse((x - 12, 95, x + 12, 119), fill="#222222")


def _muddy_dog(d: Draw) -> None:
    _dog(d, None)
    for x, y in ((55, 70), (80, 85), (100, 65), (60, 95)):
        d.ellipse((x, y, x + 14, y + 10), fill="#5d4037")


def _cat_desk(d: Draw) -> None:
    _laptop(d)
    d.ellipse((110, 85, 150, 120), fill="#555555")
    d.polygon([(115, 90), (118, 75), (126, 88)], fill="#555555")
    d.polygon([(134, 88), (142, 75), (146, 92)], fill="#555555")


def _rainy_trail(d: Draw) -> None:
    _mountain(d)
    for x in range(5, SIZE, 14):
        d.line((x, 10, x - 6, 30), fill="#2e86c1", width=2)
        d.line((x + 7, 60, x + 1, 80), fill="#2e86c1", width=2)


# file stem -> (painter, label). Stems are the media ids used in the raw files' URLs.
PICTURES: dict[str, tuple[Painter, str]] = {
    # tweets_v1.jsonl
    "DvX3kP2WsAAq9Lm": (_mountain, "first snow"),
    "DvY8nQeXcAE1tZr": (_dripper, "V60 pour-over"),
    "DwA2jR7WkAIu5Hc": (_runner, "5am run"),
    "DwC9pL0XgAAs3Bn": (_desk, "home office"),
    "DwE4tM8WoAEk7Qy": (_cookies, "cookies"),
    "DwE4tNaWsAAf1Hp": (_scale, "weigh it"),
    "DwG1vN5XQAAy2Pd": (_dog, "fleece jacket"),
    "DwI3wP6WAAEm9Xt": (_glove, "layering 101"),
    "DwK7xS3WwAUe0Jf": (_suitcase, "carry-on only"),
    "DwM2zT9XcAIh6Rg": (_hub, "USB-C hub"),
    "DwO5bU4WsAAc8Lk": (lambda d: _bladder(d, frozen=True), "frozen hose"),
    "DwQ8dV1XkAEn4Ws": (_snow_mug, "primer cafe"),
    # tweets_v2.jsonl
    "F1aK9mQWcAA2xPz": (_poles, "descent"),
    "F1bL2nRXwAEi7Qs": (_kettle, "new kettle"),
    "F1cM5pSWsAIo3Rt": (_desk, "desk setup"),
    "F1dN8qTXgAAu6Sv": (_dog_walk, "evening walk"),
    "F1eP1rUWkAEy9Tw": (_macarons, "macarons"),
    # mmsd.txt (MMSD names images by tweet id)
    "826391047815839744": (_car_ice, "5 am"),
    "827104492316315649": (_rainy_trail, "12 miles"),
    "828223510940356608": (_grinder, "monday"),
    "829577103562334208": (_muddy_dog, "bath time"),
    "831012286904377344": (_bread, "sunday"),
    "832455918201364480": (_cat_desk, "coworker"),
    # meta_Demo.json (Amazon image ids)
    "71mRqk3TzXL": (_sock, "merino socks"),
    "81Hx2bW9pQL": (_boot, "hiking boot"),
    "61Vt8cQmYkL": (_thermos, "25 oz bottle"),
    "71Zp4dNcRsL": (_glove, "touchscreen glove"),
    "81Ke5fTgWuL": (_warmer, "hand warmers"),
    "71Bq6gUhXvL": (_poles, "trekking poles"),
    "61Cr7hViYwL": (_bladder, "2L bladder"),
    "61Ds8jWkZxL": (_dripper, "dripper 02"),
    "71Et9kXmAyL": (_filters, "filters x100"),
    "71Fu1mYnBzL": (_grinder, "burr grinder"),
    "61Gv2nZpCaL": (_kettle, "gooseneck"),
    "71Hw3pAqDbL": (_scale, "0.1 g scale"),
    "81Jx4qBrEcL": (_mat, "baking mat"),
    "71Ky5rCsFdL": (_shoe, "road shoe"),
    "61Lz6sDtGeL": (_belt, "running belt"),
    "71Ma7tEuHfL": (_armband, "LED armband"),
    "61Nb8uFvJgL": (_laptop, "laptop stand"),
    "61Pc9vGwKhL": (_hub, "7-in-1 hub"),
    "61Qd1wHxLjL": (_mouse, "vertical mouse"),
    "71Re2xJyMkL": (lambda d: _dog(d, "#2980b9"), "dog jacket"),
    "71Sf3yKzNmL": (_leash, "reflective leash"),
    "61Tg4zLaPnL": (_powerbank, "10000mAh"),
}


def draw(painter: Painter, label: str) -> Image.Image:
    """One picture: ``painter`` on a white square, ``label`` in a band at the bottom."""
    img = Image.new("RGB", (SIZE, SIZE), "white")
    d = ImageDraw.Draw(img)
    painter(d)
    d.rectangle((0, SIZE - 22, SIZE, SIZE), fill="white")
    font = ImageFont.load_default()
    width = d.textlength(label, font=font)
    d.text(((SIZE - width) / 2, SIZE - 17), label, fill="black", font=font)
    return img


def main() -> None:
    """Write every picture to ``images/<stem>.jpg``."""
    OUT.mkdir(exist_ok=True)
    for stem, (painter, label) in PICTURES.items():
        draw(painter, label).save(OUT / f"{stem}.jpg", "JPEG", quality=70, optimize=True)
    total = sum(p.stat().st_size for p in OUT.glob("*.jpg"))
    print(f"wrote {len(PICTURES)} images to {OUT} ({total // 1024} KB)")


if __name__ == "__main__":
    main()
