"""Hostile input through resnest-cli: every case must end in one clean line of error, in bounded memory.

Environment: RESNEST_CLI, the CLI to run; HOSTILE_ONLY=name,... runs only those cases (shell-style patterns
such as 'st.*' allowed); HOSTILE_KEEP=DIR writes the case files there and keeps them.

The cases come from make_hostile.py (see there). Each hostile case must:
  not die of a signal; exit with a status in 1..123; print exactly one line on stderr (besides the `note:`
  lines the CLI prints about the model it chose before any work), naming the file, containing the case's
  needle if it has one and not the readers' "unexpected error"; peak at less than 1 GiB of resident memory.
Control cases (valid files) must succeed within the same memory.
A table of every run is printed to stdout, for the docs.
"""
import fnmatch
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest

CLI = os.environ["RESNEST_CLI"]
HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT_S = 120
RSS_LIMIT_MIB = 1024
# Far above the limit, yet below what would starve the machine: a run past it is stopped (and fails anyway).
RSS_STOP_MIB = 6144
# A FIFO without a writer may wait in open() for good; that is what pipes do, so such a case gets this long
# and is reported as skipped when it waits.
BLOCK_WAIT_S = 15


LIBJPEG_WARNINGS = {"Premature end of JPEG file", "Corrupt JPEG data: premature end of data segment"}

class Run:
    def __init__(self):
        self.status = None      # exit status, or None after a signal
        self.signal = None
        self.stopped = None     # "timeout" / "memory" / "blocked": we killed it
        self.rss_mib = 0.0
        self.stdout = self.stderr = ""

    def error_lines(self):
        # libjpeg and libpng print their own complaints before OpenCV returns; OpenCV 4.6 offers no way to
        # silence them, so they are the one foreign kind of line allowed (docs/reliability.md).
        return [line for line in self.stderr.strip().splitlines()
                if line.strip() and not line.startswith("note: ") and line not in LIBJPEG_WARNINGS
                and not line.startswith(("libpng error: ", "libpng warning: "))]

    def outcome(self):
        if self.stopped:
            return f"killed ({self.stopped})"
        if self.signal is not None:
            return signal.Signals(self.signal).name
        return str(self.status)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(argv, timeout):
    """Runs the CLI in its own process group; its own peak RSS comes from wait4's rusage."""
    r = Run()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
        lock, done = threading.Lock(), threading.Event()

        def stop(reason):
            with lock:
                if done.is_set() or r.stopped:
                    return
                r.stopped = reason
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        def watch():
            while not done.wait(0.05):
                if rss_kib(p.pid) > RSS_STOP_MIB * 1024:
                    stop("memory")

        timer = threading.Timer(timeout, stop, ("timeout",))
        watcher = threading.Thread(target=watch, daemon=True)
        timer.start()
        watcher.start()
        # Waited for without reaping first, so that no kill can reach a recycled process id.
        os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
        with lock:
            done.set()
        timer.cancel()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
        watcher.join()
        r.rss_mib = usage.ru_maxrss / 1024.0
        if os.WIFSIGNALED(status):
            r.signal = os.WTERMSIG(status)
        else:
            r.status = os.WEXITSTATUS(status)
        for f, attr in ((out, "stdout"), (err, "stderr")):
            f.seek(0)
            setattr(r, attr, f.read().decode("utf-8", "replace"))
    return r


class Feeder:
    """Writes into a FIFO case as `--weights <(...)` would: endless zeros, or 4 KiB of garbage then EOF."""

    def __init__(self, path, kind):
        self.path, self.kind = path, kind
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.feed, daemon=True)
        self.thread.start()

    def feed(self):
        try:
            fd = os.open(self.path, os.O_WRONLY)  # waits for the reader
        except OSError:
            return
        try:
            if self.kind == "random":
                data = random.Random(4).randbytes(4096)
                while data:
                    data = data[os.write(fd, data):]
            else:
                zeros = bytes(1 << 20)
                while not self.stop.is_set():
                    os.write(fd, zeros)
        except BrokenPipeError:
            pass
        finally:
            os.close(fd)

    def close(self):
        self.stop.set()
        # A CLI that never opened the FIFO leaves the writer waiting in open(): a reader of our own frees it,
        # and its close breaks the pipe.
        if self.thread.is_alive():
            try:
                os.close(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK))
            except OSError:
                pass
        self.thread.join(10)


