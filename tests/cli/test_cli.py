"""Command-line behaviour of resnest-cli: outputs that parse, and bad input that fails cleanly."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

import numpy as np
import torch

CLI = os.environ["RESNEST_CLI"]


def run(*args, expect=0):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)
    if expect is not None and p.returncode != expect:
        raise AssertionError(f"{args}: exit {p.returncode}, expected {expect}\nstdout:{p.stdout}\nstderr:{p.stderr}")
    return p


def read_json(path):
    with open(path) as f:
        return json.load(f)


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        # Checkpoints come from the independent Python reference, saved by torch itself.
        from importlib import util
        here = os.path.dirname(os.path.abspath(__file__))
        spec = util.spec_from_file_location("resnest_ref", os.path.join(here, "..", "parity", "resnest_ref.py"))
        cls.ref = util.module_from_spec(spec)
        spec.loader.exec_module(cls.ref)

    @classmethod
    def npy(cls, array, name="x.npy"):
        path = os.path.join(cls.dir, name)
        np.save(path, array)
        return path

    PHOTO = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"

    def heads_checkpoint(self, task):
        """A random-weight torchvision-layout checkpoint of the heads' Python reference."""
        here = os.path.dirname(os.path.abspath(__file__))
        sys.path.insert(0, os.path.join(here, "..", "heads"))
        sys.path.insert(0, os.path.join(here, "..", "parity"))
        import heads_ref
        if task == "segment":
            _, sd = heads_ref.build_segmenter("resnest14d", 21, "tv-aux")
        else:
            _, sd = heads_ref.build_random_detector("resnest14d", 91, "mask", min_size=200, max_size=320)
        path = os.path.join(self.dir, task + ".pth")
        torch.save({"model": sd}, path)
        return path

    def test_segment_json_overlay_and_info(self):
        ckpt = self.heads_checkpoint("segment")
        info = json.loads(run("info", ckpt, "--json").stdout)
        self.assertEqual(info["task"], "segment")
        self.assertEqual(info["layout"], "torchvision")
        self.assertEqual(info["classes"], 21)
        self.assertEqual(info["dataset"], "voc")
        overlay = os.path.join(self.dir, "seg.png")
        out = json.loads(run("segment", self.PHOTO, "--weights", ckpt, "--overlay", overlay, "--short-side", "160",
                             "--json").stdout)
        self.assertEqual((out[0]["width"], out[0]["height"]), (548, 342))
        self.assertAlmostEqual(sum(c["fraction"] for c in out[0]["classes"]), 1.0, places=6)
        self.assertTrue(os.path.getsize(overlay) > 1000)
        # A bad image among good ones: an error entry, exit status 1, the others still done.
        p = run("segment", self.PHOTO, os.path.join(self.dir, "missing.jpg"), "--weights", ckpt, "--json",
                "--short-side", "96", expect=1)
        entries = json.loads(p.stdout)
        self.assertIn("classes", entries[0])
        self.assertIn("error", entries[1])

    def test_detect_coco_results_filters_and_overlay(self):
        ckpt = self.heads_checkpoint("detect")
        info = json.loads(run("info", ckpt, "--json").stdout)
        self.assertEqual((info["task"], info["classes"], info["dataset"]), ("detect", 91, "coco"))
        common = ["--weights", ckpt, "--min-size", "200", "--max-size", "320", "--score-threshold", "0",
                  "--max-detections", "7", "--json"]
        dets = json.loads(run("detect", self.PHOTO, *common).stdout)
        # Detections of torchvision's "N/A" slots have no COCO category and stay out of the results file.
        self.assertTrue(1 <= len(dets) <= 7, len(dets))
        for d in dets:
            self.assertEqual(d["image_id"], 0)
            self.assertEqual(len(d["bbox"]), 4)
            self.assertEqual(d["segmentation"]["size"], [342, 548])
            self.assertIsInstance(d["segmentation"]["counts"], str)
        self.assertEqual([d["score"] for d in dets], sorted((d["score"] for d in dets), reverse=True))
        # --only keeps one class; COCO's category id of "person" is 1.
        person = json.loads(run("detect", self.PHOTO, *common, "--only", "person").stdout)
        self.assertTrue(all(d["category_id"] == 1 for d in person))
        polys = json.loads(run("detect", self.PHOTO, *common, "--masks", "polygon").stdout)
        self.assertTrue(all(isinstance(d["segmentation"], list) for d in polys))
        overlay = os.path.join(self.dir, "det.png")
        run("detect", self.PHOTO, *common, "--overlay", overlay)
        self.assertTrue(os.path.getsize(overlay) > 1000)
        self.assertIn("no class", run("detect", self.PHOTO, *common, "--only", "unicorn", expect=1).stderr)
        # export: boxes / scores / labels / masks of the image plus the body's attention.
        out = os.path.join(self.dir, "det.npz")
        run("export", self.PHOTO, "--weights", ckpt, "--out", out, "--min-size", "200", "--max-size", "320",
            "--score-threshold", "0", "--max-detections", "5")
        with np.load(out) as z:
            self.assertEqual(z["boxes"].shape, (5, 4))
            self.assertEqual(z["masks"].shape, (5, 342, 548))
            self.assertEqual(z["labels"].dtype, np.int64)
            self.assertIn("attention/layer4.0", z.files)

    def test_help_and_unknown_command(self):
        self.assertIn("usage", run("--help").stdout)
        p = run("frobnicate", expect=2)
        self.assertIn("unknown command", p.stderr)

    def test_unknown_option_is_an_error(self):
        p = run("bench", "--arch", "resnest14d", "--sise", "64", expect=1)
        self.assertIn("unknown option --sise", p.stderr)

    def test_bench_json(self):
        p = run("bench", "--arch", "resnest14d", "--size", "64", "--iterations", "2", "--warmup", "1", "--json")
        j = json.loads(p.stdout)
        self.assertGreater(j["median_ms"], 0)
        self.assertGreater(j["throughput_ips"], 0)
        self.assertEqual(j["arch"], "resnest14d")

    def test_export_writes_every_block(self):
        out = os.path.join(self.dir, "e.npz")
        x = np.random.default_rng(0).standard_normal((2, 3, 64, 64))
        run("export", "--arch", "resnest26d", "--input-tensor", self.npy(x), "--out", out, "--dtype", "f64")
        z = np.load(out)
        self.assertEqual(z["logits"].shape, (2, 1000))
        self.assertEqual(z["logits"].dtype, np.float64)
        blocks = sorted(k.split("/", 1)[1] for k in z.files if k.startswith("attention/"))
        self.assertEqual(blocks, sorted(f"layer{i}.{j}" for i in range(1, 5) for j in range(2)))
        for b in blocks:
            a, m = z["attention/" + b], z["radix_maps/" + b]
            self.assertEqual(a.shape[:2], (2, 2))
            self.assertEqual(m.shape[:2], (2, 2))
            np.testing.assert_allclose(a.sum(1), 1.0, rtol=1e-12)

    def test_export_from_an_image(self):
        out = os.path.join(self.dir, "img.npz")
        img = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"
        run("export", "--arch", "resnest14d", img, "--out", out)
        z = np.load(out)
        self.assertEqual(z["logits"].dtype, np.float32)
        self.assertEqual(z["radix_maps/layer1.0"].shape, (1, 2, 56, 56))

    def test_preprocessing_matches_timm_eval_transform(self):
        """The image path agrees with torchvision's Resize + CenterCrop + Normalize on PIL, as timm evaluates."""
        from PIL import Image
        from torchvision import transforms
        img = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"
        for arch, size, crop, interp in (("resnest14d", 224, 0.875, transforms.InterpolationMode.BILINEAR),
                                         ("resnest50d_1s4x24d", 224, 0.875, transforms.InterpolationMode.BICUBIC)):
            out = os.path.join(self.dir, "pre.npz")
            run("export", "--arch", arch, img, "--out", out)
            ours = np.load(out)["input"]
            t = transforms.Compose([
                transforms.Resize(int(size / crop), interpolation=interp),
                transforms.CenterCrop(size),
                transforms.ToTensor(),
                transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
            ])
            ref = t(Image.open(img).convert("RGB")).unsqueeze(0).numpy()
            self.assertEqual(ours.shape, ref.shape)
            diff = np.abs(ours - ref)
            # PIL rounds the resized image to 8 bits (1/255 / std = 0.017 after normalisation); the C++ path
            # keeps floats. Anything structural (crop offset, channel order, mean/std) is far larger.
            self.assertLess(diff.mean(), 0.01, arch)
            self.assertLess(np.percentile(diff, 99), 0.05, arch)

    def test_export_rejects_wrong_tensors(self):
        out = os.path.join(self.dir, "bad.npz")
        p = run("export", "--arch", "resnest14d", "--input-tensor", self.npy(np.zeros((3, 32, 32)), "bad.npy"),
                "--out", out, expect=1)
        self.assertIn("(N, 3, H, W)", p.stderr)
        self.assertFalse(os.path.exists(out))

    def test_info_and_classify_on_a_torch_checkpoint(self):
        model = self.ref.build("resnest14d")
        path = os.path.join(self.dir, "resnest14d-test.pth")
        torch.save({"epoch": 1, "state_dict": {"module." + k: v for k, v in model.state_dict().items()}}, path)
        j = json.loads(run("info", path, "--json").stdout)
        self.assertEqual(j["architecture"], "resnest14d")
        self.assertEqual(j["format"], "torch-zip")
        self.assertEqual(j["container"], "state_dict")
        self.assertEqual(j["stripped_prefix"], "module.")
        self.assertEqual(j["parameters"], sum(p.numel() for p in model.parameters()))
        img = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"
        out = json.loads(run("classify", img, "--weights", path, "--topk", "3", "--json").stdout)
        self.assertEqual(len(out[0]["top"]), 3)
        probs = [t["probability"] for t in out[0]["top"]]
        self.assertEqual(probs, sorted(probs, reverse=True))

    def test_bad_checkpoints_fail_cleanly(self):
        garbage = os.path.join(self.dir, "garbage.pth")
        with open(garbage, "wb") as f:
            f.write(os.urandom(4096))
        p = run("info", garbage, expect=1)
        self.assertTrue(p.stderr.startswith("error:"), p.stderr)
        truncated = os.path.join(self.dir, "trunc.pth")
        torch.save({"fc.weight": torch.zeros(10, 2048)}, truncated)
        with open(truncated, "rb") as f:
            data = f.read()
        with open(truncated, "wb") as f:
            f.write(data[: len(data) // 2])
        p = run("classify", "/usr/share/doc/opencv-doc/examples/data/messi5.jpg", "--weights", truncated, expect=1)
        self.assertTrue(p.stderr.startswith("error:"), p.stderr)
        wrong = os.path.join(self.dir, "wrong.pth")
        torch.save({"features.0.weight": torch.zeros(8, 3, 3, 3)}, wrong)
        p = run("info", wrong, expect=1)
        self.assertIn("not a ResNeSt", p.stderr)

    def test_wrong_arch_names_the_keys(self):
        model = self.ref.build("resnest14d")
        path = os.path.join(self.dir, "r14.pth")
        torch.save(model.state_dict(), path)
        p = run("export", "--arch", "resnest26d", "--weights", path, "--input-tensor",
                self.npy(np.zeros((1, 3, 32, 32))), "--out", os.path.join(self.dir, "w.npz"), expect=1)
        self.assertIn("missing keys: layer1.1.", p.stderr)

    def test_missing_image_keeps_going(self):
        img = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"
        p = run("classify", "/nonexistent.jpg", img, "--arch", "resnest14d", "--json", expect=1)
        out = json.loads(p.stdout)
        self.assertIn("error", out[0])
        self.assertIn("top", out[1])

    def test_attention_stats_shards_merge_into_the_whole(self):
        data = "/usr/share/doc/opencv-doc/examples/data"
        folder = os.path.join(self.dir, "stats-images")
        os.makedirs(folder, exist_ok=True)
        for name in ["messi5.jpg", "baboon.jpg", "fruits.jpg", "smarties.png", "sudoku.png", "box.png", "notes.txt"]:
            src = os.path.join(data, name)
            dst = os.path.join(folder, name)
            if name.endswith(".txt"):
                with open(dst, "w") as f:
                    f.write("not an image")  # skipped: not an image name
            elif not os.path.exists(dst):
                os.symlink(src, dst)
        model = ["--arch", "resnest14d", "--seed", "3"]
        whole = os.path.join(self.dir, "whole.json")
        run("attention-stats", folder, "--out", whole, "--csv", whole + ".csv", *model)
        shards = []
        for i in range(3):
            shards.append(os.path.join(self.dir, f"shard{i}.json"))
            p = run("attention-stats", folder, "--shard", f"{i}/3", "--out", shards[i], *model)
            self.assertIn(f"shard {i}/3: 2 of 2 images (6 in all)", p.stdout)
        merged = os.path.join(self.dir, "merged.json")
        run("merge-stats", "--out", merged, *reversed(shards))
        a, m = read_json(whole), read_json(merged)
        self.assertEqual(a["images"], 6)
        self.assertEqual(m["images"], 6)
        self.assertEqual(sorted(a["groups"]), sorted(m["groups"]))
        for g in a["groups"]:
            for b, sa in a["groups"][g].items():
                sm = m["groups"][g][b]
                self.assertEqual(sa["images"], sm["images"])
                np.testing.assert_allclose(sa["sum_channel_weight"], sm["sum_channel_weight"], rtol=1e-12)
                np.testing.assert_allclose(sa["mean_per_radix"], sm["mean_per_radix"], rtol=1e-12)
        with open(whole + ".csv") as f:
            self.assertEqual(f.readline().strip(), "group,block,radix,images,mean_weight,entropy,max_weight")
        # Shards of another model do not merge.
        other = os.path.join(self.dir, "other.json")
        run("attention-stats", os.path.join(folder, "box.png"), "--out", other, "--arch", "resnest26d")
        p = run("merge-stats", "--out", os.path.join(self.dir, "bad.json"), shards[0], other, expect=1)
        self.assertIn("cannot be merged", p.stderr)
        run("attention-stats", folder, "--shard", "3/3", "--out", other, *model, expect=1)

    def test_attention_stats_of_one_image_match_its_exported_attention(self):
        img = "/usr/share/doc/opencv-doc/examples/data/baboon.jpg"
        stats, npz = os.path.join(self.dir, "one.json"), os.path.join(self.dir, "one.npz")
        run("attention-stats", img, "--out", stats, "--arch", "resnest14d", "--seed", "5")
        run("export", img, "--out", npz, "--arch", "resnest14d", "--seed", "5")
        z = np.load(npz)
        s = read_json(stats)
        label = [g for g in s["groups"] if g != "all"]
        self.assertEqual(len(label), 1)  # the image's top class
        for block, b in s["groups"][label[0]].items():
            a = z[f"attention/{block}"][0].astype(np.float64)  # (R, C)
            np.testing.assert_allclose(b["mean_per_radix"], a.mean(axis=1), rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(b["sum_channel_weight"], a.reshape(-1), rtol=1e-5, atol=1e-7)
            ent = -(a * np.log(np.clip(a, 1e-30, None))).sum(axis=0) / np.log(a.shape[0])
            self.assertAlmostEqual(b["entropy"], ent.mean(), places=5)
            self.assertAlmostEqual(b["max_weight"], a.max(axis=0).mean(), places=5)

    def piped(self, path, name):
        """`path`'s bytes behind a named pipe: a file that can be read once, as `--weights <(zcat w.gz)` is."""
        import threading
        fifo = os.path.join(self.dir, name)
        os.mkfifo(fifo)

        def feed():
            with open(path, "rb") as src, open(fifo, "wb") as dst:
                dst.write(src.read())
        t = threading.Thread(target=feed, daemon=True)
        t.start()
        return fifo

    def test_a_checkpoint_is_read_once(self):
        # The task is told from the file and the loader takes the tensors already read: a second read of a
        # pipe would wait for a writer that never comes (the timeout fails the test).
        seg = self.heads_checkpoint("segment")
        out = os.path.join(self.dir, "piped.npz")
        x = self.npy(np.random.default_rng(1).standard_normal((1, 3, 64, 64)), "piped.npy")
        p = subprocess.run([CLI, "export", "--weights", self.piped(seg, "seg.fifo"), "--input-tensor", x,
                            "--out", out], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(np.load(out)["logits"].shape, (1, 21, 64, 64))
        cls = os.path.join(self.dir, "r14-piped.pth")
        torch.save(self.ref.build("resnest14d").state_dict(), cls)
        stats = os.path.join(self.dir, "piped-stats.json")
        p = subprocess.run([CLI, "attention-stats", self.PHOTO, "--weights", self.piped(cls, "cls.fifo"),
                            "--out", stats], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("groups", read_json(stats))

    def test_openmp_threads_spin_briefly_in_one_process(self):
        # libgomp prints what it read at its start: an unchosen policy must reach it as a short bounded spin
        # (ACTIVE, spin count 3000) in the first and only process; a second block would mean a start paid twice.
        env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
        env["OMP_DISPLAY_ENV"] = "verbose"
        p = subprocess.run([CLI, "--help"], capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr.count("GOMP_SPINCOUNT"), 1, p.stderr)
        self.assertIn("GOMP_SPINCOUNT = '3000'", p.stderr)
        self.assertIn("OMP_WAIT_POLICY = 'ACTIVE'", p.stderr)
        env["GOMP_SPINCOUNT"] = "12345"  # the user's spin count is kept
        p = subprocess.run([CLI, "--help"], capture_output=True, text=True, timeout=120, env=env)
        self.assertIn("GOMP_SPINCOUNT = '12345'", p.stderr)
        env.pop("GOMP_SPINCOUNT")
        env["OMP_WAIT_POLICY"] = "PASSIVE"  # and so is the user's policy
        p = subprocess.run([CLI, "--help"], capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.stderr.count("GOMP_SPINCOUNT"), 1, p.stderr)
        self.assertIn("OMP_WAIT_POLICY = 'PASSIVE'", p.stderr)
        self.assertIn("GOMP_SPINCOUNT = '0'", p.stderr)

    def test_cuda_and_f16_requests_are_explained(self):
        if not torch.cuda.is_available():
            p = run("bench", "--arch", "resnest14d", "--device", "cuda", expect=1)
            self.assertIn("CUDA", p.stderr)
        p = run("bench", "--arch", "resnest14d", "--dtype", "f16", expect=1)
        self.assertIn("f16", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
