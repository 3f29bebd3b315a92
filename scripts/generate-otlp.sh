#!/usr/bin/env bash
# Regenerates Sources/ChoreoOTLP/Generated/*.pb.swift from the .proto subset under proto/, and
# the OTLP/gRPC TraceService stub Sources/ChoreoOTLPGRPC/Generated/trace_service.grpc.swift.
#
# Needs protoc (e.g. `apt-get install protobuf-compiler`) and protoc-gen-swift at the same
# version as the swift-protobuf dependency in Package.swift. Point PROTOC_GEN_SWIFT at the
# plugin, or have it on PATH. To build it:
#
#   git clone --branch 1.39.0 --depth 1 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   swift build -c release --package-path /tmp/swift-protobuf --product protoc-gen-swift
#   export PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift
#
# The gRPC stub needs protoc-gen-grpc-swift-2 from grpc-swift-protobuf at the version in
# Package.swift (PROTOC_GEN_GRPC_SWIFT, or on PATH); a debug build is enough:
#
#   git clone --branch 2.4.1 --depth 1 https://github.com/grpc/grpc-swift-protobuf /tmp/grpc-swift-protobuf
#   swift build --package-path /tmp/grpc-swift-protobuf --product protoc-gen-grpc-swift-2
#   export PROTOC_GEN_GRPC_SWIFT=/tmp/grpc-swift-protobuf/.build/debug/protoc-gen-grpc-swift-2
#
# The generated files are committed; run this only after changing a .proto file or the
# swift-protobuf version.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proto_dir="$root/proto"
out_dir="$root/Sources/ChoreoOTLP/Generated"
grpc_out_dir="$root/Sources/ChoreoOTLPGRPC/Generated"

plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
if [[ -z "$plugin" || ! -x "$plugin" ]]; then
    echo "error: protoc-gen-swift not found; set PROTOC_GEN_SWIFT (see the comment at the top of $0)" >&2
    exit 1
fi
grpc_plugin="${PROTOC_GEN_GRPC_SWIFT:-$(command -v protoc-gen-grpc-swift-2 || true)}"
if [[ -z "$grpc_plugin" || ! -x "$grpc_plugin" ]]; then
    echo "error: protoc-gen-grpc-swift-2 not found; set PROTOC_GEN_GRPC_SWIFT (see the comment at the top of $0)" >&2
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

# The TraceService stub (server and client) imports the messages from ChoreoOTLP.
mkdir -p "$grpc_out_dir"
rm -f "$grpc_out_dir"/*.grpc.swift
protoc \
    --plugin=protoc-gen-grpc-swift-2="$grpc_plugin" \
    --proto_path="$proto_dir" \
    --grpc-swift-2_opt=Visibility=Public,Client=true,Server=true,FileNaming=DropPath,ExtraModuleImports=ChoreoOTLP \
    --grpc-swift-2_out="$grpc_out_dir" \
    opentelemetry/proto/collector/trace/v1/trace_service.proto

echo "generated: $(cd "$out_dir" && ls *.pb.swift | tr '\n' ' ')$(cd "$grpc_out_dir" && ls *.grpc.swift)"
