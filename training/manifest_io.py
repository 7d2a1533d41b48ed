"""Reads and merges entries of public/models/manifest.json (shared by every export script)."""
import json
import os

# The manifest the app ships (public/models/manifest.json), for the tools that write measured fields into it.
SHIPPED_MANIFEST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "public", "models",
                                "manifest.json")


def merge_manifest_entry(path: str, entry: dict, keep_metrics: bool = True) -> None:
    """Replaces the entry with the same id (keeping its measured metrics unless given), keeps the others."""
    manifest = {"models": []}
    if os.path.exists(path):
        with open(path) as f:
            manifest = json.load(f)
    old = next((m for m in manifest["models"] if m["id"] == entry["id"]), None)
    if keep_metrics and old and old.get("metrics") and not entry.get("metrics"):
        entry["metrics"] = old["metrics"]
    others = [m for m in manifest["models"] if m["id"] != entry["id"]]
    # Test-only models first, so the newest real model for a task is last.
    manifest["models"] = sorted(others + [entry], key=lambda m: (not m.get("testOnly", False)))
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def manifest_entry(path: str, model_id: str) -> dict:
    """The entry with this id (StopIteration if there is none)."""
    with open(path) as f:
        return next(m for m in json.load(f)["models"] if m["id"] == model_id)


def set_manifest_metrics(path: str, model_id: str, metrics: dict) -> None:
    """Sets the measured metrics of one entry (written by the evaluation, never by hand)."""
    set_manifest_fields(path, model_id, {"metrics": metrics})


def set_manifest_fields(path: str, model_id: str, fields: dict) -> None:
    """Sets measured fields of one entry (a detector's threshold picked on held-out photos, say);
    a field given as None is removed."""
    with open(path) as f:
        manifest = json.load(f)
    entry = next(m for m in manifest["models"] if m["id"] == model_id)
    entry.update({k: v for k, v in fields.items() if v is not None})
    for k in (k for k, v in fields.items() if v is None):
        entry.pop(k, None)
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
