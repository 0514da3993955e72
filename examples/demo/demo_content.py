"""The bundled example's content: the posts and products it is about.

Themes overlap on purpose (winter cold, hiking, coffee, running in the dark,
home office, baking, dogs, travel) so that intentions from different posts and
co-buy pairs meet on shared concepts. ``make_raw.py`` writes these in each
source's wire format; ``make_answers.py`` holds the model answers about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TWITTER_EPOCH_MS = 1288834974657


def snowflake(iso: str, seq: int) -> str:
    """A tweet id (as a string) whose timestamp bits match ``iso``; always > 2**53."""
    ms = int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp() * 1000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | (seq * 4099 % (1 << 22)))


@dataclass
class Tweet:
    """A tweet's content, independent of the API version that carries it."""

    key: str
    created: str
    user: str
    name: str
    text: str
    hashtags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    lang: str = "en"
    location: str = ""
    float_rounded_id: bool = False
    retweet_of: Tweet | None = None
    quote_of: Tweet | None = None

    @property
    def id_str(self) -> str:
        """The tweet id, derived from its creation time."""
        return snowflake(self.created, sum(map(ord, self.key)))


_LAYERING = Tweet(
    "layering", "2018-12-20T15:40:00", "coldweatherco", "Cold Weather Co.",
    "Layering 101 for winter hikes: a base layer that wicks, a mid layer that insulates, a "
    "shell that blocks the wind. And never forget hand warmers &amp; a hot drink 🧤☕ "
    "#winterhiking #layering",
    ["winterhiking", "layering"], ["DwI3wP6WAAEm9Xt"], location="Denver, CO")

_GRINDER_TAKE = Tweet(
    "grinder_take", "2019-01-05T09:12:00", "coffeenerd_kim", "Kim ☕",
    "Hot take: a $30 hand burr grinder beats a $200 blade grinder every single time. "
    "Consistency &gt; gadgets.", location="Portland, OR")

