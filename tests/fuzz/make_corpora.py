"""Builds seed corpora for the fuzz targets from the io test fixtures. Usage: make_corpora.py OUT_DIR"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

out = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as fixtures:
    subprocess.check_call([sys.executable, os.path.join(here, "..", "io", "make_fixtures.py"), fixtures])
    groups = {"torch_zip": "*_zip.pt", "torch_legacy": "*_legacy.pt", "safetensors": "*.safetensors",
              "npy": "*.npy"}
    for target, pattern in groups.items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for path in glob.glob(os.path.join(fixtures, pattern)) + glob.glob(os.path.join(fixtures, "expected", pattern)):
            shutil.copy(path, os.path.join(out, target, os.path.basename(path)))
    # The error fixtures are valid torch files of other shapes (whole module, single tensor, no tensors).
    for name in ["whole_module.pt", "single_tensor.pt", "no_tensors.pt"]:
        shutil.copy(os.path.join(fixtures, name), os.path.join(out, "torch_zip", name))

# The hostile cases (tests/hostile/make_hostile.py) as seeds: zero-size dimensions, deep JSON, duplicate keys
# and entry names, stride-0 and aliasing views, zip bombs, bad offsets, deep pickles. Files over 1 MiB are left
# out: libFuzzer's -max_len follows the largest seed and every mutation would cost that much.
MAX_SEED = 1 << 20
prefixes = {"st.": "safetensors", "zip.": "torch_zip", "legacy.": "torch_legacy", "pickle.": "torch_legacy",
            "npy.": "npy"}
with tempfile.TemporaryDirectory() as hostile:
    subprocess.check_call([sys.executable, os.path.join(here, "..", "hostile", "make_hostile.py"), hostile],
                          stdout=subprocess.DEVNULL)
    for name in sorted(os.listdir(hostile)):
        path = os.path.join(hostile, name)
        target = next((t for p, t in prefixes.items() if name.startswith(p)), None)
        if target and os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) <= MAX_SEED:
            shutil.copy(path, os.path.join(out, target, "hostile-" + name))
