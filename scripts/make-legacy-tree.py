#!/usr/bin/env python3
"""Writes two trees of the same text for the encodings benchmark (#16): OUT/legacy, each file in
the legacy encoding of its language (windows-1252, Shift_JIS, EUC-JP, GBK, Big5, EUC-KR), and
OUT/utf8, the same files as UTF-8. About SIZE_MB megabytes of legacy files, in files of 20 to
300 KB, from a fixed seed: the same trees on every run.

Usage: scripts/make-legacy-tree.py OUT [SIZE_MB]   (default 100)
Then:  trawl -E auto OUT/legacy txt PATTERN   against   trawl OUT/utf8 txt PATTERN
"""

import os
import random
import sys

SENTENCES = {
    "windows-1252": [
        "Le café est très bon, dit la naïve Zoé à l'hôtel.",
        "Ça coûte trois euros au café du coin ; quelle idée naïve !",
        "Où est la bibliothèque ? À côté de l'église, près du marché.",
        "Les élèves préfèrent étudier le français à la médiathèque.",
        "Über den Wolken muss die Freiheit wohl grenzenlos sein, sagt Jürgen.",
        "El niño comió una manzana en el jardín con su señora madre.",
    ],
    "shift_jis": [
        "日本語のテキストです。東京で会いましょう。",
        "これは日本語の文章で、ひらがなとカタカナと漢字を使います。",
        "今日は天気がいいので、公園へ散歩に行きました。",
        "会議は午後三時から始まります。資料を準備してください。",
        "新しいプログラムの設計について話し合いました。",
    ],
    "euc-jp": [
        "日本語の文書を検索するためのテストです。",
        "彼は毎朝駅まで歩いて、電車で会社に通っています。",
        "図書館で本を借りて、週末に読むつもりです。",
        "この関数は文字列を受け取り、結果を返します。",
    ],
    "gbk": [
        "中文文本，我们明天在北京见面。我喜欢学习中文。",
        "这个程序可以在文件中搜索文字，速度非常快。",
        "今天天气很好，我们去公园散步吧。",
        "请把会议的资料准备好，下午三点开始。",
        "软件开发需要耐心和细心，也需要团队合作。",
    ],
    "big5": [
        "中文文本，我們明天在台北見面。我喜歡學習中文。",
        "這個程式可以在檔案中搜尋文字，速度非常快。",
        "今天天氣很好，我們去公園散步吧。",
        "請把會議的資料準備好，下午三點開始。",
    ],
    "euc-kr": [
        "한국어 텍스트입니다. 서울에서 만나요.",
        "모든 사람은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다.",
        "오늘은 날씨가 좋아서 공원에 산책하러 갔습니다.",
        "이 프로그램은 파일에서 글자를 빠르게 찾습니다.",
        "회의는 오후 세 시에 시작합니다. 자료를 준비해 주세요.",
    ],
}
# ASCII that every language's files share: source-like lines, and a rare needle.
ASCII = [
    "    let result = search(&request, options)?;",
    "    // TODO: handle the error case properly",
    "fn main() { println!(\"hello\"); }",
    "    return value + 1;",
]


def main():
    out = sys.argv[1]
    size = int(sys.argv[2] if len(sys.argv) > 2 else 100) * 1_000_000
    rng = random.Random(16)
    written = 0
    index = 0
    encodings = list(SENTENCES)
    while written < size:
        encoding = encodings[index % len(encodings)]
        target = rng.randint(20_000, 300_000)
        lines = []
        length = 0
        while length < target:
            if rng.random() < 0.3:
                line = rng.choice(ASCII)
            else:
                line = " ".join(rng.choice(SENTENCES[encoding]) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.001:
                line += " needle_16"
            lines.append(line)
            length += len(line.encode(encoding))
        text = "\n".join(lines) + "\n"
        name = f"d{index % 40:02}/{encoding}-{index:05}.txt"
        for tree, codec in (("legacy", encoding), ("utf8", "utf-8")):
            path = os.path.join(out, tree, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(text.encode(codec))
        written += len(text.encode(encoding))
        index += 1
    print(f"{index} files, {written / 1e6:.1f} MB of legacy text in {out}/legacy, the same as UTF-8 in {out}/utf8")


if __name__ == "__main__":
    main()