TWEETS_V1: list[Tweet] = [
    Tweet("first_snow", "2018-12-15T14:02:11", "trailmix_tess", "Tess on the trail",
          "First real snow on the ridge today ❄️ Merino socks + the new waterproof boots = "
          "zero cold toes for 6 miles. Thermos of cocoa at the summit &amp; not another soul "
          "up there. #hiking #winter",
          ["hiking", "winter"], ["DvX3kP2WsAAq9Lm"], location="Boulder, CO"),
    Tweet("v60", "2018-12-16T07:45:30", "beanthere_dan", "Dan",
          "Dialed in the V60 this morning: 15g beans, 250g water at 94°C, 3:00 drawdown. "
          "Bright, jammy, a little floral ☕ #pourover #coffee",
          ["pourover", "coffee"], ["DvY8nQeXcAE1tZr"], location="Seattle, WA",
          float_rounded_id=True),
    Tweet("dark_run", "2018-12-18T11:05:00", "runlikejo", "Jo Runs",
          "5am run at -8°C. Frost on my eyebrows, phone in the running belt, LED armband "
          "blinking so drivers actually see me 🏃‍♀️💡 Nobody else out but the snowplows. "
          "#running #winterrunning",
          ["running", "winterrunning"], ["DwA2jR7WkAIu5Hc"], location="Minneapolis, MN"),
    Tweet("neck_pain", "2018-12-19T16:20:45", "wfh_priya", "Priya",
          "Finally fixed my neck pain: laptop stand + external keyboard + a vertical mouse. "
          "Home office v2 is done 🙌 #wfh #homeoffice",
          ["wfh", "homeoffice"], ["DwC9pL0XgAAs3Bn"], location="Austin, TX"),
    Tweet("cookies", "2018-12-23T19:10:02", "crumbs_and_co", "Crumbs & Co",
          "Sunday bake: brown butter chocolate chip cookies. Weighed everything on the scale "
          "for once instead of eyeballing cups and they came out PERFECT 🍪 #baking "
          "#holidaybaking",
          ["baking", "holidaybaking"], ["DwE4tM8WoAEk7Qy", "DwE4tNaWsAAf1Hp"],
          location="Chicago, IL"),
    Tweet("milo", "2018-12-27T13:33:40", "milo_the_corgi", "Milo the Corgi",
          "Milo now refuses to go outside without his fleece jacket. Spoiled? Yes. Warm? Also "
          "yes 🐶❄️ #corgi #dogsinwinter",
          ["corgi", "dogsinwinter"], ["DwG1vN5XQAAy2Pd"], location="Toronto, ON"),
    Tweet("rt_layering", "2018-12-28T08:15:19", "snowshoe_sara", "Sara",
          "", retweet_of=_LAYERING, location="Salt Lake City, UT"),
    Tweet("quote_grinder", "2019-01-06T10:02:55", "mornings_with_ana", "Ana",
          "This. Switched to a hand grinder last month and my $12 beans finally taste like "
          "the bag says they should. Grind right before you brew!",
          quote_of=_GRINDER_TAKE, location="Providence, RI", float_rounded_id=True),
    Tweet("carry_on", "2019-01-08T05:55:12", "nomad_lena", "Lena ✈️",
          "3 weeks in Japan with one carry-on: merino everything, a 10000mAh power bank, a "
          "universal adapter and zero regrets. Airport at 6am, wish me luck ✈️🇯🇵 #onebag "
          "#travel",
          ["onebag", "travel"], ["DwK7xS3WwAUe0Jf"], location="Berlin"),
    Tweet("usb_hub", "2019-01-10T20:41:08", "gearhead_sam", "Sam",
          "New USB-C hub lets me run a 4K monitor, ethernet and the SD card reader off ONE "
          "port on the laptop. Desk cable chaos: solved.",
          images=["DwM2zT9XcAIh6Rg"], location="San Jose, CA"),
    Tweet("frozen_hose", "2019-01-12T17:28:36", "trailmix_tess", "Tess on the trail",
          "My hydration bladder hose froze solid halfway up 🙃 Lesson learned: insulate the "
          "tube or just bring the thermos. Still drank plenty of water at the hut, hiking "
          "thirsty is no fun. #winterhiking",
          ["winterhiking"], ["DwO5bU4WsAAc8Lk"], location="Boulder, CO"),
    Tweet("primer_cafe", "2019-01-14T08:03:21", "cafe_con_nieve", "Lucía",
          "Primer café del día mientras nieva afuera ☕❄️ nada mejor para empezar la mañana "
          "#café #invierno",
          ["café", "invierno"], ["DwQ8dV1XkAEn4Ws"], lang="es", location="Madrid"),
]

_RUN_CLUB = Tweet(
    "night_crew", "2023-01-19T14:00:00", "runclub_nyc", "NYC Run Club",
    "Night run crew: wear something reflective, bring a light, and stay hydrated even when "
    "it's cold. Pace groups for 5k and 10k, hot cocoa after. See you at 7pm by the boathouse! "
    "🌙🏃")

