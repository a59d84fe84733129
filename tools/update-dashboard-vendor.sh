#!/usr/bin/env bash
# Refreshes the npm files the dashboard ships (src/dashboard/vendor/) and the browser test uses
# (tests/browser/vendor/) from src/dashboard/package-lock.json, and writes vendor/MANIFEST.json:
# for each file its package, version, the lockfile's tarball integrity and the file's SHA-256.
# `npm ci` checks every tarball against the lockfile's integrity before unpacking, so the copied
# files are the locked ones; tests/browser/check_vendor.py re-checks the manifest in ctest.
# Needs node and npm (only here: building and testing use the vendored files).
#   After changing a version in src/dashboard/package.json: (cd src/dashboard && npm install
#   --ignore-scripts) to update the lockfile, then run this script and commit both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/src/dashboard"
npm ci --ignore-scripts --no-audit --no-fund
cp node_modules/chart.js/dist/chart.umd.min.js vendor/
cp node_modules/chart.js/LICENSE.md vendor/chart.js-LICENSE.md
cp node_modules/@kurkle/color/LICENSE.md vendor/kurkle-color-LICENSE.md
cp node_modules/axe-core/axe.min.js "$root/tests/browser/vendor/"
cp node_modules/axe-core/LICENSE "$root/tests/browser/vendor/axe-core-LICENSE"
node - "$root" <<'JS'
const fs = require('fs'), crypto = require('crypto'), path = require('path');
const root = process.argv[2];
const lock = JSON.parse(fs.readFileSync(path.join(root, 'src/dashboard/package-lock.json')));
const files = [
  ['chart.js', 'dist/chart.umd.min.js', 'src/dashboard/vendor/chart.umd.min.js'],
  ['axe-core', 'axe.min.js', 'tests/browser/vendor/axe.min.js'],
];
const manifest = files.map(([name, inPackage, vendored]) => {
  const entry = lock.packages['node_modules/' + name];
  const bytes = fs.readFileSync(path.join(root, vendored));
  return {package: name, version: entry.version, integrity: entry.integrity, file: inPackage,
          vendored, sha256: crypto.createHash('sha256').update(bytes).digest('hex')};
});
fs.writeFileSync(path.join(root, 'src/dashboard/vendor/MANIFEST.json'),
                 JSON.stringify(manifest, null, 2) + '\n');
JS
echo "vendored files refreshed; see src/dashboard/vendor/MANIFEST.json"
