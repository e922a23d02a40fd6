#!/usr/bin/env bash
# Renders the PNG sizes of the icon from its SVG (rsvg-convert, Debian package librsvg2-bin). The PNGs are
# committed so that a build needs no SVG renderer; run this after editing the SVG.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" io.github.resnest_inspector.Inspector.svg -o "io.github.resnest_inspector.Inspector-$size.png"
done
