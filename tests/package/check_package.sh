#!/usr/bin/env bash
# The Debian package, built from this build tree, unpacked into an empty root and run from there: the
# programs must find their resources in the package, not in the source tree, and the package must pass the
# Debian and freedesktop checks. Usage: check_package.sh BUILD_DIR VERSION
set -euo pipefail
build=$1
version=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/*.deb)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb -f "$deb" Package Version Architecture Depends
root=$work/root
dpkg-deb -x "$deb" "$root"
bin=$root/usr/bin
share=$root/usr/share/resnest-inspector

# Command-line programs: version, help, and a real run on the bundled demo model.
[ "$("$bin/resnest-cli" --version)" = "resnest-cli $version" ] || fail "resnest-cli --version"
[ "$("$bin/resnest-train" --version)" = "resnest-train $version" ] || fail "resnest-train --version"
"$bin/resnest-cli" --help >/dev/null || fail "resnest-cli --help"
"$bin/resnest-cli" detect "$share/demo/samples/digits-scene-1.jpg" --json >"$work/detections.json" 2>"$work/detect.err" \
  || { cat "$work/detect.err"; fail "resnest-cli detect"; }
# The model it used is the package's own copy.
grep -q "bundled demo model $share/demo/models/digits-detect.safetensors" "$work/detect.err" \
  || { cat "$work/detect.err"; fail "resnest-cli did not use the package's demo model"; }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d) >= 3, d" "$work/detections.json" \
  || fail "too few detections"
echo "resnest-cli detect: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/detections.json") detections"

# The app: --version without a display, then the real window offscreen on its bundled defaults.
if [ -x "$bin/resnest-inspector" ]; then
  env -u DISPLAY -u QT_QPA_PLATFORM "$bin/resnest-inspector" --version | grep -qx "ResNeSt Inspector $version" \
    || fail "resnest-inspector --version"
  env HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" QT_QPA_PLATFORM=offscreen \
    timeout 300 "$bin/resnest-inspector" --defaults --screenshot "$work/window.png" >"$work/app.log" 2>&1 \
    || { cat "$work/app.log"; fail "resnest-inspector --screenshot"; }
  [ -s "$work/window.png" ] || fail "no screenshot"
  echo "resnest-inspector: window drawn ($(stat -c %s "$work/window.png") bytes of PNG)"
  desktop-file-validate "$root"/usr/share/applications/*.desktop || fail "desktop-file-validate"
  appstreamcli validate --no-net "$root"/usr/share/metainfo/*.metainfo.xml || fail "appstreamcli validate"
  [ -f "$root/usr/share/mime/packages/io.github.resnest_inspector.Inspector.xml" ] || fail "no MIME types"
  [ -f "$root/usr/share/icons/hicolor/scalable/apps/io.github.resnest_inspector.Inspector.svg" ] || fail "no icon"
fi
for page in resnest-cli resnest-train resnest-inspector; do
  if [ -x "$bin/$page" ]; then
    [ -f "$root/usr/share/man/man1/$page.1.gz" ] || fail "no man page for $page"
  fi
done
bash -n "$root/usr/share/bash-completion/completions/resnest-cli" || fail "bash completion"

# Debian's own checks: errors fail the test; warnings and notes are printed (docs/packaging.md explains them).
lintian --no-tag-display-limit --fail-on error "$deb" | tee "$work/lintian.txt" || fail "lintian reports errors"
echo "lintian: $(grep -c '^E:' "$work/lintian.txt" || true) errors, $(grep -c '^W:' "$work/lintian.txt" || true) warnings"
echo "package checks passed"
