"""make bench's large tree: 50 menus of 10 options (every digit key) in the demo's languages,
leading to the demo's planets, as a fixture loaded beside the demo's own tree.

A help line of its own number (NUMBER) starts at its main menu; seven topics below it, six of
them with seven subjects each (1 + 7 + 42 = 50 menus). Every menu reads its ten options out;
between them they do every kind of action.
"""

import json
from pathlib import Path

MENUS = 50
# Our number whose callers start at the tree's main menu (the demo's calls keep "main").
NUMBER = "+18005550150"
ROOT = "tree-00"
LANGUAGES = ("en-GB", "ja-JP")
PLANETS = {
    "Brodo Asogi": "ブロド・アソギ",
    "Dagobah": "ダゴバ",
    "Oober asteroid": "ウーバー小惑星",
}
# (English, Japanese): the topics under the main menu (the last has no subjects), then the
# subjects under each of the others.
TOPICS = (
    ("Travel", "旅行"),
    ("Cargo", "貨物"),
    ("Billing", "料金"),
    ("Repairs", "修理"),
    ("Embassies", "大使館"),
    ("Lost property", "忘れ物"),
    ("Space weather", "宇宙天気"),
)
SUBJECTS = (
    ("bookings", "予約"),
    ("timetables", "時刻表"),
    ("changes", "変更"),
    ("complaints", "苦情"),
    ("forms", "書類"),
    ("addresses", "所在地"),
    ("news", "お知らせ"),
)
BRANCHES = len(SUBJECTS)


def slug(n: int) -> str:
    return f"tree-{n:02d}"


def children(n: int) -> list[int]:
    """The menus below menu n (numbered breadth first: the main menu is 0)."""
    first = BRANCHES * n + 1
    return [child for child in range(first, first + BRANCHES) if child < MENUS]


def parent(n: int) -> int:
    return (n - 1) // BRANCHES


def leaves() -> list[int]:
    """The menus with no menus below them."""
    return [n for n in range(1, MENUS) if not children(n)]


def name(n: int) -> tuple[str, str]:
    """Menu n's name in English and Japanese."""
    if n == 0:
        return "Help line", "ヘルプライン"
    if parent(n) == 0:
        return TOPICS[n - 1]
    topic, subject = TOPICS[parent(n) - 1], SUBJECTS[(n - 1) % BRANCHES]
    return f"{topic[0]} {subject[0]}", f"{topic[1]}の{subject[1]}"


def _subject(n: int) -> tuple[str, str]:
    """What menu n is called in its parent's options: its topic, or its subject."""
    return TOPICS[n - 1] if parent(n) == 0 else SUBJECTS[(n - 1) % BRANCHES]


def _planet(n: int) -> str:
    return list(PLANETS)[n % len(PLANETS)]


def _option(key, action, text, words=None, said=None, **targets) -> dict:
    """An option: its action and targets, sentence and words per language, message if any."""
    return {
        "key": key,
        "action": action,
        "targets": targets,
        "text": dict(zip(LANGUAGES, text, strict=True)) if text else {},
        "words": dict(zip(LANGUAGES, words, strict=True)) if words else {},
        "said": dict(zip(LANGUAGES, said, strict=True)) if said else {},
    }


def _to_menu(key: str, n: int, text: tuple[str, str], words) -> dict:
    return _option(key, "menu", text, words, target_menu=[slug(n)])


def _planet_options(n: int, put_through: str, message: str = "") -> list[dict]:
    """Put through to the menu's planet; take a message for it (when message is its key)."""
    planet = _planet(n)
    english, japanese = planet, PLANETS[planet]
    options = [
        _option(
            put_through,
            "planet",
            (
                f"To speak to someone on {english}, press {{key}}.",
                f"{japanese}の担当者は{{key}}を押してください。",
            ),
            (["operator", "a person"], ["オペレーター", "担当者"]),
            target_planet=[planet],
        )
    ]
    if message:
        options.append(
            _option(
                message,
                "voicemail",
                (
                    f"To leave a message for {english}, press {{key}}.",
                    f"{japanese}への伝言は{{key}}を押してください。",
                ),
                (["message", "leave a message"], ["メッセージ", "伝言"]),
                target_planet=[planet],
            )
        )
    return options


