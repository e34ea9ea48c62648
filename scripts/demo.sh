#!/usr/bin/env bash
# Set up .venv (first run only) and run the main job on the bundled samples:
# check every 2025 report against 2024, build one agency's Word report, compile the city
# (scored by the example pack, with a year-over-year page per agency).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
q=.venv/bin/qtx-report
mkdir -p out
echo "== 校验 2025 年各单位报告（与 2024 年比对）=="
$q check samples/2025 --previous samples/2024 || true
echo
echo "== 生成一个单位的 Word 报告和网页版 =="
$q build samples/2025/市自然资源局.xlsx -o out/青铜峡市自然资源局2025年政府信息公开工作年度报告.docx --html --overwrite
echo
echo "== 全市汇总（按考核细则示例评分，每个单位一页年度对比）=="
$q template --score-pack out/考核细则示例.toml --overwrite
$q city samples/2025 --roster samples/名单.xlsx --previous samples/2024 -o out/2025全市 --overwrite \
    --score out/考核细则示例.toml --compare || true
echo
echo "输出在 out/ 目录。"
