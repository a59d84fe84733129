#include "ledger/app/tokens.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

namespace ledger::app {
namespace {

constexpr std::array<std::pair<std::string_view, role>, 5> role_names{{
    {"reader", role::reader},
    {"writer", role::writer},
    {"auditor", role::auditor},
    {"admin", role::admin},
    {"recruiter", role::recruiter},
}};

std::string random_token() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("the system random generator failed");
    }
    // "rlt_" marks a Recruitment Ledger token in logs and secret scanners.
    sha256_digest raw{};
    std::copy(bytes.begin(), bytes.end(), raw.begin());
    return "rlt_" + to_hex(raw);
}

}  // namespace

std::optional<role> parse_role(std::string_view text) {
    for (auto const& [name, r] : role_names) {
        if (name == text) return r;
    }
    return std::nullopt;
}

std::string_view to_string(role r) {
    for (auto const& [name, value] : role_names) {
        if (value == r) return name;
    }
    return "reader";
}

std::vector<token_entry> read_tokens_file(std::filesystem::path const& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read tokens file " + path.string());
    std::vector<token_entry> entries;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (auto const hash_mark = line.find('#'); hash_mark != std::string::npos) line.erase(hash_mark);
        std::istringstream fields(line);
        std::string hash, role_name, name, extra;
        if (!(fields >> hash)) continue;  // blank or comment
        auto const digest = parse_hex_digest(hash);
        auto const granted = fields >> role_name ? parse_role(role_name) : std::nullopt;
        if (!digest || !granted || !(fields >> name) || (fields >> extra)) {
            throw std::runtime_error(path.string() + ":" + std::to_string(number) +
                                     ": expected '<sha256 hex> <role> <name>'");
        }
        entries.push_back({*digest, *granted, name});
    }
    return entries;
}

result<std::string> add_token(std::filesystem::path const& path, std::string const& name, role granted) {
    bool const bad_name = name.empty() || std::any_of(name.begin(), name.end(), [](unsigned char c) {
                              return std::isspace(c) || c == '#' || !std::isprint(c);
                          });
    if (bad_name) return error{error_code::bad_request, "a token name is one printable word", {}};
    if (std::filesystem::exists(path)) {
        auto const entries = read_tokens_file(path);
        if (std::any_of(entries.begin(), entries.end(), [&](auto const& e) { return e.name == name; })) {
            return error{error_code::bad_request, "a token named " + name + " already exists", {}};
        }
    } else {
        std::ofstream create(path);
        if (!create) throw std::runtime_error("cannot create tokens file " + path.string());
        create << "# Recruitment Ledger tokens: <sha256 of token> <role> <name>. No tokens here.\n";
    }
    ::chmod(path.c_str(), 0600);  // hashes only, but nobody else needs to read them
    auto token = random_token();
    std::ofstream out(path, std::ios::app);
    out << to_hex(sha256(token)) << ' ' << to_string(granted) << ' ' << name << '\n';
    if (!out) throw std::runtime_error("cannot write tokens file " + path.string());
    return token;
}

}  // namespace ledger::app
