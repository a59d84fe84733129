#pragma once
// Standard base64 (RFC 4648, padded) through OpenSSL: how sealed personal data is spelled in
// the catalogue's string fields. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace ledger {

std::string base64_encode(std::string_view bytes);

/// The bytes of `text`, or nullopt when it is not padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ledger
