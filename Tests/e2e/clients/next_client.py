"""Drives the newer official Python client (replicate 2.x, Stainless-generated) against a base
URL. Reads {"action", "base_url", "token", ...} as JSON on stdin; prints one JSON line with
the result and every (method, url) the client sent. Runs in .venv-next."""

import json
import sys
import time
from importlib.metadata import version

import httpx
import replicate

TERMINAL = {"succeeded", "failed", "canceled"}

args = json.load(sys.stdin)
requests = []
http_client = httpx.Client(event_hooks={"request": [lambda r: requests.append([r.method, str(r.url)])]})
client = replicate.Replicate(bearer_token=args["token"], base_url=args["base_url"], http_client=http_client)
result = {"client_version": version("replicate")}

action = args["action"]
if action == "run":
    result["output"] = client.run(args["ref"], input=args["input"])
elif action == "create-get":
    owner, name = args["model"].split("/")
    prediction = client.models.predictions.create(model_owner=owner, model_name=name, input=args["input"])
    result["created_status"] = prediction.status
    result["urls"] = prediction.urls.model_dump(exclude_none=True) if prediction.urls else {}
    deadline = time.monotonic() + 30
    while prediction.status not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.05)
        prediction = client.predictions.get(prediction_id=prediction.id)
    result["status"] = prediction.status
    result["id"] = prediction.id
    result["output"] = prediction.output
elif action == "list-models":
    result["models"] = [f"{m.owner}/{m.name}" for m in client.models.list()]
else:
    sys.exit(f"unknown action {action!r}")

result["requests"] = requests
print(json.dumps(result))
