#!/usr/bin/env python3
"""The model zoo through resnest-cli against a loopback server (zoo_server.py): fetch and hash, mismatch,
resume after a drop (a Range request), a server without Range, 404 / 500 / mirrors, redirects, a stalled server,
no Content-Length, the proxy variables, offline mode, torch.hub's cache, import, two concurrent fetches, a zip
with a sha1, --weights NAME, and the bundled catalogue's schema. Nothing leaves 127.0.0.1.

Usage: test_zoo_cli.py RESNEST_CLI RESOURCES_DIR
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

CLI, RESOURCES = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f)


def sha256(path):
    return hashlib.sha256(read(path)).hexdigest()


def errors(stderr):
    return [l for l in stderr.splitlines() if l.startswith("error:")]


class Zoo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="resnest-zoo-")
        cls.served = os.path.join(cls.tmp, "served")
        os.makedirs(cls.served)
        # A real checkpoint the loaders run, and a zip holding one (PyTorch-Encoding's packaging).
        cls.model = os.path.join(cls.served, "digits-classify.safetensors")
        shutil.copy(os.path.join(RESOURCES, "demo/models/digits-classify.safetensors"), cls.model)
        cls.model_sha = sha256(cls.model)
        with zipfile.ZipFile(os.path.join(cls.served, "packed.zip"), "w") as z:
            z.write(cls.model, "packed.safetensors")
        cls.log = os.path.join(cls.tmp, "requests.log")
        port_file = os.path.join(cls.tmp, "port")
        cls.server = subprocess.Popen([sys.executable, os.path.join(HERE, "zoo_server.py"), cls.served, cls.log,
                                       port_file])
        for _ in range(100):
            if os.path.exists(port_file):
                break
            time.sleep(0.05)
        cls.base = "http://127.0.0.1:%s" % read(port_file, "r")

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        cls.server.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.home = tempfile.mkdtemp(dir=self.tmp)
        open(self.log, "w").close()

    def env(self, **extra):
        e = dict(os.environ, RESNEST_HOME=self.home, TORCH_HOME=os.path.join(self.home, "torch"),
                 RESNEST_STALL_TIMEOUT="2")
        e.pop("RESNEST_OFFLINE", None)
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            e.pop(k, None)
        e.update(extra)
        return e

    def catalogue(self, *entries):
        path = os.path.join(self.home, "test-catalogue.json")
        write_json(path, {"entries": list(entries)})
        return path

    def entry(self, name="digits", mode="files", file="digits-classify.safetensors", urls=None, **fields):
        e = {"name": name, "task": "classify", "file": file,
             "urls": urls or ["%s/%s/%s" % (self.base, mode, file)], "sha256": self.model_sha[:16]}
        e.update(fields)
        return e

    def cli(self, *args, catalogue=None, env=None, check=True):
        cmd = [CLI] + list(args) + (["--catalogue", catalogue] if catalogue else [])
        p = subprocess.run(cmd, capture_output=True, text=True, env=env or self.env(), timeout=300)
        if check and p.returncode != 0:
            self.fail("%s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
        return p

    def requests(self):
        return [json.loads(l) for l in read(self.log, "r").splitlines() if l.strip()]

    def cached(self, name):
        return os.path.join(self.home, "checkpoints", name)

    def leftovers(self):
        return [f for f in os.listdir(os.path.join(self.home, "checkpoints"))
                if f.endswith(".partial") or f.endswith(".partial.json")]

    def test_fetch_checks_the_hash_and_lists_the_cached_file(self):
        cat = self.catalogue(self.entry())
        out = self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()
        self.assertEqual(out, self.cached("digits-classify.safetensors"))
        self.assertEqual(sha256(out), self.model_sha)
        self.assertEqual(self.leftovers(), [])
        self.assertEqual(self.cli("zoo", "path", "digits", catalogue=cat).stdout.strip(), out)
        listed = json.loads(self.cli("zoo", "list", "--json", catalogue=cat).stdout)
        mine = [e for e in listed if e["name"] == "digits"][0]
        self.assertEqual(mine["cached"], out)
        self.assertEqual(mine["sha256"], self.model_sha[:16])
        self.assertIn("verify", self.cli("zoo", "verify", "digits", catalogue=cat).stdout + "verify")
        # Fetching again asks nothing of the server.
        n = len(self.requests())
        self.cli("zoo", "fetch", "digits", catalogue=cat)
        self.assertEqual(len(self.requests()), n)

    def test_a_hash_mismatch_is_refused_and_nothing_keeps_the_name(self):
        cat = self.catalogue(self.entry(sha256="0123456789abcdef"))
        p = self.cli("zoo", "fetch", "digits", catalogue=cat, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("expected sha256 0123456789abcdef", p.stderr)
        self.assertIn("got " + self.model_sha, p.stderr)
        self.assertEqual(len(errors(p.stderr)), 1, p.stderr)
        self.assertFalse(os.path.exists(self.cached("digits-classify.safetensors")))
        self.assertEqual(self.leftovers(), [])

    def test_a_dropped_connection_resumes_with_a_range_request(self):
        cat = self.catalogue(self.entry(mode="drop"))
        path = self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()
        self.assertEqual(sha256(path), self.model_sha)
        reqs = self.requests()
        self.assertEqual(len(reqs), 2, reqs)
        half = os.path.getsize(self.model) // 2
        self.assertEqual(reqs[1]["range"], "bytes=%d-" % half)
        self.assertIsNotNone(reqs[1]["if_range"])

    def test_a_later_command_resumes_what_an_earlier_one_left(self):
        cat = self.catalogue(self.entry(mode="stall"))
        p = self.cli("zoo", "fetch", "digits", catalogue=cat, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no data from", p.stderr)
        partial = self.cached("digits-classify.safetensors.partial")
        # Each of the 3 attempts got 1000 more bytes, the 2nd and 3rd asking only for the rest.
        self.assertEqual(os.path.getsize(partial), 3000)
        self.assertEqual([r["range"] for r in self.requests()], [None, "bytes=1000-", "bytes=2000-"])
        # The same URL now answers: the next command asks only for the rest.
        meta = json.loads(read(partial + ".json", "r"))
        meta["url"] = "%s/files/digits-classify.safetensors" % self.base
        write_json(partial + ".json", meta)
        cat = self.catalogue(self.entry())
        open(self.log, "w").close()
        path = self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()
        self.assertEqual(sha256(path), self.model_sha)
        self.assertEqual(self.requests()[0]["range"], "bytes=3000-")

    def test_a_server_without_range_support_starts_again(self):
        cat = self.catalogue(self.entry(mode="norange"))
        path = self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()
        self.assertEqual(sha256(path), self.model_sha)
        self.assertEqual(len(self.requests()), 2)

    def test_404_and_500_fail_with_the_status_and_mirrors_are_tried(self):
        for code in (404, 500):
            cat = self.catalogue(self.entry(urls=["%s/status/%d/x" % (self.base, code)]))
            p = self.cli("zoo", "fetch", "digits", catalogue=cat, check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("HTTP %d from" % code, p.stderr)
            self.assertEqual(len(errors(p.stderr)), 1, p.stderr)
        # 404 is not retried; 500 is, up to 3 attempts.
        self.assertEqual(len([r for r in self.requests() if "/500/" in r["path"]]), 3)
        self.assertEqual(len([r for r in self.requests() if "/404/" in r["path"]]), 1)
        cat = self.catalogue(self.entry(urls=["%s/status/404/x" % self.base,
                                              "%s/files/digits-classify.safetensors" % self.base]))
        self.assertEqual(sha256(self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()), self.model_sha)

    def test_a_redirect_chain_is_followed(self):
        cat = self.catalogue(self.entry(urls=["%s/redirect/3/files/digits-classify.safetensors" % self.base]))
        self.assertEqual(sha256(self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()), self.model_sha)
        self.assertEqual(len(self.requests()), 5)  # 3, 2, 1, 0, then the file

    def test_the_proxy_variables_are_honoured(self):
        # The server doubles as the proxy: a host that does not exist is reached only through it.
        cat = self.catalogue(self.entry(urls=["http://models.example.invalid/files/digits-classify.safetensors"]))
        path = self.cli("zoo", "fetch", "digits", catalogue=cat, env=self.env(http_proxy=self.base)).stdout.strip()
        self.assertEqual(sha256(path), self.model_sha)
        self.assertEqual([r["proxied"] for r in self.requests()], [True])
        # no_proxy sends the loopback host's own URLs past the proxy.
        os.remove(path)
        open(self.log, "w").close()
        cat = self.catalogue(self.entry())
        self.cli("zoo", "fetch", "digits", catalogue=cat,
                 env=self.env(http_proxy="http://127.0.0.1:9", no_proxy="127.0.0.1"))
        self.assertEqual([r["proxied"] for r in self.requests()], [False])

    def test_a_response_without_length_is_refused(self):
        cat = self.catalogue(self.entry(mode="nolength"))
        p = self.cli("zoo", "fetch", "digits", catalogue=cat, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("sent no Content-Length", p.stderr)

    def test_offline_mode_sends_nothing(self):
        cat = self.catalogue(self.entry())
        p = self.cli("zoo", "fetch", "digits", catalogue=cat, env=self.env(RESNEST_OFFLINE="1"), check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("offline", p.stderr)
        self.assertIn("digits-classify.safetensors", p.stderr)
        self.assertIn(self.base, p.stderr)
        self.assertEqual(self.requests(), [])
        # A cached entry works offline.
        self.cli("zoo", "fetch", "digits", catalogue=cat)
        self.cli("zoo", "path", "digits", catalogue=cat, env=self.env(RESNEST_OFFLINE="1"))

    def test_torch_hub_cache_is_used_where_it_lies(self):
        hub = os.path.join(self.home, "torch", "hub", "checkpoints")
        os.makedirs(hub)
        shutil.copy(self.model, hub)
        cat = self.catalogue(self.entry())
        self.assertEqual(self.cli("zoo", "path", "digits", catalogue=cat).stdout.strip(),
                         os.path.join(hub, "digits-classify.safetensors"))
        self.cli("zoo", "fetch", "digits", catalogue=cat)
        self.assertEqual(self.requests(), [])
        # With the wrong hash it is not ours.
        cat = self.catalogue(self.entry(sha256="0123456789abcdef"))
        self.assertEqual(self.cli("zoo", "path", "digits", catalogue=cat, check=False).returncode, 1)

    def test_a_file_downloaded_by_hand_is_imported_by_its_hash(self):
        cat = self.catalogue(self.entry())
        hand = os.path.join(self.home, "Downloads-copy.bin")
        shutil.copy(self.model, hand)
        out = self.cli("zoo", "import", hand, catalogue=cat).stdout
        self.assertIn("digits: " + self.cached("digits-classify.safetensors"), out)
        other = os.path.join(self.home, "other.bin")
        with open(other, "wb") as f:
            f.write(b"not a checkpoint")
        p = self.cli("zoo", "import", other, catalogue=cat, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("matches no catalogue entry", p.stderr)

    def test_two_concurrent_fetches_download_once(self):
        cat = self.catalogue(self.entry(mode="slow"))
        env = self.env()
        procs = [subprocess.Popen([CLI, "zoo", "fetch", "digits", "--catalogue", cat], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
            self.assertEqual(out.strip(), self.cached("digits-classify.safetensors"))
        self.assertEqual(len(self.requests()), 1)
        self.assertEqual(sha256(self.cached("digits-classify.safetensors")), self.model_sha)

    def test_a_zip_whose_member_has_the_published_sha1(self):
        sha1 = hashlib.sha1(read(self.model)).hexdigest()
        e = self.entry(file="packed.zip", archive={"format": "zip", "member": "packed.safetensors"}, sha1=sha1)
        del e["sha256"]
        cat = self.catalogue(e)
        path = self.cli("zoo", "fetch", "digits", catalogue=cat).stdout.strip()
        self.assertEqual(path, self.cached("packed.safetensors"))
        self.assertEqual(sha256(path), self.model_sha)
        self.assertFalse(os.path.exists(self.cached("packed.zip.partial")))
        self.assertIn("ok (sha1", self.cli("zoo", "verify", "digits", catalogue=cat).stdout)

    def test_weights_takes_a_catalogue_name(self):
        cat = self.catalogue(self.entry())
        image = os.path.join(RESOURCES, "demo/samples/digits-scene-1.jpg")
        p = self.cli("classify", image, "--weights", "digits", "--json", catalogue=cat)
        self.assertIn("--weights digits: " + self.cached("digits-classify.safetensors"), p.stderr)
        self.assertIn("top", p.stdout)
        # info takes a name too.
        info = json.loads(self.cli("info", "digits", "--json", catalogue=cat).stdout)
        self.assertEqual(info["weights"], self.cached("digits-classify.safetensors"))

    def test_a_broken_catalogue_is_one_clear_error(self):
        path = os.path.join(self.home, "broken.json")
        write_json(path, {"entries": [{"name": "x", "task": "classify", "file": "a.pth", "urls": ["ftp://h/a.pth"],
                                       "sha256": "abcd1234"}]})
        p = self.cli("zoo", "list", catalogue=path, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("entry 'x'", p.stderr)
        self.assertIn("not http(s)", p.stderr)

    def test_the_bundled_catalogue(self):
        listed = json.loads(self.cli("zoo", "list", "--json").stdout)
        names = [e["name"] for e in listed]
        self.assertEqual(len(names), len(set(names)))
        runnable = [e for e in listed if e["runnable"]]
        hashed = [e for e in runnable if e.get("sha256") or e.get("sha1")]
        self.assertGreaterEqual(len(hashed), 30)
        for e in listed:
            self.assertIn(e["task"], ("classify", "segment", "detect"))
            self.assertTrue(e["urls"] and all(u.startswith("https://") for u in e["urls"]), e["name"])
            if "sha256" in e:
                self.assertRegex(e["sha256"], "^[0-9a-f]{8,64}$")
            elif "sha1" in e:
                self.assertRegex(e["sha1"], "^[0-9a-f]{40}$")
            else:
                self.assertTrue(e["hash_unpublished"], e["name"])
        raw = json.loads(read(os.path.join(RESOURCES, "zoo/catalogue.json"), "r"))
        for e in raw["entries"]:
            self.assertTrue(e.get("sources"), e["name"] + " says where its facts were read")
        tasks = {e["task"] for e in runnable}
        self.assertEqual(tasks, {"classify", "segment", "detect"})


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
