// Ed25519 signed notes and tlog checkpoints through OpenSSL (ledger/store/merkle_note.hpp).

#include "ledger/store/merkle_note.hpp"

#include "ledger/base64.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace ledger::store::merkle {
namespace {

constexpr unsigned char ed25519_type = 0x01;
constexpr std::string_view signature_prefix = "\xE2\x80\x94 ";  // "— " (U+2014, space)

struct pkey_free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct md_ctx_free {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;

void check(int ok, char const* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL ") + what + " failed");
}

bool valid_name(std::string_view name) {
    if (name.empty()) return false;
    for (char const ch : name) {
        auto const c = static_cast<unsigned char>(ch);
        if (c == '+' || c <= 0x20 || c == 0x7f) return false;
    }
    return true;
}

std::uint32_t key_id(std::string_view name, std::array<unsigned char, 32> const& public_key) {
    std::string input(name);
    input += '\n';
    input += static_cast<char>(ed25519_type);
    input.append(reinterpret_cast<char const*>(public_key.data()), public_key.size());
    auto const digest = sha256(input);
    return (std::uint32_t{digest[0]} << 24) | (std::uint32_t{digest[1]} << 16) |
           (std::uint32_t{digest[2]} << 8) | std::uint32_t{digest[3]};
}

std::string hex_id(std::uint32_t id) {
    char buffer[9];
    std::snprintf(buffer, sizeof buffer, "%08x", id);
    return buffer;
}

std::optional<std::uint32_t> parse_hex_id(std::string_view text) {
    if (text.size() != 8) return std::nullopt;
    std::uint32_t id = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id, 16);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return id;
}

std::string typed(std::array<unsigned char, 32> const& raw) {
    std::string out(1, static_cast<char>(ed25519_type));
    out.append(reinterpret_cast<char const*>(raw.data()), raw.size());
    return base64_encode(out);
}

std::optional<std::array<unsigned char, 32>> untyped(std::string_view text) {
    auto const bytes = base64_decode(text);
    if (!bytes || bytes->size() != 33 || static_cast<unsigned char>((*bytes)[0]) != ed25519_type) return std::nullopt;
    std::array<unsigned char, 32> out{};
    std::copy(bytes->begin() + 1, bytes->end(), out.begin());
    return out;
}

/// At most `most` parts: the last keeps any further separators (base64 may hold '+').
std::vector<std::string_view> split(std::string_view text, char separator, std::size_t most = SIZE_MAX) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto const at = parts.size() + 1 == most ? std::string_view::npos : text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

std::array<unsigned char, 32> public_of(EVP_PKEY* key) {
    std::array<unsigned char, 32> out{};
    std::size_t size = out.size();
    check(EVP_PKEY_get_raw_public_key(key, out.data(), &size), "get_raw_public_key");
    return out;
}

std::string_view trim_newline(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

}  // namespace

signing_key generate_signing_key(std::string name) {
    if (!valid_name(name)) throw std::invalid_argument("a key name is not empty and has no '+' or spaces");
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key) throw std::runtime_error("OpenSSL Ed25519 key generation failed");
    signing_key out;
    out.name = std::move(name);
    std::size_t size = out.seed.size();
    check(EVP_PKEY_get_raw_private_key(key.get(), out.seed.data(), &size), "get_raw_private_key");
    out.public_key = public_of(key.get());
    out.id = key_id(out.name, out.public_key);
    return out;
}

std::string private_key_text(signing_key const& key) {
    return "PRIVATE+KEY+" + key.name + "+" + hex_id(key.id) + "+" + typed(key.seed);
}

signing_key parse_private_key(std::string_view text) {
    auto const parts = split(trim_newline(text), '+', 5);
    if (parts.size() != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !valid_name(parts[2])) {
        throw std::runtime_error("not a private key (PRIVATE+KEY+<name>+<hex id>+<base64 key>)");
    }
    auto const id = parse_hex_id(parts[3]);
    auto const seed = untyped(parts[4]);
    if (!id || !seed) throw std::runtime_error("the private key's id or key is malformed");
    pkey_ptr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed->data(), seed->size()));
    if (!key) throw std::runtime_error("the private key is not an Ed25519 key");
    signing_key out{.name = std::string(parts[2]), .seed = *seed, .public_key = public_of(key.get()), .id = 0};
    out.id = key_id(out.name, out.public_key);
    if (out.id != *id) throw std::runtime_error("the private key's id does not match its key");
    return out;
}

std::string verifier_text(signing_key const& key) {
    return key.name + "+" + hex_id(key.id) + "+" + typed(key.public_key);
}

