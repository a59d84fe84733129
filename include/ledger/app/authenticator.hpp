#pragma once
// Bearer-token authentication and the role model (SPEC §6 Security).
//
// A request proves who it is with `Authorization: Bearer <token>`; the authenticator hashes the
// token (SHA-256) and looks the hash up among the tokens file's entries (tokens.hpp), comparing
// against every entry in constant time so timing reveals neither a hash nor which entry matched.
// Without a tokens file every request is the principal `local` with admin rights: the server
// then listens on loopback only (command_line.hpp).

#include "ledger/app/tokens.hpp"
#include "ledger/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ledger::app {

/// Who made a request: the token's name (recorded as each appended event's actor) and role.
struct principal {
    std::string name;
    role granted = role::reader;
};

/// Whether `held` may use a route that requires `required`: every role reads; writer adds
/// append, auditor adds audit (neither implies the other); admin may do everything. A
/// recruiter only reads, but sees personal fields there (personal_data.hpp).
bool grants(role held, role required) noexcept;

/// Immutable after construction. Threading: authenticate() from any number of threads at once.
class authenticator {
public:
    /// No tokens: everyone is `local` with admin rights.
    authenticator() = default;
    /// Only holders of these tokens (an empty list admits nobody).
    explicit authenticator(std::vector<token_entry> tokens);

    /// Whether requests must carry a token.
    bool requires_tokens() const noexcept { return requires_tokens_; }

    /// The principal for the Authorization header value `authorization` ("" when absent).
    /// Errors (unauthenticated): a missing or malformed header or an unknown token, when
    /// tokens are required.
    result<principal> authenticate(std::string_view authorization) const;

private:
    std::vector<token_entry> tokens_;
    bool requires_tokens_ = false;
};

}  // namespace ledger::app
