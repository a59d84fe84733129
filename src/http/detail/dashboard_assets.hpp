#pragma once
// The dashboard's files (src/dashboard/), embedded in the binary at build time by
// cmake/embed_dashboard.cmake, so the server needs nothing beside it and no request leaves its
// origin (SPEC §13). Immutable data: safe from any thread.

#include <span>
#include <string_view>

namespace ledger::http::detail {

struct dashboard_asset {
    std::string_view path;          // URL path: "/" for index.html, else "/assets/<file>"
    std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
    std::string_view etag;          // strong ETag, quoted: the start of the file's SHA-256
    std::string_view bytes;
};

/// Every embedded file, in the order the build listed them.
std::span<dashboard_asset const> dashboard_assets();

}  // namespace ledger::http::detail
