#!/usr/bin/env bash
# Convert a built report (.docx) to one PNG per page, to look at it without Word.
#   scripts/preview.sh 报告.docx [输出文件夹] [分辨率dpi]
# Needs LibreOffice (soffice) and pdftoppm (poppler-utils). Uses templates/fonts.conf so the GB
# fonts the template names (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体) fall back to Noto CJK.
set -euo pipefail
if [[ $# -lt 1 || ! -f "$1" ]]; then
  echo "用法：scripts/preview.sh 报告.docx [输出文件夹] [分辨率dpi]" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docx="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="${2:-${docx%.docx}_pages}"
dpi="${3:-80}"
soffice="$(command -v soffice || command -v libreoffice || true)"
if [[ -z "$soffice" ]]; then echo "未安装 LibreOffice（soffice）。" >&2; exit 2; fi
if ! command -v pdftoppm >/dev/null; then echo "未安装 pdftoppm（poppler-utils）。" >&2; exit 2; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$docx" "$work/report.docx"
FONTCONFIG_FILE="$here/templates/fonts.conf" "$soffice" --headless --norestore --nologo \
  "-env:UserInstallation=file://$work/profile" --convert-to pdf --outdir "$work" "$work/report.docx" >/dev/null
mkdir -p "$out"
rm -f "$out"/page-*.png
pdftoppm -r "$dpi" -png "$work/report.pdf" "$out/page"
cp "$work/report.pdf" "$out/report.pdf"
ls "$out"/page-*.png
