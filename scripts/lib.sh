# Shared set-up for ./peerkey and scripts/test: finds a JDK >= 21 and Node >= 22,
# installs what is missing (npm packages, Node 22, Maven dependencies) and builds what
# is stale (contracts, client jar). Sourced, not run; ROOT must be set.

NODE_VERSION=22.23.3

say() { printf 'peerkey: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

java_major() { # prints the major version of the java binary $1
  # The JDK's release file says it without starting a JVM (two JVM starts cost ~0.3 s per command).
  local release="${1%/bin/java}/release" line major
  if [ -f "$release" ]; then
    while IFS= read -r line; do
      case "$line" in
        JAVA_VERSION=\"*)
          major=${line#JAVA_VERSION=\"}; major=${major%%[!0-9]*}
          if [ -n "$major" ] && [ "$major" != 1 ]; then echo "$major"; return 0; fi ;;
      esac
    done < "$release"
  fi
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# JAVA_HOME if it is >= 21, else the newest JDK >= 21 under /usr/lib/jvm, else java on PATH.
find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ]; then return 0; fi
    say "JAVA_HOME=$JAVA_HOME is Java $major; looking for a JDK >= 21"
  fi
  for candidate in /usr/lib/jvm/*/bin/javac /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/javac; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$(dirname "$candidate")/java")
    if [ "${major:-0}" -gt "$best_major" ]; then best_major=$major; best=$(dirname "$(dirname "$candidate")"); fi
  done
  if [ "$best_major" -lt 21 ] && command -v javac >/dev/null; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ]; then best=$candidate; best_major=$major; fi
  fi
  [ "$best_major" -ge 21 ] || die "peerkey needs a JDK >= 21 (web3j is Java 21 bytecode); install one or set JAVA_HOME"
  export JAVA_HOME=$best
}

# Maven 3.8 uses sun.misc.Unsafe, which JDK 24+ warns about on every build.
quiet_maven_on_new_jdks() {
  if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# Node >= 22 (Hardhat 3 needs it): the machine's if new enough, else a private copy from npm.
ensure_node() {
  local private="$ROOT/.tools/node_modules/node/bin"
  if [ -x "$private/node" ]; then export PATH="$private:$ROOT/.tools/node_modules/.bin:$PATH"; return 0; fi
  command -v npm >/dev/null || die "npm is needed to install Node $NODE_VERSION and Hardhat; install Node.js and npm"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 22 ]; then return 0; fi
  say "installing Node $NODE_VERSION into .tools (the machine has Node $major; Hardhat 3 needs 22)…"
  npm install --prefix "$ROOT/.tools" --no-save --no-package-lock --no-audit --no-fund "node@$NODE_VERSION" >&2 \
    || die "could not install Node $NODE_VERSION from npm"
  export PATH="$private:$ROOT/.tools/node_modules/.bin:$PATH"
}

ensure_npm_packages() {
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "installing npm packages (Hardhat, solc, OpenZeppelin)…"
    # Not `npm ci`: a lockfile pins other platforms' optional packages, which not every registry mirror has.
    (cd "$ROOT" && npm install --no-audit --no-fund >&2) || die "npm install failed"
  fi
}

ARTIFACT="$ROOT/artifacts/contracts/IdentityRegistry.sol/IdentityRegistry.json"

ensure_contracts() {
  if [ ! -f "$ARTIFACT" ] || [ -n "$(find "$ROOT/contracts" "$ROOT/hardhat.config.js" -newer "$ARTIFACT" -print -quit)" ]; then
    say "compiling the contracts…"
    (cd "$ROOT" && npx hardhat build >&2) || die "contract compilation failed"
    # Hardhat leaves the artifact as it was when only the config changed: mark it checked.
    touch "$ARTIFACT"
  fi
}

JAR="$ROOT/client/target/peerkey.jar"

ensure_jar() {
  if [ ! -f "$JAR" ] || [ -n "$(find "$ROOT/client/src/main" "$ROOT/client/pom.xml" "$ROOT/pom.xml" "$ARTIFACT" -newer "$JAR" -print -quit)" ]; then
    say "building the client (Maven; the first build downloads dependencies)…"
    (cd "$ROOT" && mvn -q -B -DskipTests -pl client -am package >&2) || die "client build failed"
  fi
}

setup_all() {
  find_jdk
  quiet_maven_on_new_jdks
  ensure_node
  ensure_npm_packages
  ensure_contracts
}
