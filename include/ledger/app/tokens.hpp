#pragma once
// API tokens (SPEC §6 Security): the tokens file keeps only SHA-256 hashes, never a token.
//
// File format, one token a line, '#' starts a comment:
//     <sha256 hex of the token> <role> <name>
// Roles: reader, writer (reader + append), auditor (reader + audit), recruiter (reader + personal
// data in reads), admin (everything).

#include "ledger/error.hpp"
#include "ledger/sha256.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::app {

enum class role { reader, writer, auditor, admin, recruiter };

std::optional<role> parse_role(std::string_view text);
std::string_view to_string(role r);

struct token_entry {
    sha256_digest hash{};
    role granted = role::reader;
    std::string name;
};

/// Reads a tokens file. Throws std::runtime_error naming the line for a malformed file.
std::vector<token_entry> read_tokens_file(std::filesystem::path const& path);

/// Makes a new random token for `name` with `granted`, appends its hash to the file (created
/// with mode 0600 if missing) and returns the token, which is shown once and stored nowhere.
/// Errors (bad_request): a name that is empty, has spaces, or is already in the file.
result<std::string> add_token(std::filesystem::path const& path, std::string const& name, role granted);

}  // namespace ledger::app
