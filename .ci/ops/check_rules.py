"""Policy for compose/prometheus/rules: every alert has `for:`, a severity (critical|warning), summary and runbook
annotations, a runbook section in RUNBOOKS.md, and a promtool unit test where it fires and one where it must not.

Usage: python check_rules.py RULES_DIR TESTS_DIR RUNBOOKS.md   (run with the check-jsonschema venv: needs ruamel.yaml)
"""
import glob
import re
import sys

from ruamel.yaml import YAML

rules_dir, tests_dir, runbooks_path = sys.argv[1:4]
yaml = YAML(typ="safe")
problems = []
alerts = {}
for path in sorted(glob.glob(f"{rules_dir}/*.yml")):
    with open(path) as f:
        document = yaml.load(f)
    for group in document["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts[name] = path
            if not rule.get("for"):
                problems.append(f"{name}: no `for:`")
            severity = (rule.get("labels") or {}).get("severity")
            if severity not in ("critical", "warning"):
                problems.append(f"{name}: severity must be critical or warning, got {severity!r}")
            annotations = rule.get("annotations") or {}
            for key in ("summary", "runbook"):
                if not annotations.get(key):
                    problems.append(f"{name}: no `{key}` annotation")
            anchor = f"#{name.lower()}"
            if anchor not in annotations.get("runbook", ""):
                problems.append(f"{name}: runbook annotation does not point at RUNBOOKS.md{anchor}")

with open(runbooks_path) as f:
    sections = {line[3:].strip() for line in f if line.startswith("## ")}
fires, quiet = set(), set()
for path in sorted(glob.glob(f"{tests_dir}/*.yml")):
    with open(path) as f:
        document = yaml.load(f)
    for test in document["tests"]:
        for case in test.get("alert_rule_test") or []:
            (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
for name in sorted(alerts):
    if name not in sections:
        problems.append(f"{name}: no '## {name}' section in {runbooks_path}")
    if name not in fires:
        problems.append(f"{name}: no unit test where it fires")
    if name not in quiet:
        problems.append(f"{name}: no unit test where it must not fire")
for name in sorted((fires | quiet) - set(alerts)):
    problems.append(f"tests name an alert that does not exist: {name}")

if problems:
    print("\n".join(f"rules policy: {p}" for p in problems))
    sys.exit(1)
print(f"rules policy: {len(alerts)} alerts, each with for/severity/runbook and firing + quiet unit tests")