TWEETS_V2: list[Tweet] = [
    Tweet("knees", "2023-01-14T16:02:11", "hikerhank", "Hank",
          "Trekking poles saved my knees on the descent today. 14 km, 900 m of climbing, and a "
          "thermos of soup at the hut. #hiking",
          ["hiking"], ["F1aK9mQWcAA2xPz"], location="Innsbruck"),
    Tweet("kettle", "2023-01-15T08:30:00", "sleepy_barista", "not a morning person",
          "Gooseneck kettle + hand grinder arrived today. I am officially a pour-over person "
          "now ☕ #coffee",
          ["coffee"], ["F1bL2nRXwAEi7Qs"]),
    Tweet("rt_night_crew", "2023-01-19T18:45:09", "sprint_mo", "Mo", "",
          retweet_of=_RUN_CLUB, location="Brooklyn, NY"),
    Tweet("wrists", "2023-01-21T12:12:12", "desk_setup_daily", "Desk Setup Daily",
          "Laptop stand, vertical mouse, one USB-C cable to the hub. My wrists and my neck "
          "both thank me. #desksetup #wfh",
          ["desksetup", "wfh"], ["F1cM5pSWsAIo3Rt"]),
    Tweet("luna", "2023-01-24T22:05:47", "pawsandpaths", "Paws & Paths",
          "Snowy evening walk with Luna: reflective leash and her puffer coat on. She loves "
          "the snow, I love that drivers can see us 🐕❄️ #dogwalk",
          ["dogwalk"], ["F1dN8qTXgAAu6Sv"], location="Montreal, QC"),
    Tweet("macarons", "2023-01-28T15:20:00", "bakewithmo", "Mo bakes",
          "Silicone baking mat = no more parchment paper. Macarons came out with perfect feet "
          "on the first try!! #baking #macarons",
          ["baking", "macarons"], ["F1eP1rUWkAEy9Tw"]),
    Tweet("bus_stop", "2023-02-02T06:50:31", "warmhands_jen", "Jen",
          "It's -15 out there. Hand warmers inside my gloves and a thermos of tea for the bus "
          "stop. Winter in Minnesota is no joke 🥶",
          location="St Paul, MN"),
    Tweet("battery", "2023-02-05T18:11:54", "coastalcommuter", "commuter",
          "Phone died on the train AGAIN. Ordering a power bank tonight, done with the 10% "
          "battery anxiety."),
]

# MMSD train lines: (tweet id, lower-cased tokenised text, sarcasm label).
# The tweet id is also the image's file name (images/<id>.jpg).
MMSD: list[tuple[str, str, int]] = [
    ("826391047815839744",
     "love waking up at 5 am to scrape ice off my car . winter really is the best season "
     "emoji_34  # not", 1),
    ("827104492316315649",
     "<user> nothing says relaxing weekend like a 12 mile hike in freezing rain . 10 / 10 "
     "would recommend <url>", 1),
    ("828223510940356608",
     "my coffee grinder decided to die on a monday morning . perfect timing as always "
     "emoji_12 emoji_12 ", 1),
    ("829577103562334208",
     "great , my dog just rolled in the only mud puddle in the entire park . bath time it "
     "is <url>", 1),
    ("831012286904377344",
     "nothing like a cozy sunday with fresh bread out of the oven and snow outside "
     "emoji_88 <url>", 0),
    ("832455918201364480",
     "<user> working from home means my commute is 10 steps and my coworker is a cat . it 's "
     "great # wfh <url>", 0),
]


def _rank(n: str, cat: str) -> list[str]:
    return [f">#{n} in {cat} (See Top 100 in {cat})"]


_OUT = ["Sports & Outdoors", "Outdoor Recreation"]
_KITCHEN = ["Home & Kitchen", "Kitchen & Dining"]
_OFFICE = ["Electronics", "Computers & Accessories"]
_PETS = ["Pet Supplies", "Dogs"]

