#!/usr/bin/env python3
"""The npm files vendored for the dashboard are the ones src/dashboard/package-lock.json pins.

src/dashboard/vendor/MANIFEST.json (written by tools/update-dashboard-vendor.sh after `npm ci`,
which checks each tarball against the lockfile's integrity) names, per vendored file, its
package, version, tarball integrity and the file's SHA-256. This checks that the manifest agrees
with the lockfile and package.json, that each file still has its SHA-256, that each licence is
shipped beside it, and, when node_modules is present, that the file equals the installed one."""

import hashlib
import json
import os
import sys

root = sys.argv[1]
dashboard = os.path.join(root, "src", "dashboard")
lock = json.load(open(os.path.join(dashboard, "package-lock.json")))
package = json.load(open(os.path.join(dashboard, "package.json")))
manifest = json.load(open(os.path.join(dashboard, "vendor", "MANIFEST.json")))
licences = {"chart.js": "src/dashboard/vendor/chart.js-LICENSE.md", "axe-core": "tests/browser/vendor/axe-core-LICENSE"}
failures = []
pinned = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
for entry in manifest:
    name = entry["package"]
    locked = lock["packages"].get("node_modules/" + name)
    if not locked:
        failures.append("%s is not in package-lock.json" % name)
        continue
    if pinned.get(name) != locked["version"]:
        failures.append("%s: package.json pins %s, the lockfile has %s" % (name, pinned.get(name), locked["version"]))
    if (entry["version"], entry["integrity"]) != (locked["version"], locked["integrity"]):
        failures.append("%s: vendored %s, the lockfile pins %s (run tools/update-dashboard-vendor.sh)"
                        % (name, entry["version"], locked["version"]))
    with open(os.path.join(root, entry["vendored"]), "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        failures.append("%s has changed since it was vendored" % entry["vendored"])
    if not os.path.exists(os.path.join(root, licences[name])):
        failures.append("the licence of %s is not shipped (%s)" % (name, licences[name]))
    installed = os.path.join(dashboard, "node_modules", name, entry["file"])
    if os.path.exists(installed) and open(installed, "rb").read() != data:
        failures.append("%s differs from node_modules/%s/%s" % (entry["vendored"], name, entry["file"]))
for failure in failures:
    print("FAIL: " + failure)
print("checked %d vendored files" % len(manifest))
sys.exit(1 if failures else 0)