std::optional<verifier_key> parse_verifier_key(std::string_view text) {
    auto const parts = split(trim_newline(text), '+', 3);
    if (parts.size() != 3 || !valid_name(parts[0])) return std::nullopt;
    auto const id = parse_hex_id(parts[1]);
    auto const public_key = untyped(parts[2]);
    if (!id || !public_key || key_id(parts[0], *public_key) != *id) return std::nullopt;
    return verifier_key{std::string(parts[0]), *id, *public_key};
}

void write_private_key(std::filesystem::path const& file, signing_key const& key) {
    int const fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
    auto const text = private_key_text(key) + "\n";
    bool const ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + file.string());
}

signing_key read_private_key(std::filesystem::path const& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read the signing key " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    try {
        return parse_private_key(text.str());
    } catch (std::runtime_error const& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
}

signing_key load_or_create_key(std::filesystem::path const& file, std::string const& name, bool& created) {
    created = false;
    if (std::filesystem::exists(file)) return read_private_key(file);
    auto key = generate_signing_key(name);
    write_private_key(file, key);
    created = true;
    return key;
}

std::string checkpoint_body(checkpoint const& c) {
    std::string root(reinterpret_cast<char const*>(c.root.data()), c.root.size());
    return c.origin + "\n" + std::to_string(c.size) + "\n" + base64_encode(root) + "\n";
}

std::string sign_note(std::string_view body, signing_key const& key) {
    pkey_ptr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, key.seed.data(), key.seed.size()));
    if (!pkey) throw std::runtime_error("OpenSSL cannot load the Ed25519 key");
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx) throw std::bad_alloc();
    check(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()), "DigestSignInit");
    std::string signature(4 + 64, '\0');
    for (std::size_t i = 0; i < 4; ++i) signature[i] = static_cast<char>((key.id >> (24 - 8 * i)) & 0xff);
    std::size_t size = 64;
    check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data() + 4), &size,
                         reinterpret_cast<unsigned char const*>(body.data()), body.size()),
          "DigestSign");
    std::string note(body);
    note += "\n";
    note += signature_prefix;
    note += key.name + " " + base64_encode(signature) + "\n";
    return note;
}

std::variant<checkpoint, std::string> open_checkpoint(std::string_view note, verifier_key const& key) {
    auto const split_at = note.rfind("\n\n");
    if (split_at == std::string_view::npos) return std::string("the note has no blank line before its signatures");
    auto const body = note.substr(0, split_at + 1);
    auto signatures = note.substr(split_at + 2);
    if (signatures.empty() || signatures.back() != '\n') return std::string("the note's last line does not end in a newline");
    bool verified = false;
    for (auto line : split(signatures.substr(0, signatures.size() - 1), '\n')) {
        if (!line.starts_with(signature_prefix)) return std::string("a signature line does not start with '— '");
        line.remove_prefix(signature_prefix.size());
        auto const space = line.find(' ');
        if (space == std::string_view::npos) return std::string("a signature line has no signature");
        if (line.substr(0, space) != key.name) continue;
        auto const bytes = base64_decode(line.substr(space + 1));
        if (!bytes || bytes->size() != 4 + 64) continue;
        std::uint32_t id = 0;
        for (std::size_t i = 0; i < 4; ++i) id = (id << 8) | static_cast<unsigned char>((*bytes)[i]);
        if (id != key.id) continue;
        pkey_ptr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.public_key.data(), key.public_key.size()));
        md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (!pkey || !ctx) throw std::runtime_error("OpenSSL cannot load the Ed25519 verifier key");
        check(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()), "DigestVerifyInit");
        if (EVP_DigestVerify(ctx.get(), reinterpret_cast<unsigned char const*>(bytes->data() + 4), 64,
                             reinterpret_cast<unsigned char const*>(body.data()), body.size()) == 1) {
            verified = true;
            break;
        }
        return std::string("the signature by " + key.name + " does not verify: the note was altered or signed by another key");
    }
    if (!verified) return std::string("the note carries no signature by " + key.name + "+" + hex_id(key.id));
    auto const lines = split(body.substr(0, body.size() - 1), '\n');
    if (lines.size() < 3) return std::string("the checkpoint body has fewer than three lines");
    checkpoint out;
    out.origin = std::string(lines[0]);
    auto const [end, ec] = std::from_chars(lines[1].data(), lines[1].data() + lines[1].size(), out.size);
    if (ec != std::errc{} || end != lines[1].data() + lines[1].size() || lines[1].empty() ||
        (lines[1].size() > 1 && lines[1][0] == '0')) {
        return std::string("the checkpoint's tree size is not a decimal number");
    }
    auto const root = base64_decode(lines[2]);
    if (!root || root->size() != out.root.size()) return std::string("the checkpoint's root is not base64 of 32 bytes");
    std::copy(root->begin(), root->end(), reinterpret_cast<char*>(out.root.data()));
    return out;
}

}  // namespace ledger::store::merkle