# Amazon 2018-style metadata. ``also_buy`` defines the co-buy pairs; some pairs are
# listed from both sides, the thermos lists itself and the socks list an ASIN that has
# no metadata line (B00X4WHP5E).
PRODUCTS: list[dict[str, Any]] = [
    {"asin": "B07H8QJXM2", "title": "Ridgeline Merino Wool Hiking Socks, Cushioned Crew, 3 Pairs",
     "brand": "Ridgeline", "main_cat": "Sports & Outdoors", "price": "$24.99",
     "category": [*_OUT, "Hiking & Outdoor Recreation Clothing", "Men", "Socks"],
     "description": ["Cushioned crew socks knit from 70% merino wool that stay warm when wet "
                     "and don't hold odor on multi-day trips."],
     "feature": ["70% Merino Wool, 27% Nylon, 3% Spandex", "Cushioned heel and toe",
                 "Seamless toe closure", "Machine wash warm"],
     "rank": _rank("3,412", "Sports & Outdoors"), "also_buy": ["B07K2WZP4F", "B00X4WHP5E"],
     "images": ["71mRqk3TzXL"], "high_res": True, "date": "September 3, 2018"},
    {"asin": "B07K2WZP4F", "title": "Summitline Women's Waterproof Mid Hiking Boots",
     "brand": "Summitline", "main_cat": "Sports & Outdoors", "price": "$89.95",
     "category": ["Clothing, Shoes & Jewelry", "Women", "Shoes", "Outdoor", "Hiking & Trekking",
                  "Hiking Boots"],
     "description": ["Full-grain leather mid boots with a waterproof membrane, 200 g "
                     "insulation and a lugged rubber outsole for snow and mud."],
     "feature": ["Waterproof breathable membrane", "200 g Thinsulate insulation",
                 "Lugged rubber outsole", "Padded collar"],
     "rank": _rank("8,120", "Clothing, Shoes & Jewelry"),
     "also_buy": ["B07H8QJXM2", "B075RYJ8CQ"], "images": ["81Hx2bW9pQL"],
     "details": {"\n    Product Dimensions: \n    ": "12 x 8 x 5 inches ; 2.6 pounds",
                 "Shipping Weight:": "3.1 pounds"}, "date": "October 11, 2018"},
    {"asin": "B01N9ZQX8T",
     "title": "Thermaflask Insulated Stainless Steel Vacuum Bottle, 25 oz (750 ml)",
     "brand": "Thermaflask", "main_cat": "Sports & Outdoors", "price": "$27.50",
     "category": [*_OUT, "Camping & Hiking", "Hydration & Filtration", "Thermoses"],
     "description": ["Double-wall vacuum insulation keeps drinks hot for 24 hours or cold for "
                     "48. Leak-proof lid doubles as a cup."],
     "feature": ["18/8 stainless steel", "Hot 24 h / cold 48 h", "Lid doubles as a cup",
                 "BPA free"],
     "rank": _rank("1,905", "Sports & Outdoors"),
     "also_buy": ["B07JHL5RT9", "B01N9ZQX8T"], "images": ["61Vt8cQmYkL"], "high_res": True,
     "date": "January 20, 2017"},
    {"asin": "B07JHL5RT9", "title": "FrostGrip Fleece-Lined Touchscreen Winter Gloves",
     "brand": "FrostGrip", "main_cat": "Sports & Outdoors", "price": "$19.99",
     "category": [*_OUT, "Outdoor Clothing", "Gloves"],
     "description": ["Windproof softshell gloves with a fleece lining, a silicone palm grip "
                     "and conductive thumb and index fingertips."],
     "feature": ["Touchscreen thumb and index finger", "Fleece lining", "Windproof shell",
                 "Silicone grip palm"],
     "rank": _rank("2,733", "Sports & Outdoors"), "also_buy": ["B00SLRB2H6"],
     "images": ["71Zp4dNcRsL"], "date": "October 2, 2018"},
    {"asin": "B00SLRB2H6", "title": "HotPocket Air-Activated Hand Warmers, 10 Pairs",
     "brand": "HotPocket", "main_cat": "Sports & Outdoors", "price": "$12.99",
     "category": [*_OUT, "Camping & Hiking", "Personal Care", "Hand Warmers"],
     "description": ["Odorless single-use warmers that heat up in minutes once opened and "
                     "stay warm for up to 10 hours."],
     "feature": ["Up to 10 hours of heat", "Air-activated, no batteries", "Odorless",
                 "Fits in gloves and pockets"],
     "rank": _rank("412", "Sports & Outdoors"), "also_buy": ["B07JHL5RT9"],
     "images": ["81Ke5fTgWuL"], "date": "November 14, 2014"},
    {"asin": "B075RYJ8CQ", "title": "Trailpeak Collapsible Aluminum Trekking Poles, Pair",
     "brand": "Trailpeak", "main_cat": "Sports & Outdoors", "price": "$34.99",
     "category": [*_OUT, "Camping & Hiking", "Hiking Poles"],
     "description": ["Lightweight 7075 aluminum poles with flip locks, cork grips, and snow "
                     "baskets plus rubber tips included."],
     "feature": ["Flip-lock height 100-135 cm", "Cork grips", "Snow baskets included",
                 "Collapses to 62 cm"],
     "rank": _rank("5,077", "Sports & Outdoors"), "also_buy": ["B06XZ3KQ1P"],
     "images": ["71Bq6gUhXvL"], "date": "August 29, 2017"},
    {"asin": "B06XZ3KQ1P", "title": "AquaTrail 2L Hydration Bladder with Insulated Tube",
     "brand": "AquaTrail", "main_cat": "Sports & Outdoors", "price": "$22.49",
     "category": [*_OUT, "Camping & Hiking", "Hydration & Filtration", "Hydration Packs"],
     "description": ["A 2-liter reservoir with a wide opening, a bite valve and a foam-"
                     "insulated drinking tube."],
     "feature": ["2 L capacity", "Insulated tube", "Wide-mouth opening for ice",
                 "Shut-off bite valve"],
     "rank": _rank("9,860", "Sports & Outdoors"), "also_buy": [], "images": ["61Cr7hViYwL"],
     "date": "March 3, 2017"},
    {"asin": "B01L9TQB8K", "title": "Kyoto Brew Ceramic Pour-Over Coffee Dripper, Size 02",
     "brand": "Kyoto Brew", "main_cat": "Amazon Home", "price": "$21.00",
     "category": [*_KITCHEN, "Coffee, Tea & Espresso", "Coffee Makers", "Pour-Over Coffee Makers"],
     "description": ["A cone dripper with spiral ribs and one large opening; brews 1-4 cups "
                     "and takes size 02 filters."],
     "feature": ["Ceramic, retains heat", "Spiral ribs for even extraction", "Size 02"],
     "rank": _rank("6,201", "Home & Kitchen"), "also_buy": ["B00JW5BQ3M"],
     "images": ["61Ds8jWkZxL"], "high_res": True, "date": "July 17, 2016"},
    {"asin": "B00JW5BQ3M", "title": "Kyoto Brew Paper Coffee Filters, Size 02, 100 Count",
     "brand": "Kyoto Brew", "main_cat": "Amazon Home", "price": "$6.49",
     "category": [*_KITCHEN, "Coffee, Tea & Espresso", "Coffee Filters", "Paper Filters"],
     "description": ["Cone-shaped white paper filters for size 02 drippers."],
     "feature": ["100 filters", "Oxygen-bleached paper", "Fits size 02 cone drippers"],
     "rank": _rank("1,388", "Home & Kitchen"), "also_buy": ["B01L9TQB8K"],
     "images": ["71Et9kXmAyL"], "date": "May 2, 2014"},
    {"asin": "B07B6Q4ZSD", "title": "GrindWell Manual Burr Coffee Grinder with Adjustable Settings",
     "brand": "GrindWell", "main_cat": "Amazon Home", "price": "$29.99",
     "category": [*_KITCHEN, "Coffee, Tea & Espresso", "Coffee Grinders", "Manual Burr Grinders"],
     "description": ["Hand grinder with conical ceramic burrs and 18 click settings from "
                     "espresso to French press."],
     "feature": ["Conical ceramic burrs", "18 grind settings", "Holds 30 g of beans"],
     "rank": _rank("2,940", "Home & Kitchen"), "also_buy": ["B07D7Z1K8X"],
     "images": ["71Fu1mYnBzL"], "date": "February 21, 2018"},
    {"asin": "B07D7Z1K8X",
     "title": "PourPro Electric Gooseneck Kettle with Temperature Control, 1 L",
     "brand": "PourPro", "main_cat": "Amazon Home", "price": "$59.99",
     "category": [*_KITCHEN, "Coffee, Tea & Espresso", "Kettles", "Electric Kettles"],
     "description": ["A 1-liter gooseneck kettle that heats to a set temperature between "
                     "60 and 100 °C and holds it for an hour."],
     "feature": ["Precision gooseneck spout", "Temperature hold 60 min", "1200 W"],
     "rank": _rank("3,106", "Home & Kitchen"), "also_buy": [], "images": ["61Gv2nZpCaL"],
     "date": "June 9, 2018"},
    {"asin": "B01M0SLC2Y", "title": "Precisa Digital Kitchen Scale with Timer, 0.1 g",
     "brand": "Precisa", "main_cat": "Amazon Home", "price": "$15.99",
     "category": [*_KITCHEN, "Kitchen Utensils & Gadgets", "Measuring Tools & Scales",
                  "Digital Scales"],
     "description": ["A flat kitchen scale that weighs to 0.1 g up to 3 kg and has a "
                     "built-in brew timer."],
     "feature": ["0.1 g resolution, 3 kg max", "Built-in timer", "Tare button"],
     "rank": _rank("980", "Home & Kitchen"), "also_buy": ["B01L9TQB8K", "B00BT8VN1U"],
     "images": ["71Hw3pAqDbL"], "date": "November 1, 2016"},
    {"asin": "B00BT8VN1U", "title": "BakeEase Silicone Baking Mat, Half Sheet, Set of 2",
     "brand": "BakeEase", "main_cat": "Amazon Home", "price": "$13.95",
     "category": [*_KITCHEN, "Bakeware", "Baking Mats"],
     "description": ["Food-grade silicone mats with a fiberglass core and printed circles for "
                     "piping macarons; oven safe to 250 °C."],
     "feature": ["Non-stick, no parchment needed", "Macaron circles printed",
                 "Oven safe to 480°F"],
     "rank": _rank("1,744", "Home & Kitchen"), "also_buy": ["B01M0SLC2Y"],
     "images": ["81Jx4qBrEcL"], "date": "March 15, 2013"},
    {"asin": "B07QF6X5WZ", "title": "Stridelite Men's Lightweight Road Running Shoes",
     "brand": "Stridelite", "main_cat": "Sports & Outdoors", "price": "$74.00",
     "category": ["Clothing, Shoes & Jewelry", "Men", "Shoes", "Athletic", "Running",
                  "Road Running"],
     "description": ["A 230 g road shoe with a breathable mesh upper, reflective heel tab and "
                     "responsive foam midsole."],
     "feature": ["Breathable knit mesh", "Reflective heel tab", "8 mm drop"],
     "rank": _rank("11,290", "Clothing, Shoes & Jewelry"), "also_buy": ["B01F3B7Z9S"],
     "images": ["71Ky5rCsFdL"], "date": "April 4, 2019"},
    {"asin": "B01F3B7Z9S", "title": "FlipStride Running Belt Phone Holder with Zipper Pocket",
     "brand": "FlipStride", "main_cat": "Sports & Outdoors", "price": "$16.99",
     "category": [*_OUT, "Running", "Waist Packs"],
     "description": ["A stretch waist belt with a zip pocket that holds a phone, keys and a "
                     "gel without bouncing."],
     "feature": ["Fits phones up to 6.5 inches", "No-bounce stretch fabric",
                 "Reflective trim"],
     "rank": _rank("2,210", "Sports & Outdoors"), "also_buy": ["B075F5Y4ZD"],
     "images": ["61Lz6sDtGeL"], "date": "May 10, 2016"},
    {"asin": "B075F5Y4ZD", "title": "GlowRun Rechargeable LED Armband, Reflective, 2 Pack",
     "brand": "GlowRun", "main_cat": "Sports & Outdoors", "price": "$11.99",
     "category": [*_OUT, "Running", "Safety Lights"],
     "description": ["USB-rechargeable LED bands with steady and flashing modes, visible from "
                     "about 300 m."],
     "feature": ["3 light modes", "USB rechargeable", "Adjustable size fits arm or ankle"],
     "rank": _rank("3,650", "Sports & Outdoors"), "also_buy": ["B01F3B7Z9S"],
     "images": ["71Ma7tEuHfL"], "date": "September 19, 2017"},
    {"asin": "B07D74DT3B", "title": "Elevate Aluminum Laptop Stand, Adjustable Height",
     "brand": "Elevate", "main_cat": "Computers", "price": "$32.99",
     "category": [*_OFFICE, "Laptop Accessories", "Lap Desks & Stands"],
     "description": ["A foldable aluminum stand that raises a 10-17 inch laptop to eye level "
                     "in six height steps."],
     "feature": ["Raises screen up to 15 cm", "Fits 10-17 inch laptops", "Folds flat"],
     "rank": _rank("1,502", "Computers & Accessories"),
     "also_buy": ["B07ZVKTP53", "B01NABDNPH"], "images": ["61Nb8uFvJgL"], "high_res": True,
     "date": "May 28, 2018"},
    {"asin": "B07ZVKTP53",
     "title": "Portlink 7-in-1 USB-C Hub with 4K HDMI, 100W PD, SD Reader",
     "brand": "Portlink", "main_cat": "Computers", "price": "$39.99",
     "category": [*_OFFICE, "USB Hubs"],
     "description": ["An aluminum USB-C hub with 4K HDMI, gigabit ethernet, two USB-A ports, "
                     "SD and microSD slots and 100 W pass-through charging."],
     "feature": ["4K@30Hz HDMI", "Gigabit ethernet", "100 W power delivery"],
     "rank": _rank("2,876", "Computers & Accessories"), "also_buy": ["B07D74DT3B"],
     "images": ["61Pc9vGwKhL"], "date": "December 1, 2019"},
    {"asin": "B01NABDNPH", "title": "ErgoGlide Wireless Vertical Mouse, 2.4G",
     "brand": "ErgoGlide", "main_cat": "Computers", "price": "$25.99",
     "category": [*_OFFICE, "Keyboards, Mice & Accessories", "Mice"],
     "description": ["A vertical mouse held in a handshake grip to ease wrist strain, with "
                     "three DPI levels."],
     "feature": ["57° vertical grip", "800/1200/1600 DPI", "AA battery"],
     "rank": _rank("4,431", "Computers & Accessories"), "also_buy": [],
     "images": ["61Qd1wHxLjL"], "date": "January 7, 2017"},
    {"asin": "B07KXQ9W5N", "title": "Pawsome Fleece-Lined Dog Winter Jacket, Reflective",
     "brand": "Pawsome", "main_cat": "Pet Supplies", "price": "$23.99",
     "category": [*_PETS, "Apparel & Accessories", "Coats & Jackets"],
     "description": ["A water-resistant dog coat with fleece lining, reflective piping and a "
                     "leash opening."],
     "feature": ["Fleece lined", "Reflective piping", "Leash hole", "Sizes XS-XL"],
     "rank": _rank("7,215", "Pet Supplies"), "also_buy": ["B01N4SB6EW"],
     "images": ["71Re2xJyMkL"], "date": "October 20, 2018"},
    {"asin": "B01N4SB6EW", "title": "NightWalk Reflective Dog Leash, 6 ft, Padded Handle",
     "brand": "NightWalk", "main_cat": "Pet Supplies", "price": "",
     "category": [*_PETS, "Collars, Harnesses & Leashes", "Leashes"],
     "description": ["A nylon leash woven with reflective thread, with a padded handle &amp; "
                     "a swivel clip."],
     "feature": ["Reflective stitching", "Padded neoprene handle", "6 ft long"],
     "rank": _rank("3,980", "Pet Supplies"), "also_buy": ["B07KXQ9W5N"],
     "images": ["71Sf3yKzNmL"], "date": "December 12, 2016"},
    {"asin": "B07QXV6N1B", "title": "VoltGo Portable Power Bank 10000mAh, USB-C PD 18W",
     "brand": "VoltGo", "main_cat": "Cell Phones & Accessories", "price": "$21.99",
     "category": ["Cell Phones & Accessories", "Accessories", "Chargers & Power Adapters",
                  "Portable Power Banks"],
     "description": ["A pocket-sized 10000 mAh battery that charges a phone about two and a "
                     "half times."],
     "feature": ["10000 mAh", "18 W USB-C PD", "Charges two devices"],
     "rank": _rank("6,330", "Cell Phones & Accessories"), "also_buy": [],
     "images": ["61Tg4zLaPnL"], "date": "March 30, 2019"},
]
