"""Stand-ins for a policy in rollout tests: a scripted in-process backend and a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from data.schema import Problem
from rl.backends import Completion, SamplingParams
from rl.prompts import answer, build_messages, reference_answer

WRONG = answer("def solve(*args):\n    return None\n\nprint(0)")


def good(problem: Problem) -> str:
    return reference_answer(problem)


def script(problems: list[Problem], passing: dict[str, int], n: int) -> dict[str, list[str]]:
    """User turn -> n completions, the first ``passing[id]`` of them correct and the rest wrong."""
    out = {}
    for p in problems:
        c = passing.get(p.id, 0)
        out[build_messages(p)[-1]["content"]] = [good(p)] * c + [WRONG] * (n - c)
    return out


class ScriptedBackend:
    """Answers each prompt from a script keyed by the user turn; records how it was called."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers, self.calls = answers, []

    def describe(self) -> dict:
        return {"backend": "scripted", "model": "scripted"}

    def generate(self, prompts, params: SamplingParams) -> list[list[Completion]]:
        self.calls.append(len(prompts))
        out = []
        for messages in prompts:
            texts = self.answers[messages[-1]["content"]][: params.n]
            out.append([Completion(t, 10, len(t.split()), "stop") for t in texts])
        return out


class MockOpenAIServer:
    """A threaded HTTP server speaking enough of the OpenAI chat API; tracks peak concurrent requests."""

    def __init__(self, answers: dict[str, list[str]], token_ids: bool = True, delay_s: float = 0.05):
        self.answers, self.token_ids, self.delay_s = answers, token_ids, delay_s
        self.active = self.peak = 0
        self.bodies: list[dict] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def complete(self, body: dict) -> dict:
        texts = self.answers[body["messages"][-1]["content"]][: body["n"]]
        choices = []
        for i, t in enumerate(texts):
            choice = {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
            if self.token_ids and body.get("return_token_ids"):
                choice["token_ids"] = list(range(len(t.split())))
            choices.append(choice)
        used = sum(len(t.split()) for t in texts)
        return {"choices": choices, "usage": {"prompt_tokens": 7, "completion_tokens": used}}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, data: dict) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                self._send({"data": [{"id": "mock-model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.active += 1
                    server.peak = max(server.peak, server.active)
                    server.bodies.append(body)
                time.sleep(server.delay_s)
                try:
                    self._send(server.complete(body))
                finally:
                    with server.lock:
                        server.active -= 1

        return Handler
