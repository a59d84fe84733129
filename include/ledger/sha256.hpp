#pragma once
// SHA-256 (OpenSSL's low-level API underneath), and the hash-chain step of SPEC §3.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledger {

using sha256_digest = std::array<std::uint8_t, 32>;

/// SHA-256 digests and chain links (ledger/detail/sha256_low_level.hpp); holds no state.
class sha256_hasher {
public:
    /// SHA-256 of `bytes`.
    sha256_digest digest(std::string_view bytes);

    /// One link of the chain: SHA-256(previous ‖ body).
    sha256_digest chain(sha256_digest const& previous, std::string_view body);

private:
    sha256_digest chain_parts(sha256_digest const* previous, std::string_view body);
};

/// SHA-256 of `bytes` with a temporary context.
sha256_digest sha256(std::string_view bytes);

/// Lower-case hex, 64 characters.
std::string to_hex(sha256_digest const& digest);

/// The inverse of to_hex (either case); nullopt unless exactly 64 hex digits.
std::optional<sha256_digest> parse_hex_digest(std::string_view hex);

}  // namespace ledger
