#include "ledger/app/authenticator.hpp"

#include "ledger/sha256.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace ledger::app {
namespace {

/// The token of "Bearer <token>" (scheme case-insensitive, RFC 7235), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size() || authorization[scheme.size()] != ' ') return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return std::nullopt;
    }
    auto token = authorization.substr(scheme.size());
    token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
    bool const printable_word = !token.empty() && std::all_of(token.begin(), token.end(), [](unsigned char c) {
        return c > ' ' && c < 127;
    });
    return printable_word ? std::optional(token) : std::nullopt;
}

error unauthenticated(std::string message) {
    return error{error_code::unauthenticated, std::move(message), {}};
}

}  // namespace

bool grants(role held, role required) noexcept {
    return held == role::admin || held == required || required == role::reader;
}

authenticator::authenticator(std::vector<token_entry> tokens)
    : tokens_(std::move(tokens)), requires_tokens_(true) {}

result<principal> authenticator::authenticate(std::string_view authorization) const {
    if (!requires_tokens_) return principal{"local", role::admin};
    if (authorization.empty()) return unauthenticated("this request needs Authorization: Bearer <token>");
    auto const token = bearer_token(authorization);
    if (!token) return unauthenticated("the Authorization header is not 'Bearer <token>'");
    auto const presented = sha256(*token);
    // Every entry is compared, and the match is selected without an early exit, so the time
    // taken depends only on the number of entries.
    token_entry const* match = nullptr;
    for (auto const& entry : tokens_) {
        bool const equal = CRYPTO_memcmp(entry.hash.data(), presented.data(), presented.size()) == 0;
        match = equal ? &entry : match;
    }
    if (match == nullptr) return unauthenticated("the token is not known");
    return principal{match->name, match->granted};
}

}  // namespace ledger::app
