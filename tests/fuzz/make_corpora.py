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