def _options(n: int) -> list[dict]:
    """Menu n's ten options, keys 1 to 9 then 0."""
    english, japanese = name(n)
    main_menu = _to_menu(
        "0",
        0,
        ("For the main menu, press {key}.", "メインメニューは{key}を押してください。"),
        (["main menu"], ["メインメニュー"]),
    )
    below = [
        _to_menu(
            str(key),
            child,
            (
                f"For {_subject(child)[0]}, press {{key}}.",
                f"{_subject(child)[1]}は{{key}}を押してください。",
            ),
            ([_subject(child)[0]], [_subject(child)[1]]),
        )
        for key, child in enumerate(children(n), start=1)
    ]
    if n == 0:
        return [
            *below,
            _option("8", "language", None, target_language=["en-GB"]),
            _option("9", "language", None, target_language=["ja-JP"]),
            _option(
                "0",
                "directory",
                ("To call a planet, press {key}.", "惑星に電話をかけるには{key}を押してください。"),
                (["planets", "call a planet"], ["惑星", "惑星に電話"]),
            ),
        ]
    if below:
        about = _option(
            "8",
            "announce",
            (
                f"To hear about {english}, press {{key}}.",
                f"{japanese}のご案内は{{key}}を押してください。",
            ),
            (["information"], ["ご案内"]),
            said=(
                [f"Our {english} desk answers every call within one Earth day."],
                [f"{japanese}の窓口は、地球時間で一日以内にお答えします。"],
            ),
            target_menu=[slug(n)],
        )
        return [*below, about, *_planet_options(n, "9"), main_menu]
    summary = (
        (["{directions}"], ["{directions}"])
        if _subject(n)[0] == "addresses"
        else (
            [f"{english}: our agents answer within one Earth day.", "Goodbye."],
            [f"{japanese}：担当者が地球時間で一日以内にお答えします。", "失礼いたします。"],
        )
    )
    return [
        _option(
            "1",
            "announce",
            (
                f"For a summary of {english}, press {{key}}.",
                f"{japanese}の概要は{{key}}を押してください。",
            ),
            (["summary"], ["概要"]),
            said=summary,
        ),
        _option(
            "2",
            "announce",
            ("For the latest news, press {key}.", "最新のお知らせは{key}を押してください。"),
            (["latest news"], ["最新情報"]),
            said=(
                [f"There is no news about {english} today."],
                [f"本日、{japanese}のお知らせはありません。"],
            ),
            target_menu=[slug(parent(n))],
        ),
        _option(
            "3",
            "announce",
            ("For opening times, press {key}.", "営業時間は{key}を押してください。"),
            (["opening times", "hours"], ["営業時間"]),
            said=(
                ["We are open from nine to five, Earth time."],
                ["営業時間は地球時間の九時から五時です。"],
            ),
            target_menu=[slug(n)],
        ),
        *_planet_options(n, "4", "5"),
        _option(
            "6",
            "directory",
            (
                "To call another planet, press {key}.",
                "ほかの惑星に電話するには{key}を押してください。",
            ),
            (["planets", "call a planet"], ["惑星", "惑星に電話"]),
        ),
        _option(
            "7",
            "hang_up",
            ("To end the call, press {key}.", "お電話を終えるには{key}を押してください。"),
            (["goodbye", "hang up"], ["さようなら", "終わり"]),
        ),
        _option("8", "language", None, target_language=["ja-JP"]),
        _to_menu(
            "9",
            parent(n),
            ("To go back, press {key}.", "前のメニューは{key}を押してください。"),
            (["back", "go back"], ["戻る"]),
        ),
        main_menu,
    ]


def fixture() -> list[dict]:
    """The tree and its number, as loaddata takes it (natural keys: loading it twice is
    harmless). The demo fixture must be loaded first."""
    menus, prompts, options, texts, words, said = [], [], [], [], [], []
    for n in range(MENUS):
        english, japanese = name(n)
        menus.append(
            {
                "model": "directory.menu",
                "fields": {"name": english, "slug": slug(n), "is_default": False},
            }
        )
        welcome = (
            (
                "Welcome to the E T Phone Home help line.",
                "イーティー・フォン・ホームのヘルプラインです。",
            )
            if n == 0
            else (f"{english}.", f"{japanese}です。")
        )
        for language, text in zip(LANGUAGES, welcome, strict=True):
            prompts.append(
                {
                    "model": "directory.menuprompt",
                    "fields": {"menu": [slug(n)], "language": [language], "text": text},
                }
            )
        for position, option in enumerate(_options(n), start=1):
            key = [slug(n), option["key"]]
            targets = {"target_menu": None, "target_planet": None, "target_language": None}
            options.append(
                {
                    "model": "directory.option",
                    "fields": {
                        "menu": [slug(n)],
                        "key": option["key"],
                        "position": 10 * position,
                        "action": option["action"],
                        **targets,
                        **option["targets"],
                    },
                }
            )
            for language, text in option["text"].items():
                texts.append(
                    {
                        "model": "directory.optiontext",
                        "fields": {"option": key, "language": [language], "text": text},
                    }
                )
            for language, phrases in option["words"].items():
                words += [
                    {
                        "model": "directory.optionword",
                        "fields": {"option": key, "language": [language], "phrase": phrase},
                    }
                    for phrase in phrases
                ]
            for language, sentences in option["said"].items():
                said += [
                    {
                        "model": "directory.announcement",
                        "fields": {
                            "option": key,
                            "language": [language],
                            "position": 10 * position,
                            "text": text,
                        },
                    }
                    for position, text in enumerate(sentences, start=1)
                ]
    number = {
        "model": "directory.callednumber",
        "fields": {"number": NUMBER, "language": ["en-GB"], "entry_menu": [ROOT]},
    }
    return [*menus, *prompts, *options, *texts, *words, *said, number]


def write(path: Path) -> Path:
    """The fixture as a JSON file for loaddata."""
    path.write_text(json.dumps(fixture(), ensure_ascii=False, indent=1))
    return path
