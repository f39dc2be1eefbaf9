"""Runs replicate 1.x configured ONLY by environment (REPLICATE_BASE_URL, REPLICATE_API_TOKEN),
through the module-level API, as a user's script would. Reads {"text": ...} as JSON on stdin;
prints one JSON line: the output and every (method, url) the client sent."""

import json
import sys
from importlib.metadata import version

import httpx

requests = []
_send = httpx.Client.send


def _recording_send(self, request, *args, **kwargs):
    requests.append([request.method, str(request.url)])
    return _send(self, request, *args, **kwargs)


httpx.Client.send = _recording_send

import replicate  # noqa: E402  (after the patch, so every client it builds records)

args = json.load(sys.stdin)
output = replicate.run(args["model"], input={"text": args["text"]})
print(json.dumps({"client_version": version("replicate"), "output": output, "requests": requests}))