def selected(cases):
    only = os.environ.get("HOSTILE_ONLY")
    if not only:
        return cases
    patterns = [p.strip() for p in only.split(",") if p.strip()]
    return [c for c in cases if any(fnmatch.fnmatchcase(c["name"], p) for p in patterns)]


class HostileCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        keep = os.environ.get("HOSTILE_KEEP")
        if keep:
            cls.dir, cls.tmp = os.path.abspath(keep), None
            os.makedirs(cls.dir, exist_ok=True)
        else:
            cls.tmp = tempfile.TemporaryDirectory(prefix="hostile-")
            cls.dir = cls.tmp.name
        subprocess.run([sys.executable, os.path.join(HERE, "make_hostile.py"), cls.dir], check=True, timeout=600)
        with open(os.path.join(cls.dir, "cases.json")) as f:
            cls.cases = selected(json.load(f))
        cls.scratch = tempfile.mkdtemp(prefix="hostile-out-")
        cls.rows = []

    @classmethod
    def tearDownClass(cls):
        cls.print_table()
        shutil.rmtree(cls.scratch, ignore_errors=True)
        if cls.tmp:
            cls.tmp.cleanup()

    @classmethod
    def print_table(cls):
        if not cls.rows:
            return
        print("\n| case | exit | peak RSS MiB | message |\n|---|---|---|---|")
        for name, r in cls.rows:
            lines = r.error_lines()
            message = lines[-1] if lines else ""
            if len(lines) > 1:
                message += " [before it: " + " / ".join(lines[:-1]) + "]"
            message = message.replace(cls.dir + "/", "").replace(cls.scratch + "/", "").replace("|", "\\|")
            print(f"| {name} | {r.outcome()} | {r.rss_mib:.0f} | {message} |")
        sys.stdout.flush()

    def path(self, case):
        return case["file"] if os.path.isabs(case["file"]) else os.path.join(self.dir, case["file"])

    def execute(self, case):
        file = self.path(case)
        out = os.path.join(self.scratch, case["name"] + ".npz")
        values = {"FILE": file, "IMAGE": os.path.join(self.dir, "image.png"),
                  "WEIGHTS": os.path.join(self.dir, "weights.safetensors"), "OUT": out}
        argv = [CLI] + [values.get(a, a) for a in case["command"]]
        feeder = Feeder(file, case["feed"]) if case.get("feed") else None
        try:
            r = run(argv, BLOCK_WAIT_S if case.get("may_block") else TIMEOUT_S)
        finally:
            if feeder:
                feeder.close()
        if case.get("may_block") and r.stopped == "timeout":
            r.stopped = "blocked"
        self.rows.append((case["name"], r))
        return r, file, out

    def test_controls_succeed(self):
        for case in (c for c in self.cases if c.get("control")):
            with self.subTest(case=case["name"]):
                r, _, _ = self.execute(case)
                self.assertEqual(r.status, 0, f"{r.outcome()}: {r.stderr.strip()}")
                self.assertLess(r.rss_mib, RSS_LIMIT_MIB)

    def test_hostile_inputs_fail_cleanly(self):
        for case in (c for c in self.cases if not c.get("control")):
            with self.subTest(case=case["name"], kind=case["class"]):
                r, file, out = self.execute(case)
                if r.stopped == "blocked":
                    self.skipTest(f"waited {BLOCK_WAIT_S} s in open(), as a reader of a pipe without writer does")
                problems = []
                if r.stopped:
                    problems.append(f"killed by the test ({r.stopped})")
                elif r.signal is not None:
                    problems.append(f"killed by {signal.Signals(r.signal).name}")
                elif not 1 <= r.status <= 123:
                    problems.append(f"exit status {r.status}")
                lines = r.error_lines()
                if len(lines) != 1:
                    problems.append(f"{len(lines)} lines on stderr")
                # The CLI's own message comes last, after whatever a library printed.
                line = lines[-1] if lines and r.status and 1 <= r.status <= 123 else ""
                if line and file not in line and os.path.basename(file) not in line:
                    problems.append("the message does not name the file")
                if line and case["needle"] and case["needle"] not in line.lower():
                    problems.append(f"the message lacks {case['needle']!r}")
                if "unexpected error" in r.stderr.lower():
                    problems.append("an unexpected error (a library's exception, not a reader's check)")
                if r.rss_mib >= RSS_LIMIT_MIB:
                    problems.append(f"peak RSS {r.rss_mib:.0f} MiB")
                if os.path.exists(out):
                    problems.append("an output file was written")
                if problems:
                    self.fail("; ".join(problems) + "\nstderr: " + r.stderr.strip()[-2000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
