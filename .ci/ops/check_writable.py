"""Every path a txad process writes is a writable volume in the rendered Kubernetes manifests.

The containers run with `readOnlyRootFilesystem: true`, so a directory a service writes that is not a mounted,
writable volume fails only at run time (the spool on the first alert while the alerts service is down). This check
knows which directories each executable writes — the spool (`TXAD_SPOOL_DIR`, gateway and alerts), `/tmp`
(Foundation's temporary directory: the registry unpacks bundles there) and the backup job's dump directory — and
requires, for every container of every rendered workload, that each is at or under a `volumeMount` that is not
`readOnly` and whose volume is an `emptyDir` or a PersistentVolumeClaim (a volume claim template for StatefulSets).

Usage: python check_writable.py RENDERED.yaml...   (run with the kubernetes venv: needs PyYAML)
"""
import sys

import yaml

# Directories each executable writes; `$NAME` is read from the container's environment (env and envFrom ConfigMaps).
WRITES = {
    "txad-gateway": ["$TXAD_SPOOL_DIR", "/tmp"],
    "txad-alerts": ["$TXAD_SPOOL_DIR", "/tmp"],
    "txad-inference": ["/tmp"],
    "txad-preprocessing": ["/tmp"],
}
# `txad-alerts --migrate-only` applies migrations and exits: it writes nothing.
READ_ONLY_FLAGS = {"--migrate-only"}
WORKLOADS = {"Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet"}


def pod_spec(obj):
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def environment(container, config_maps):
    env = {}
    for source in container.get("envFrom") or []:
        ref = source.get("configMapRef")
        if ref:
            env.update(config_maps.get(ref["name"], {}))
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = item["value"]
    return env


def under(path, mount):
    return path == mount or path.startswith(mount.rstrip("/") + "/")


def written_paths(container, env):
    command = (container.get("command") or []) + (container.get("args") or [])
    if not command:
        return []
    executable = command[0].split("/")[-1]
    if executable in ("sh", "bash") and len(command) >= 3:
        # The backup job: `sh -c '… pg_dump … > "$BACKUP_DIR/…"'`; it writes where its volume is mounted as /backups.
        return ["/backups"] if "pg_dump" in command[-1] else []
    if READ_ONLY_FLAGS & set(command):
        return []
    paths = []
    for path in WRITES.get(executable, []):
        if path.startswith("$"):
            value = env.get(path[1:])
            if value is None:
                paths.append(f"<{path[1:]} unset: the default is relative to the read-only working directory>")
                continue
            path = value
        paths.append(path)
    return paths


def main(files):
    objects = []
    for name in files:
        with open(name) as f:
            objects += [o for o in yaml.safe_load_all(f) if o]
    config_maps = {o["metadata"]["name"]: o.get("data") or {} for o in objects if o["kind"] == "ConfigMap"}
    problems = []
    checked = 0
    for obj in objects:
        if obj["kind"] not in WORKLOADS:
            continue
        spec = pod_spec(obj)
        volumes = {v["name"]: v for v in spec.get("volumes") or []}
        claims = {t["metadata"]["name"] for t in (obj["spec"].get("volumeClaimTemplates") or [])}
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            where = f"{obj['kind']}/{obj['metadata']['name']} container {container['name']}"
            read_only_root = (container.get("securityContext") or {}).get("readOnlyRootFilesystem")
            for path in written_paths(container, environment(container, config_maps)):
                checked += 1
                if path.startswith("<"):
                    problems.append(f"{where}: {path}")
                    continue
                mounts = [m for m in container.get("volumeMounts") or [] if under(path, m["mountPath"])]
                if not mounts:
                    if read_only_root:
                        problems.append(f"{where}: writes {path}, which is on the read-only root filesystem")
                    continue
                mount = max(mounts, key=lambda m: len(m["mountPath"]))
                volume = volumes.get(mount["name"])
                writable_volume = mount["name"] in claims or (
                    volume is not None
                    and ("emptyDir" in volume or "persistentVolumeClaim" in volume)
                    and not (volume.get("persistentVolumeClaim") or {}).get("readOnly"))
                if mount.get("readOnly") or not writable_volume:
                    problems.append(
                        f"{where}: writes {path}, but volume '{mount['name']}' at {mount['mountPath']} is not a "
                        "writable emptyDir or PersistentVolumeClaim")
    if checked == 0:
        problems.append("no written path found: are the rendered manifests empty?")
    for problem in problems:
        print(f"FAIL {problem}")
    if problems:
        return 1
    print(f"{checked} written paths, each on a writable volume")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
