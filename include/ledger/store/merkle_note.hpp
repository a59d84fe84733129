#pragma once
// Signed checkpoints (SPEC §11): C2SP tlog-checkpoint bodies in C2SP signed-notes with an Ed25519
// key, the format Go's golang.org/x/mod/sumdb/note reads (docs/audit.md).
//
//   <origin>\n<tree size>\n<base64 root>\n\n— <key name> <base64(key id ‖ signature)>\n
//
// key id = the first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key); the
// signature is Ed25519 over the body (every line up to and including the root's newline).
// Keys as text: verifier `<name>+<hex id>+<base64(0x01 ‖ public key)>`, private
// `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>` (both as Go's note package spells them).
//
// Threading: thread-safe (no shared state). Errors: malformed keys and files throw
// std::runtime_error (std::invalid_argument for a bad key name); open_checkpoint reports a
// bad note as its error text, never throws for bad input.

#include "ledger/sha256.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ledger::store::merkle {

struct signing_key {
    std::string name;
    std::array<unsigned char, 32> seed{};
    std::array<unsigned char, 32> public_key{};
    std::uint32_t id = 0;
};

struct verifier_key {
    std::string name;
    std::uint32_t id = 0;
    std::array<unsigned char, 32> public_key{};
};

/// A fresh Ed25519 key named `name` (no '+', no whitespace, not empty).
signing_key generate_signing_key(std::string name);
std::string private_key_text(signing_key const& key);
signing_key parse_private_key(std::string_view text);
/// The verifier key line of `key` (no newline).
std::string verifier_text(signing_key const& key);
std::optional<verifier_key> parse_verifier_key(std::string_view text);

/// Writes `key` to `file` (created, mode 0600; fails when it exists).
void write_private_key(std::filesystem::path const& file, signing_key const& key);
signing_key read_private_key(std::filesystem::path const& file);
/// Reads `file`, or creates it with a fresh key named `name` when it does not exist. `created`
/// tells which.
signing_key load_or_create_key(std::filesystem::path const& file, std::string const& name, bool& created);

struct checkpoint {
    std::string origin;
    std::uint64_t size = 0;
    sha256_digest root{};
};

/// The tlog-checkpoint body: three lines, each ending in "\n".
std::string checkpoint_body(checkpoint const& c);
/// The signed note of `body` (which ends in "\n") with one signature by `key`.
std::string sign_note(std::string_view body, signing_key const& key);
/// The checkpoint of `note` when it carries a valid signature by `key` and a well-formed body;
/// else what is wrong.
std::variant<checkpoint, std::string> open_checkpoint(std::string_view note, verifier_key const& key);

}  // namespace ledger::store::merkle
