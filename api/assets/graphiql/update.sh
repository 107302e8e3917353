#!/usr/bin/env bash
# Refreshes GraphiQL, React and React DOM from the npm registry, with their licences.
# Usage: api/assets/graphiql/update.sh [graphiql version] [react version]
# Needs node and npm. Works in a scratch directory; only this folder's files are replaced.
set -euo pipefail

graphiql="${1:-4.1.2}"
react="${2:-18.3.1}"
here="$(cd "$(dirname "$0")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "${scratch}"' EXIT
cd "${scratch}"

npm pack --silent "graphiql@${graphiql}" "react@${react}" "react-dom@${react}" >/dev/null
for tarball in "graphiql-${graphiql}" "react-${react}" "react-dom-${react}"; do
    package="${tarball%-*}"
    mkdir "${package}"
    tar xzf "${tarball}.tgz" -C "${package}" --strip-components=1
done

# The UMD builds: GraphiQL's bundles everything but React, which it takes from window.React.
cp graphiql/graphiql.min.js graphiql/graphiql.min.css "${here}/"
cp react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js "${here}/"
cp graphiql/LICENSE "${here}/LICENSE.graphiql"
cp react/LICENSE "${here}/LICENSE.react"
cp react-dom/LICENSE "${here}/LICENSE.react-dom"

# The licences of everything GraphiQL's bundle (and React DOM's) contains: the production
# dependency tree npm resolves for these versions, one copy of each distinct licence text.
mkdir tree
cd tree
npm init -y >/dev/null
npm install --silent --ignore-scripts --omit=dev --no-audit --no-fund \
    "graphiql@${graphiql}" "react@${react}" "react-dom@${react}"
GRAPHIQL="${graphiql}" REACT="${react}" OUT="${here}/THIRD-PARTY-LICENSES.txt" node -e '
const fs = require("fs"), path = require("path");
const packages = new Map();
function walk(dir) {
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    const at = path.join(dir, name);
    if (name.startsWith("@")) { walk(at); continue; }
    const manifest = path.join(at, "package.json");
    if (!fs.existsSync(manifest)) continue;
    const pkg = JSON.parse(fs.readFileSync(manifest));
    if (!pkg.name.startsWith("@types/") && !["graphiql", "react", "react-dom"].includes(pkg.name)) {
      const files = fs.readdirSync(at).filter((f) => /^licen[cs]e/i.test(f));
      const license = typeof pkg.license === "string" ? pkg.license : JSON.stringify(pkg.license);
      const text = files.length
        ? fs.readFileSync(path.join(at, files[0]), "utf8").replace(/\r/g, "").trim()
        : `(no licence file in the package; its package.json declares ${license})`;
      packages.set(`${pkg.name}@${pkg.version}`, { label: `${pkg.name} ${pkg.version} (${license})`, text });
    }
    const nested = path.join(at, "node_modules");
    if (fs.existsSync(nested)) walk(nested);
  }
}
walk("node_modules");
const byText = new Map();
for (const key of [...packages.keys()].sort()) {
  const { label, text } = packages.get(key);
  if (!byText.has(text)) byText.set(text, []);
  byText.get(text).push(label);
}
const { GRAPHIQL, REACT } = process.env;
let out = `Third-party software inside graphiql.min.js (GraphiQL ${GRAPHIQL} bundles its dependencies) and
react-dom.production.min.js (React DOM bundles scheduler).

The packages are the production dependency tree npm resolves for graphiql@${GRAPHIQL}, react@${REACT} and
react-dom@${REACT} (see README.md); GraphiQL, React and React DOM have LICENSE.* files of their own.
Each licence text follows the packages it covers. A package without a licence file of its own is
listed with the licence its package.json declares.
`;
const rule = "=".repeat(78);
for (const [text, labels] of byText) out += `\n${rule}\n${labels.join("\n")}\n${rule}\n\n${text}\n`;
fs.writeFileSync(process.env.OUT, out);
'
echo "updated ${here}: graphiql ${graphiql}, react and react-dom ${react}"
