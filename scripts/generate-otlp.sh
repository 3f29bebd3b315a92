#!/usr/bin/env bash
# Regenerates Sources/ChoreoOTLP/Generated/*.pb.swift from the .proto subset under proto/.
#
# Needs protoc (e.g. `apt-get install protobuf-compiler`) and protoc-gen-swift at the same
# version as the swift-protobuf dependency in Package.swift. Point PROTOC_GEN_SWIFT at the
# plugin, or have it on PATH. To build it:
#
#   git clone --branch 1.39.0 --depth 1 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   swift build -c release --package-path /tmp/swift-protobuf --product protoc-gen-swift
#   export PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift
#
# The generated files are committed; run this only after changing a .proto file or the
# swift-protobuf version.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proto_dir="$root/proto"
out_dir="$root/Sources/ChoreoOTLP/Generated"

plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [[ -z "$plugin" || ! -x "$plugin" ]]; then
    echo "error: protoc-gen-swift not found; set PROTOC_GEN_SWIFT (see the comment at the top of $0)" >&2
    exit 1
fi
if ! command -v protoc >/dev/null; then
    echo "error: protoc not found; install it (apt-get install protobuf-compiler, brew install protobuf)" >&2
    exit 1
fi

wanted="$(sed -n 's/.*swift-protobuf", from: "\([0-9.]*\)".*/\1/p' "$root/Package.swift")"
have="$("$plugin" --version | awk '{print $2}')"
if [[ -n "$wanted" && "$have" != "$wanted" ]]; then
    echo "warning: protoc-gen-swift is $have but Package.swift asks for swift-protobuf $wanted" >&2
fi

protos=(
    google/rpc/status.proto
    opentelemetry/proto/common/v1/common.proto
    opentelemetry/proto/resource/v1/resource.proto
    opentelemetry/proto/trace/v1/trace.proto
    opentelemetry/proto/collector/trace/v1/trace_service.proto
)

mkdir -p "$out_dir"
rm -f "$out_dir"/*.pb.swift
protoc \
    --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$proto_dir" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$out_dir" \
    "${protos[@]}"

echo "generated: $(cd "$out_dir" && ls *.pb.swift | tr '\n' ' ')"
