#pragma once
// What this build is: the release version (CMake's project version) and the git commit it was
// configured from, for --version, GET /v1/info and the package name.
// Both are fixed at configure time (cmake/build_info.cmake); thread-safe, never throw.

#include <string_view>

namespace ledger {

/// The release version, e.g. "0.1.0".
std::string_view build_version() noexcept;

/// The abbreviated git commit the build tree was configured from ("…-dirty" when the work tree
/// had uncommitted changes), or "unknown" outside a git checkout.
std::string_view build_commit() noexcept;

}  // namespace ledger
