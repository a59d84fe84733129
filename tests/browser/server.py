"""recruit-ledgerd and recruit-ledger for the browser test: a demo ledger in a temporary
directory, a server on a loopback port it picks itself (--listen 127.0.0.1:0 --port-file), and
plain HTTP calls from the outside to compare the page with."""

import json
import os
import subprocess
import time
import urllib.request


class Server:
    def __init__(self, daemon, data, workdir, name, extra=()):
        self.port_file = os.path.join(workdir, name + ".port")
        self.log = open(os.path.join(workdir, name + ".log"), "w")
        self.process = subprocess.Popen(
            [daemon, "--data", data, "--listen", "127.0.0.1:0", "--port-file", self.port_file,
             "--log-level", "warn", *extra], stdout=self.log, stderr=subprocess.STDOUT)
        self.port = self._await_port(deadline=time.monotonic() + 20)
        self.origin = "http://127.0.0.1:%d" % self.port
        self._await_ready(deadline=time.monotonic() + 30)

    def _await_port(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("recruit-ledgerd exited with %s" % self.process.returncode)
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        raise RuntimeError("recruit-ledgerd wrote no port file")

    def _await_ready(self, deadline):
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.origin + "/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("recruit-ledgerd never became ready")

    def get_json(self, path, token=None):
        request = urllib.request.Request(self.origin + path)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(request, timeout=20) as answer:
            return json.load(answer)

    def get_headers(self, path):
        with urllib.request.urlopen(self.origin + path, timeout=20) as answer:
            answer.read()
            return answer.headers

    def post_json(self, path, body, token=None):
        request = urllib.request.Request(self.origin + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        if token:
            request.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(request, timeout=20) as answer:
            return answer.status, json.load(answer)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def make_demo(cli, data, events):
    subprocess.run([cli, "demo", "--data", data, "--events", str(events), "--seed", "7"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def add_token(cli, tokens_file, name, role):
    added = subprocess.run([cli, "token", "add", "--tokens", tokens_file, name, role],
                           check=True, capture_output=True, text=True, timeout=20)
    return added.stdout.splitlines()[0].strip()
