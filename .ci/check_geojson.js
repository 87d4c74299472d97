// Validates GeoJSON files with an independent validator, @placemarkio/check-geojson
// (installed by .ci/run into target/ci-node from .ci/node/package-lock.json).
// Usage: NODE_PATH=target/ci-node/node_modules node .ci/check_geojson.js FILE...
// Exits 1 listing the issues when any file has one.
'use strict';
const { getIssues } = require('@placemarkio/check-geojson');
const fs = require('fs');
let failed = false;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const issues = getIssues(text);
  if (issues.length) {
    failed = true;
    console.log(`${file}: ${issues.length} issue(s)`);
    for (const i of issues.slice(0, 10)) {
      console.log(`  ${i.severity}: ${i.message} (at byte ${i.from})`);
    }
  } else {
    const n = JSON.parse(text).features.length;
    console.log(`${file}: valid GeoJSON (check-geojson), ${n} features`);
  }
}
process.exit(failed ? 1 : 0);
