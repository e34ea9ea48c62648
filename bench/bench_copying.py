"""Benchmark: copying across agencies (`city.copying`) for N agencies, side by side with reading the
same texts.

    .venv/bin/python bench/bench_copying.py [--sizes 500 5000] [--repeat 3] [--quick]

The texts are made here, like the samples' and real reports: each agency's 总体情况 (about 600
characters) and 存在的主要问题 (about 220) open with the form's sentence (条例, the statistics
period), take two or three sentences of the city's common wording (a pool of 40 sentences cut from
samples/2025, each used by about a fifth of the agencies), and go on with sentences of their own
(random characters of the samples' alphabet); 1 % of the agencies copy another's 总体情况 with one
sentence changed, 1 % its 存在的主要问题. Each report is written once as report JSON (synthetic
tables, these texts) into `$TMPDIR/qtx-bench-copying/nN/`.

Rows, interleaved, medians of `--repeat` rounds in one process:
- read: every file loaded as the city's workers load it (`load_report`, to the validated report);
- raw read: every file's bytes read and parsed with `json.loads`, the two texts taken (the floor);
- copying: `city.copying.copying` over the texts in memory, as the compile runs it: the runs hashed,
  indexed and counted, the pairs' shares and passages (its peak memory by tracemalloc).
Goal (bench/README.md): copying ≤ 1.5 × the read.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qtx_report import synth  # noqa: E402
from qtx_report.city.copying import Entry, copying  # noqa: E402
from qtx_report.read.load import load_report  # noqa: E402

OPENING = ("根据《中华人民共和国政府信息公开条例》规定，现公布本单位2025年度政府信息公开工作年度报告。"
           "本报告中所列数据的统计期限自2025年1月1日起至2025年12月31日止。")
COPY_SHARE = 0.01


def sample_sentences() -> tuple[list[str], str]:
    """The sentences of the samples' texts (the common wording) and their alphabet."""
    text = ""
    for path in sorted((ROOT / "samples" / "2025").glob("*.xlsx")):
        report = load_report(path).report
        text += report.overview + report.problems
    sentences = sorted({s for s in re.findall(r"[^。；]{12,60}[。；]", text)})
    alphabet = "".join(sorted({c for c in text if "\u4e00" <= c <= "\u9fff"}))
    return random.Random(7).sample(sentences, 40), alphabet


def own_sentence(rng: random.Random, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(30, 60))) + "。"


def texts_for(n: int) -> list[tuple[str, str]]:
    rng = random.Random(n)
    common, alphabet = sample_sentences()
    texts = []
    for _ in range(n):
        overview = OPENING + "".join(rng.sample(common, 3))
        while len(overview) < 600:
            overview += own_sentence(rng, alphabet)
        problems = rng.choice(common) + own_sentence(rng, alphabet) + own_sentence(rng, alphabet) + own_sentence(
            rng, alphabet)
        texts.append((overview, problems))
    for section in (0, 1):
        for i in rng.sample(range(n), max(1, int(n * COPY_SHARE))):
            source = list(texts[rng.randrange(n)])
            sentences = re.findall(r"[^。]+。", source[section])
            sentences[rng.randrange(len(sentences))] = own_sentence(rng, alphabet)
            copied = list(texts[i])
            copied[section] = "".join(sentences)
            texts[i] = (copied[0], copied[1])
    return texts


def folder_of(n: int) -> Path:
    folder = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "qtx-bench-copying" / f"n{n}"
    if len(list(folder.glob("*.json"))) == n:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i, (overview, problems) in enumerate(texts_for(n)):
        report = synth.report(f"青铜峡市第{i:05d}单位", 2025, "2021", i, size=3)
        report = report.model_copy(update={"overview": overview, "problems": problems})
        (folder / f"{i:05d}.json").write_text(report.model_dump_json(), encoding="utf-8")
    return folder


def read_all(paths: list[Path]) -> list[Entry]:
    entries = []
    for path in paths:
        report = load_report(path).report
        entries.append(Entry(report.agency, path.name, report.agency, (report.overview, report.problems)))
    return entries


def raw_read(paths: list[Path]) -> list[tuple[str, str]]:
    out = []
    for path in paths:
        data = json.loads(path.read_bytes())
        out.append((data["overview"], data["problems"]))
    return out


def timed(func, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = func(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20 agencies, once (the CI's run): that the bench runs, "
                        "not its times")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeat = [20], 1
    print(f"{'N':>6} {'read s':>8} {'raw read s':>10} {'copying s':>9} {'ratio':>7} {'pairs':>6} {'peak MB':>8}")
    for n in args.sizes:
        paths = sorted(folder_of(n).glob("*.json"))
        entries = read_all(paths)  # warm up: imports, the disk cache
        copying(entries, 0.5)
        reads, raws, copies = [], [], []
        for _ in range(args.repeat):
            reads.append(timed(read_all, paths)[0])
            raws.append(timed(raw_read, paths)[0])
            seconds, found = timed(copying, entries, 0.5)
            copies.append(seconds)
        tracemalloc.start()
        copying(entries, 0.5)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        read, copy = statistics.median(reads), statistics.median(copies)
        print(f"{n:>6} {read:8.2f} {statistics.median(raws):10.2f} {copy:9.2f} {copy / read:6.2f}× "
              f"{len(found):>6} {peak:8.1f}")


if __name__ == "__main__":
    main()
