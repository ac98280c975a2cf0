"""Static checks of compose/Dockerfile (the image cannot be built here: no Docker engine).

- every COPY source from the build context exists;
- the runtime stage installs exactly the Debian packages owning the shared libraries `ldd` reports for the release
  binaries (beyond the base image's required packages; apt brings their dependencies), nothing else, no compiler;
- the runtime stage runs as a non-root USER and has a HEALTHCHECK.
Usage: [TXAD_BIN_DIR=DIR] python3 check_dockerfile.py REPO_ROOT   (plain python3, stdlib only; needs dpkg, apt-cache, ldd)
"""
import os
import re
import shlex
import subprocess
import sys

root = sys.argv[1]
dockerfile = os.path.join(root, "compose/Dockerfile")
problems = []
EXECUTABLES = ["txad", "txad-gateway", "txad-preprocessing", "txad-inference", "txad-alerts"]

# ---- parse: join continuation lines, split stages ----
logical, current = [], ""
with open(dockerfile) as f:
    for raw in f:
        line = raw.rstrip("\n")
        if not current and (line.strip().startswith("#") or not line.strip()):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
stages = []
for line in logical:
    instruction, _, rest = line.strip().partition(" ")
    instruction = instruction.upper()
    if instruction == "FROM":
        stages.append({"from": rest, "lines": []})
    elif stages:
        stages[-1]["lines"].append((instruction, rest.strip()))
if len(stages) < 2:
    problems.append("expected a multi-stage build (build + runtime)")
runtime = stages[-1]

# ---- COPY sources exist (COPY --from=stage copies from a stage, not the context) ----
for stage in stages:
    for instruction, rest in stage["lines"]:
        if instruction not in ("COPY", "ADD"):
            continue
        args = shlex.split(rest)
        if any(a.startswith("--from=") for a in args):
            continue
        paths = [a for a in args if not a.startswith("--")]
        if rest.lstrip().startswith("["):
            problems.append(f"COPY in JSON form not supported by this check: {rest}")
            continue
        for source in paths[:-1]:
            if not os.path.exists(os.path.join(root, source)):
                problems.append(f"COPY source does not exist: {source}")

# ---- runtime packages ----
listed = []
for instruction, rest in runtime["lines"]:
    if instruction == "RUN" and "apt-get install" in rest:
        words = shlex.split(rest.replace("&&", " && "))
        start = words.index("install") + 1
        for word in words[start:]:
            if word == "&&":
                break
            if not word.startswith("-"):
                listed.append(word)
if not listed:
    problems.append("runtime stage installs no packages (expected the libraries ldd reports)")
for package in listed:
    if re.search(r"(-dev$|^gcc|^g\+\+|^clang|^swift|^build-essential|^make$|^pkg-config$)", package):
        problems.append(f"runtime stage installs a build tool or headers: {package}")

bin_dir = None
candidates = [os.environ["TXAD_BIN_DIR"]] if os.environ.get("TXAD_BIN_DIR") else [".build/release", ".build/debug"]
for candidate in candidates:
    if all(os.path.exists(os.path.join(root, candidate, e)) for e in EXECUTABLES):
        bin_dir = candidate
        break
if bin_dir is None:
    problems.append("no built executables in .build/release or .build/debug: build first (swift build -c release)")
else:
    libraries = set()
    for executable in EXECUTABLES:
        output = subprocess.run(["ldd", os.path.join(root, bin_dir, executable)], capture_output=True, text=True,
                                check=True).stdout
        for line in output.splitlines():
            match = re.search(r"=>\s*(/\S+)", line)
            if match:
                libraries.add(os.path.realpath(match.group(1)))
            elif "=> not found" in line:
                problems.append(f"{executable}: {line.strip()}")
    toolchain = [lib for lib in libraries if "/swift/" in lib or "/opt/swift" in lib]
    system = sorted(set(libraries) - set(toolchain))

    def owner(path):
        for candidate in (path, path.replace("/usr/lib/", "/lib/", 1), path.replace("/lib/", "/usr/lib/", 1)):
            result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if result.returncode == 0:
                return result.stdout.split(":")[0]
        return None

    needed = {}
    for lib in system:
        package = owner(lib)
        if package is None:
            problems.append(f"{lib}: no Debian package owns it")
        else:
            needed.setdefault(package, []).append(os.path.basename(lib))

    def priority(package):
        return subprocess.run(["dpkg-query", "-W", "-f=${Priority}", package], capture_output=True,
                              text=True).stdout.strip()

    depends = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
         "--no-replaces", "--no-enhances", "--no-pre-depends"] + listed,
        capture_output=True, text=True).stdout
    closure = {line.strip() for line in depends.splitlines() if line and not line.startswith(" ")}
    closure |= {re.sub(r"^.*Depends:\s*", "", line).strip().strip("<>") for line in depends.splitlines()
                if "Depends:" in line}
    closure = {p.split(":")[0] for p in closure}
    for package, libs in sorted(needed.items()):
        if package in listed or package in closure or priority(package) == "required":
            continue
        problems.append(f"runtime stage lacks {package} (for {', '.join(sorted(libs))})")
    for package in listed:
        if package not in needed:
            problems.append(f"runtime stage installs {package}, which no release binary loads (ldd)")
    print(f"check-dockerfile: {len(system)} system libraries from ldd of {bin_dir} "
          f"(+{len(toolchain)} Swift runtime libraries, linked statically in the image) -> packages "
          f"{', '.join(sorted(needed))}; runtime installs {', '.join(listed)}")

# ---- non-root user, health check ----
users = [rest for instruction, rest in runtime["lines"] if instruction == "USER"]
if not users:
    problems.append("runtime stage has no USER (would run as root)")
elif users[-1].split(":")[0] in ("root", "0"):
    problems.append(f"runtime stage runs as root (USER {users[-1]})")
if not any(instruction == "HEALTHCHECK" and "NONE" not in rest.upper() for instruction, rest in runtime["lines"]):
    problems.append("runtime stage has no HEALTHCHECK")

if problems:
    print("\n".join(f"check-dockerfile: {p}" for p in problems))
    sys.exit(1)
print("check-dockerfile: COPY sources exist, runtime packages match ldd, non-root USER, HEALTHCHECK present")
