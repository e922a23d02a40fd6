"""Exports killed mid-write (kill -9 of the CLI at spread-out moments) leave each final name absent, the
previous file, or the complete new one: never a torn file under the name the user chose."""
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

import numpy as np

CLI = os.environ["RESNEST_CLI"]
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "resources", "demo", "samples")
FIRST = os.path.join(SAMPLES, "digits-scene-1.jpg")
SECOND = os.path.join(SAMPLES, "digits-scene-2.jpg")
VIDEO = os.path.join(SAMPLES, "digits-video.avi")
KILLS = int(os.environ.get("KILLED_EXPORTS_RUNS", "8"))


def npz_arrays(path):
    with np.load(path) as z:
        return {k: z[k].copy() for k in z.files}


def same_npz(a, b):
    x, y = npz_arrays(a), npz_arrays(b)
    return x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)


def same_bytes(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def same_json(a, b):
    with open(a) as f, open(b) as g:
        return json.load(f) == json.load(g)


def readable_as(compare, path, reference):
    try:
        return compare(path, reference)
    except Exception:  # a torn file may fail to parse in any way
        return False


# kind: (command with OUT placeholders, outputs (placeholder, suffix, comparison))
KINDS = {
    "npz": (["export", "IMAGE", "--out", "OUT0"], [("OUT0", ".npz", same_npz)]),
    "png": (["segment", "IMAGE", "--overlay", "OUT0"], [("OUT0", ".png", same_bytes)]),
    "json+csv": (["attention-stats", "IMAGE", "--out", "OUT0", "--csv", "OUT1"],
                 [("OUT0", ".json", same_json), ("OUT1", ".csv", same_bytes)]),
    "video": (["render-video", "IMAGE", "--out", "OUT0"], [("OUT0", ".avi", same_bytes)]),
}
# What each kind exports from (the new file), and how its different previous file is made: by the export from
# the second input, or for a video, a copy of the input video itself (any other complete .avi will do).
INPUTS = {"video": (VIDEO, None)}


class KilledExportsTest(unittest.TestCase):
    def run_export(self, kind, image, outs, kill_after=None):
        command, _ = KINDS[kind]
        args = [CLI] + [image if a == "IMAGE" else outs.get(a, a) for a in command]
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if kill_after is None:
            _, err = p.communicate(timeout=600)
            self.assertEqual(p.returncode, 0, err.decode())
            return
        time.sleep(kill_after)
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=60)

    def check_kind(self, kind):
        _, outputs = KINDS[kind]
        with tempfile.TemporaryDirectory() as d:
            def names(tag):
                return {ph: os.path.join(d, f"{tag}{suffix}") for ph, suffix, _ in outputs}

            # Complete references: the new export (first scene) and a different previous one (second scene).
            reference, previous = names("reference"), names("previous")
            first, second = INPUTS.get(kind, (FIRST, SECOND))
            start = time.monotonic()
            self.run_export(kind, first, reference)
            full = time.monotonic() - start
            if second is None:
                for path in previous.values():
                    with open(first, "rb") as f, open(path, "wb") as g:
                        g.write(f.read())
            else:
                self.run_export(kind, second, previous)
            compare = {ph: cmp for ph, _, cmp in outputs}
            for i in range(KILLS):
                delay = full * (i + 0.5) / KILLS
                for with_previous in (False, True):
                    target = names(f"run{i}{'p' if with_previous else ''}")
                    if with_previous:
                        for ph, path in target.items():
                            with open(previous[ph], "rb") as f, open(path, "wb") as g:
                                g.write(f.read())
                    self.run_export(kind, first, target, kill_after=delay)
                    for ph, path in target.items():
                        with self.subTest(kind=kind, delay=round(delay, 2), previous=with_previous, file=ph):
                            if not os.path.exists(path):
                                self.assertFalse(with_previous, "the previous file vanished")
                                continue
                            is_new = readable_as(compare[ph], path, reference[ph])
                            is_old = with_previous and readable_as(compare[ph], path, previous[ph])
                            self.assertTrue(is_new or is_old, f"{path} is torn")

    def test_npz(self):
        self.check_kind("npz")

    def test_png(self):
        self.check_kind("png")

    def test_json_and_csv(self):
        self.check_kind("json+csv")

    def test_video(self):
        self.check_kind("video")


if __name__ == "__main__":
    unittest.main(verbosity=2)
